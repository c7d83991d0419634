import datetime

import pytest
from django.contrib.auth.models import Permission
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import Role
from apps.trajectories.access import client_list_for_user, client_open_for
from apps.trajectories.services import care_team_join, care_team_leave
from tests.accounts.factories import UserFactory
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date


@pytest.fixture
def trajectory(db):
    return TrajectoryFactory(start=D(2025, 1, 1))


@pytest.fixture
def teacher(trajectory):
    return UserFactory(organisation=trajectory.client.organisation, roles=[Role.TEACHER])


def _join(trajectory, user, role="teacher"):
    return care_team_join(
        trajectory=trajectory,
        user=user,
        role=role,
        start=D(2025, 1, 1),
        actor=trajectory.lead_caseworker,
    )


def test_joining_the_care_team_grants_access_to_the_client(trajectory, teacher):
    assert not client_list_for_user(user=teacher).exists()
    _join(trajectory, teacher)
    assert list(client_list_for_user(user=teacher)) == [trajectory.client]
    _client, access = client_open_for(user=teacher, pk=trajectory.client.pk, what="test")
    assert access.lanes == {"education"}


def test_leaving_the_care_team_revokes_access_at_once(trajectory, teacher):
    membership = _join(trajectory, teacher)
    care_team_leave(
        membership=membership, end=timezone.localdate(), actor=trajectory.lead_caseworker
    )
    assert not client_list_for_user(user=teacher).exists()
    with pytest.raises(Http404):
        client_open_for(user=teacher, pk=trajectory.client.pk, what="test")


def test_a_second_membership_keeps_access_when_one_ends(trajectory, teacher):
    first = _join(trajectory, teacher, role="teacher")
    _join(trajectory, teacher, role="job_coach")
    care_team_leave(membership=first, end=timezone.localdate(), actor=trajectory.lead_caseworker)
    assert client_list_for_user(user=teacher).exists()


def test_a_model_wide_permission_never_shows_every_client(trajectory, teacher):
    teacher.user_permissions.add(Permission.objects.get(codename="view_client"))
    assert not client_list_for_user(user=teacher).exists()


def test_a_superuser_outside_the_care_team_sees_no_client(trajectory):
    superuser = UserFactory(organisation=trajectory.client.organisation, is_superuser=True)
    assert not client_list_for_user(user=superuser).exists()


def test_a_permission_on_a_client_of_another_organisation_is_never_used(trajectory):
    from guardian.shortcuts import assign_perm

    stranger = UserFactory(roles=[Role.CASEWORKER])
    assign_perm("clients.view_client", stranger, trajectory.client)  # a stray grant
    assert not client_list_for_user(user=stranger).exists()


def test_my_clients_is_one_query(trajectory, teacher, django_assert_num_queries):
    for _ in range(5):
        _join(TrajectoryFactory(client__organisation=trajectory.client.organisation), teacher)
    with django_assert_num_queries(1):
        assert len(list(client_list_for_user(user=teacher))) == 5


def test_a_membership_ended_in_advance_is_neither_listed_nor_opened_without_any_nightly_job(
    trajectory, teacher
):
    """The list and the door read the same memberships at the moment of the request: there
    is no grant that a nightly job must revoke (it used to stay listed until one ran)."""
    from apps.trajectories.models import CareTeamMembership

    membership = _join(trajectory, teacher)
    for end in (timezone.localdate(), timezone.localdate() - datetime.timedelta(days=3)):
        CareTeamMembership.objects.filter(pk=membership.pk).update(end=end)  # set earlier
        assert not client_list_for_user(user=teacher).exists()
        with pytest.raises(Http404):
            client_open_for(user=teacher, pk=trajectory.client.pk, what="test")
    CareTeamMembership.objects.filter(pk=membership.pk).update(
        end=timezone.localdate() + datetime.timedelta(days=1)
    )  # ends tomorrow: still on the team today
    assert list(client_list_for_user(user=teacher)) == [trajectory.client]
    client_open_for(user=teacher, pk=trajectory.client.pk, what="test")
    assert client_list_for_user(user=trajectory.lead_caseworker).exists()


def test_a_stray_object_permission_on_the_own_organisations_client_is_never_used(
    trajectory, teacher
):
    from guardian.shortcuts import assign_perm

    assign_perm("clients.view_client", teacher, trajectory.client)  # not on the care team
    assert not client_list_for_user(user=teacher).exists()
    with pytest.raises(Http404):
        client_open_for(user=teacher, pk=trajectory.client.pk, what="test")


def test_a_membership_that_starts_later_gives_nothing_before_its_start(trajectory, teacher):
    """A colleague added to the team from next week is on it from next week: until then the
    client is neither listed nor openable (it used to open at once)."""
    from apps.trajectories.models import CareTeamMembership

    membership = _join(trajectory, teacher)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    CareTeamMembership.objects.filter(pk=membership.pk).update(start=tomorrow)  # set earlier
    assert not client_list_for_user(user=teacher).exists()
    with pytest.raises(Http404):
        client_open_for(user=teacher, pk=trajectory.client.pk, what="test")
    CareTeamMembership.objects.filter(pk=membership.pk).update(start=timezone.localdate())
    assert list(client_list_for_user(user=teacher)) == [trajectory.client]
    client_open_for(user=teacher, pk=trajectory.client.pk, what="test")
