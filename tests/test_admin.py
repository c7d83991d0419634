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
