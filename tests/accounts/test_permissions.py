"""The roles' named permissions, declared once (apps/accounts/permissions.py), and asked by the
web pages, the API, the admin and the navigation alike."""

import datetime

import pytest
from django.urls import reverse

from apps.accounts import permissions as p
from apps.accounts.models import Role
from tests.accounts.factories import OrganisationFactory, UserFactory

# Which role holds which permission: the table of DESIGN.md's "Who uses it", written out.
EXPECTED = {
    Role.CASEWORKER: {
        p.VIEW_MY_CLIENTS,
        p.BREAK_THE_GLASS,
        p.CORRECT_ACTIVITY,
        p.VIEW_ALERTS,
        p.LINK_WAITING_ALLOCATION,
        p.REGISTER_CLIENT,
    },
    Role.TEACHER: {p.VIEW_MY_CLIENTS},
    Role.JOB_COACH: {p.VIEW_MY_CLIENTS},
    Role.MANAGER: {
        p.VIEW_ALERTS,
        p.VIEW_ORGANISATION_ALERTS,
        p.VIEW_FUNDING_OVERVIEW,
        p.VIEW_ALLOCATIONS,
        p.REGISTER_ALLOCATION,
        p.CHANGE_ALLOCATION,
        p.VIEW_MOSAIC,
        p.ENROL_IN_PILOT,
        p.VIEW_FUNDERS,
        p.VIEW_CONTRACTS,
        p.VIEW_REPORTS,
        p.REQUEST_REPORT,
        p.DOWNLOAD_REPORT,
        p.VIEW_MESSAGES,
        p.IMPORT_MESSAGES,
        p.SEND_MESSAGES,
        p.SEARCH_CLIENTS,
    },
    Role.PRIVACY_OFFICER: {p.VIEW_PRIVACY_PAGES, p.REVIEW_BREAK_THE_GLASS},
    Role.ADMINISTRATOR: {p.VIEW_FUNDERS, p.VIEW_CONTRACTS},
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_holds_exactly_its_permissions(db, role):
    user = UserFactory(organisation=OrganisationFactory(), roles=[role])
    assert {name for name in p.PERMISSIONS if p.may(user, name)} == EXPECTED[role]


def test_the_administrator_with_staff_status_uses_the_admin(db):
    admin = UserFactory(organisation=None, roles=[Role.ADMINISTRATOR], is_staff=True)
    assert p.may(admin, p.USE_ADMIN)
    staff = UserFactory(organisation=OrganisationFactory(), roles=[Role.MANAGER], is_staff=True)
    assert not p.may(staff, p.USE_ADMIN)


def test_no_role_permission_without_an_organisation_or_when_inactive(db):
    homeless = UserFactory(organisation=None, roles=list(Role))
    inactive = UserFactory(organisation=OrganisationFactory(), roles=list(Role), is_active=False)
    for user in (homeless, inactive):
        assert not [name for name in p.PERMISSIONS if name != p.USE_ADMIN and p.may(user, name)]


def test_a_superuser_holds_no_roles_permission_by_being_one(db):
    superuser = UserFactory(organisation=OrganisationFactory(), is_superuser=True, is_staff=True)
    assert [name for name in p.PERMISSIONS if p.may(superuser, name)] == [p.USE_ADMIN]


def test_an_unknown_permission_is_an_error_not_a_no(db):
    with pytest.raises(KeyError):
        p.may(UserFactory(), "control.view_everything")


def test_the_rules_backend_answers_the_same_through_has_perm(db):
    manager = UserFactory(organisation=OrganisationFactory(), roles=[Role.MANAGER])
    teacher = UserFactory(organisation=manager.organisation, roles=[Role.TEACHER])
    assert manager.has_perm(p.VIEW_FUNDING_OVERVIEW)
    assert not teacher.has_perm(p.VIEW_FUNDING_OVERVIEW)


NAVIGATION = {
    "clients:list": p.VIEW_MY_CLIENTS,
    "funding:alerts": p.VIEW_ALERTS,
    "funding:overview": p.VIEW_FUNDING_OVERVIEW,
    "reports:list": p.VIEW_REPORTS,
    "audit:home": p.VIEW_PRIVACY_PAGES,
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_the_navigation_shows_what_the_role_may_open(client, db, role):
    user = UserFactory(organisation=OrganisationFactory(), roles=[role])
    client.force_login(user)
    text = client.get(reverse("account")).text
    for name, permission in NAVIGATION.items():
        assert (f'href="{reverse(name)}"' in text) == (permission in EXPECTED[role]), name


# --- the same decision on the web and in the API --------------------------------------------


def test_a_model_permission_alone_does_not_register_an_allocation_on_the_web_or_the_api(client, db):
    """The API used to ask the model permission funding.add_allocation where the page asked
    the manager's role; both now ask REGISTER_ALLOCATION."""
    from django.contrib.auth.models import Permission

    from apps.audit.models import AccessLogEntry
    from tests.funding.builders import product, trajectory_of

    organisation = OrganisationFactory()
    caseworker = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    caseworker.user_permissions.add(
        Permission.objects.get(content_type__app_label="funding", codename="add_allocation")
    )
    trajectory = trajectory_of(organisation, caseworker)
    offered = product(organisation)
    client.force_login(caseworker)
    assert client.get(reverse("funding:allocation_new")).status_code == 404
    response = client.post(
        "/api/v1/allocations/",
        {
            "client": trajectory.client.pk,
            "product": offered.pk,
            "number": "TW-NIET",
            "volume": 600,
            "frequency": "6",
            "start": datetime.date(2025, 1, 1).isoformat(),
            "end": datetime.date(2025, 12, 31).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not trajectory.client.allocations.exists()
    assert AccessLogEntry.objects.filter(user=caseworker).latest("pk").outcome == "refused"
