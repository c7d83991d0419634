import pytest
from django.urls import reverse

from apps.accounts.models import Role
from tests.accounts.factories import UserFactory


@pytest.mark.django_db
def test_the_admin_is_for_administrators_and_shows_no_client_records(client):
    administrator = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)
    client.force_login(administrator)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert reverse("admin:funding_funder_changelist") in index.text
    assert reverse("admin:accounts_user_changelist") in index.text
    assert reverse("admin:clients_client_changelist") not in index.text
    assert client.get(reverse("admin:clients_client_changelist")).status_code == 403
    assert client.get(reverse("admin:trajectories_activity_changelist")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.CASEWORKER, Role.MANAGER, Role.PRIVACY_OFFICER, Role.TEACHER]
)
def test_other_roles_are_sent_to_the_login_even_when_staff(client, role):
    client.force_login(UserFactory(roles=[role], is_staff=True))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_an_administrator_sees_and_edits_only_their_own_organisation(client):
    from tests.funding.factories import ContractFactory

    administrator = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)
    colleague = UserFactory(organisation=administrator.organisation, username="collega-x")
    stranger = UserFactory(username="vreemde-y")
    ContractFactory(organisation=administrator.organisation, reference="EIGEN-1")
    ContractFactory(organisation=stranger.organisation, reference="ANDER-1")
    client.force_login(administrator)
    users = client.get(reverse("admin:accounts_user_changelist")).text
    assert "collega-x" in users
    assert "vreemde-y" not in users
    assert client.get(reverse("admin:accounts_user_change", args=[stranger.pk])).status_code == 302
    contracts = client.get(reverse("admin:funding_contract_changelist")).text
    assert "EIGEN-1" in contracts
    assert "ANDER-1" not in contracts
    form = client.get(reverse("admin:accounts_user_change", args=[colleague.pk])).text
    assert 'name="is_superuser"' not in form
    assert 'name="user_permissions"' not in form


@pytest.mark.django_db
def test_giving_a_role_in_the_admin_is_logged_as_a_permission_change(client):
    from django.contrib.auth.models import Group

    from apps.audit.models import AccessLogEntry

    administrator = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)
    colleague = UserFactory(organisation=administrator.organisation)
    client.force_login(administrator)
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    response = client.post(
        url,
        {
            "username": colleague.username,
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.invalid",
            "is_active": "on",
            "groups": [Group.objects.get(name="teacher").pk],
            "organisation": administrator.organisation.pk,
            "date_joined_0": "2025-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert colleague.groups.filter(name="teacher").exists()
    entry = AccessLogEntry.objects.get(event="permission_change", user=administrator)
    assert entry.detail == f"roles of {colleague.username}: teacher"


@pytest.mark.django_db
def test_client_records_in_the_admin_are_scoped_to_the_organisation_too(client):
    """Should an administrator ever be given view rights on client records, the admin still
    shows only their own organisation's: clients, trajectories, memberships, goals, activities
    (it used to list every organisation's)."""
    from django.contrib.auth.models import Permission

    from tests.trajectories.factories import TrajectoryFactory

    own = TrajectoryFactory()
    foreign = TrajectoryFactory()
    administrator = UserFactory(
        roles=[Role.ADMINISTRATOR], is_staff=True, organisation=own.client.organisation
    )
    administrator.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_client",
                "view_trajectory",
                "view_careteammembership",
                "view_goal",
                "view_activity",
            ]
        )
    )
    client.force_login(administrator)
    for model, own_obj, foreign_obj in [
        ("clients_client", own.client, foreign.client),
        ("trajectories_trajectory", own, foreign),
        (
            "trajectories_careteammembership",
            own.memberships.first(),
            foreign.memberships.first(),
        ),
    ]:
        assert client.get(reverse(f"admin:{model}_change", args=[own_obj.pk])).status_code == 200
        refused = client.get(reverse(f"admin:{model}_change", args=[foreign_obj.pk]))
        assert refused.status_code == 302  # "does not exist": back to the admin index
        changelist = client.get(reverse(f"admin:{model}_changelist"))
        assert changelist.context["cl"].result_count == 1


@pytest.mark.django_db
def test_a_clients_organisation_is_not_changed_in_the_admin_even_by_a_superuser(client):
    """Its records and its funding alerts (FundingAlert.organisation) stay with the
    organisation that registered it: the field is shown, not offered, once the client exists."""
    from tests.accounts.factories import OrganisationFactory
    from tests.clients.factories import ClientFactory

    record = ClientFactory()
    original = record.organisation
    superuser = UserFactory(
        roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True, organisation=original
    )
    client.force_login(superuser)
    url = reverse("admin:clients_client_change", args=[record.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "organisation" not in page.context["adminform"].form.fields
    other = OrganisationFactory()
    data = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        if value is not None
    }
    client.post(url, {**data, "organisation": other.pk})
    record.refresh_from_db()
    assert record.organisation == original
