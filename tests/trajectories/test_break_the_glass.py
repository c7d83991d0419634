"""Issue 14, item 3: emergency access is read and record, for its limited time; it never
changes who has access (no care-team changes, no grants), so it never becomes lasting access."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.trajectories.access import break_glass_open, client_access_for
from apps.trajectories.models import Activity, CareTeamMembership
from apps.trajectories.services import care_team_join, care_team_leave
from tests.accounts.factories import UserFactory

REASON = "Client belt in paniek, behandelaar onbereikbaar"


@pytest.fixture
def emergency(trajectory, caseworker):
    """The caseworker outside the care team, under emergency access."""
    break_glass_open(user=caseworker, client=trajectory.client, reason=REASON)
    return caseworker


def _lead_membership(trajectory):
    return CareTeamMembership.objects.get(user=trajectory.lead_caseworker)


def test_what_emergency_access_allows_is_listed_in_its_flags(trajectory, emergency):
    access = client_access_for(user=emergency, client=trajectory.client)
    assert access.basis == "break_the_glass"
    assert (access.sees_notes, access.sees_goal_text, access.sees_funding) == (True, True, True)
    assert access.sees_care_team  # who to call, read only
    assert access.may_log  # the care given in the emergency is recorded (WGBO 7:454)
    assert not access.may_change_care_team
    lead = client_access_for(user=trajectory.lead_caseworker, client=trajectory.client)
    assert lead.may_change_care_team


def test_the_care_team_page_is_refused_and_the_refusal_logged(client, trajectory, emergency):
    client.force_login(emergency)
    url = reverse("clients:care_team", kwargs={"pk": trajectory.client.pk})
    assert client.get(url).status_code == 403
    entry = AccessLogEntry.objects.filter(user=emergency).latest("pk")
    assert (entry.outcome, entry.basis, entry.client) == (
        "refused",
        "break_the_glass",
        trajectory.client,
    )


def test_joining_the_team_under_emergency_access_is_refused(client, trajectory, emergency):
    client.force_login(emergency)
    response = client.post(
        reverse("clients:care_team", kwargs={"pk": trajectory.client.pk}),
        {"user": emergency.pk, "role": "caseworker", "start": timezone.localdate().isoformat()},
    )
    assert response.status_code == 403
    assert not CareTeamMembership.objects.filter(user=emergency).exists()


def test_removing_the_lead_under_emergency_access_is_refused(client, trajectory, emergency):
    client.force_login(emergency)
    membership = _lead_membership(trajectory)
    response = client.post(
        reverse(
            "clients:care_team_remove",
            kwargs={"pk": trajectory.client.pk, "membership_pk": membership.pk},
        )
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.end is None


def test_the_client_page_offers_no_care_team_button_under_emergency_access(
    client, trajectory, emergency
):
    care_team_url = reverse("clients:care_team", kwargs={"pk": trajectory.client.pk})
    page = reverse("clients:detail", kwargs={"pk": trajectory.client.pk})
    client.force_login(emergency)
    response = client.get(page)
    text = response.text
    assert response.context["access"].basis == "break_the_glass"
    assert care_team_url not in text
    assert trajectory.lead_caseworker.get_full_name() in text  # the team is shown, read only
    client.force_login(trajectory.lead_caseworker)
    assert care_team_url in client.get(page).text


def test_the_services_refuse_care_team_changes_by_an_emergency_actor(trajectory, emergency):
    colleague = UserFactory(organisation=trajectory.client.organisation, roles=[Role.TEACHER])
    for who in (emergency, colleague):
        with pytest.raises(PermissionDenied):
            care_team_join(
                trajectory=trajectory,
                user=who,
                role="teacher",
                start=timezone.localdate(),
                actor=emergency,
            )
    with pytest.raises(PermissionDenied):
        care_team_leave(
            membership=_lead_membership(trajectory), end=timezone.localdate(), actor=emergency
        )
    assert list(CareTeamMembership.objects.values_list("user", "end")) == [
        (trajectory.lead_caseworker.pk, None)
    ]


def test_an_activity_may_be_logged_under_emergency_access(client, trajectory, emergency):
    client.force_login(emergency)
    response = client.post(
        reverse("clients:activity_new", kwargs={"pk": trajectory.client.pk}),
        {
            "domain": "care",
            "kind": "treatment_session",
            "date": timezone.localdate().isoformat(),
            "duration_minutes": "30",
            "note": "Crisisgesprek in de nacht",
        },
    )
    assert response.status_code == 302
    assert Activity.objects.get().performed_by == emergency


def test_the_api_logs_an_activity_and_shows_the_team_read_only_under_emergency_access(
    client, trajectory, emergency
):
    """The API has no care-team write: the team is read only there for everyone."""
    client.force_login(emergency)
    response = client.post(
        f"/api/v1/clients/{trajectory.client.pk}/activities/",
        {
            "domain": "care",
            "kind": "treatment_session",
            "date": timezone.localdate().isoformat(),
            "duration_minutes": 30,
            "note": "Crisisgesprek in de nacht",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert not CareTeamMembership.objects.filter(user=emergency).exists()


def test_after_the_emergency_nothing_is_left(client, trajectory, emergency):
    from apps.audit.models import BreakGlassAccess

    BreakGlassAccess.objects.filter(user=emergency).update(
        started_at=timezone.now() - datetime.timedelta(hours=13),
        expires_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert client_access_for(user=emergency, client=trajectory.client) is None
    assert not CareTeamMembership.objects.filter(user=emergency).exists()
