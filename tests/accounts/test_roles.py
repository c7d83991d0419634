"""Nobody changes their own roles (security probe, issue 14): an administrator who could make
himself a caseworker could open client records and break the glass."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.accounts.models import Role
from apps.accounts.services import user_roles_set
from apps.audit.models import AccessLogEntry

from .factories import UserFactory

# The services answer in the active language (Dutch, the default, in the tests); the admin
# pages here are requested in English.
OWN_ROLES_REFUSED_NL = "U kunt uw eigen rollen niet wijzigen. Vraag een andere beheerder."
OWN_ROLES_REFUSED = "You cannot change your own roles. Ask another administrator."


@pytest.fixture
def administrator(db):
    return UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)


def test_the_service_refuses_a_change_of_ones_own_roles(administrator):
    with pytest.raises(ValidationError) as refused:
        user_roles_set(
            user=administrator, roles=[Role.ADMINISTRATOR, Role.CASEWORKER], actor=administrator
        )
    assert refused.value.messages == [OWN_ROLES_REFUSED_NL]
    administrator.refresh_from_db()
    assert set(administrator.groups.values_list("name", flat=True)) == {"administrator"}
    assert not AccessLogEntry.objects.filter(event="permission_change").exists()


def test_the_service_lets_one_keep_ones_own_roles(administrator):
    user_roles_set(user=administrator, roles=[Role.ADMINISTRATOR], actor=administrator)
    assert not AccessLogEntry.objects.filter(event="permission_change").exists()


def test_the_service_gives_another_a_client_facing_role_and_logs_it(administrator):
    colleague = UserFactory(organisation=administrator.organisation, roles=[Role.TEACHER])
    colleague.groups.add(Group.objects.create(name="not-a-role"))
    user_roles_set(user=colleague, roles=[Role.CASEWORKER], actor=administrator)
    assert set(colleague.groups.values_list("name", flat=True)) == {"caseworker", "not-a-role"}
    assert colleague.roles == {"caseworker"}
    entry = AccessLogEntry.objects.get(event="permission_change", user=administrator)
    assert entry.detail == f"roles of {colleague.username}: caseworker"


def _form(user, **changes) -> dict:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "organisation": user.organisation_id,
        "date_joined_0": "2025-01-01",
        "date_joined_1": "10:00:00",
        "groups": [Group.objects.get(name=name).pk for name in user.roles],
        **changes,
    }


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_admin_refuses_an_administrator_a_role_of_his_own(admin_client, administrator):
    url = reverse("admin:accounts_user_change", args=[administrator.pk])
    roles = [Group.objects.get(name=name).pk for name in ("administrator", "caseworker")]
    response = admin_client.post(url, _form(administrator, groups=roles))
    assert response.status_code == 200
    assert OWN_ROLES_REFUSED in response.text
    assert set(administrator.groups.values_list("name", flat=True)) == {"administrator"}
    # And so the client records stay closed to him.
    assert admin_client.get(reverse("clients:break_glass_find")).status_code == 404


def test_the_admin_refuses_ones_own_roles_through_the_history_revert(admin_client, administrator):
    version = administrator.history.latest()
    url = reverse("admin:accounts_user_simple_history", args=[administrator.pk, version.pk])
    roles = [Group.objects.get(name=name).pk for name in ("administrator", "caseworker")]
    response = admin_client.post(url, _form(administrator, groups=roles))
    assert response.status_code == 200
    assert OWN_ROLES_REFUSED in response.text
    assert set(administrator.groups.values_list("name", flat=True)) == {"administrator"}


def test_an_administrator_may_still_edit_his_own_details(admin_client, administrator):
    url = reverse("admin:accounts_user_change", args=[administrator.pk])
    response = admin_client.post(url, _form(administrator, first_name="Bert"))
    assert response.status_code == 302, response.text[:2000]
    administrator.refresh_from_db()
    assert administrator.first_name == "Bert"
    assert set(administrator.groups.values_list("name", flat=True)) == {"administrator"}


def test_a_client_facing_role_given_to_another_in_the_admin_is_logged(admin_client, administrator):
    colleague = UserFactory(organisation=administrator.organisation)
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    caseworker = Group.objects.get(name="caseworker").pk
    response = admin_client.post(url, _form(colleague, groups=[caseworker]))
    assert response.status_code == 302, response.text[:2000]
    assert colleague.groups.filter(name="caseworker").exists()
    entry = AccessLogEntry.objects.get(event="permission_change", user=administrator)
    assert entry.detail == f"roles of {colleague.username}: caseworker"


def test_a_role_given_through_the_history_revert_is_logged(admin_client, administrator):
    colleague = UserFactory(organisation=administrator.organisation)
    version = colleague.history.latest()
    url = reverse("admin:accounts_user_simple_history", args=[colleague.pk, version.pk])
    caseworker = Group.objects.get(name="caseworker").pk
    response = admin_client.post(url, _form(colleague, groups=[caseworker]))
    assert response.status_code == 302, response.text[:2000]
    entry = AccessLogEntry.objects.get(event="permission_change", user=administrator)
    assert entry.detail == f"roles of {colleague.username}: caseworker"
