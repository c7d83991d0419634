"""Personal API tokens: created and revoked on the profile page, shown once, stored hashed,
with an expiry date; a token acts with exactly its user's roles and permissions."""

import datetime
import hashlib

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, Role
from apps.accounts.services import api_token_create, api_token_revoke
from apps.audit.models import AccessLogEntry
from tests.accounts.factories import UserFactory

ME = "/api/v1/me/"


def _today():
    return timezone.localdate()


def _bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def caseworker(db):
    return UserFactory(roles=[Role.CASEWORKER])


def test_a_token_is_created_on_the_profile_page_and_shown_only_once(client, caseworker):
    client.force_login(caseworker)
    response = client.post(
        reverse("account"),
        {"name": "Schoolsysteem", "expires_on": (_today() + datetime.timedelta(days=30))},
    )
    assert response.status_code == 302  # post, redirect, get: a reload creates nothing
    assert ApiToken.objects.filter(user=caseworker).count() == 1
    page = client.get(response["Location"])
    assert page["Cache-Control"].startswith("max-age=0")  # never_cache: not kept anywhere
    token = ApiToken.objects.get(user=caseworker)
    key = page.context["new_key"]
    assert key.startswith(f"cm_{token.prefix}_")
    assert key in page.text
    secret = key.split("_", 2)[2]
    # Only the hash of the secret is stored, nowhere the secret itself.
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(ApiToken.objects.values()))
    assert secret not in str(list(ApiToken.history.values()))
    assert key not in str(dict(client.session))  # shown once, then gone from the session
    assert token.expires_at == timezone.make_aware(
        datetime.datetime.combine(_today() + datetime.timedelta(days=31), datetime.time.min)
    )
    assert token.valid_until == _today() + datetime.timedelta(days=30)
    again = client.get(reverse("account"))
    assert key not in again.text
    assert "Schoolsysteem" in again.text
    assert f"cm_{token.prefix}_" in again.text  # the prefix identifies it in the list
    assert _bearer(key).get(ME).status_code == 200


def test_creating_and_revoking_a_token_is_in_the_access_log(caseworker):
    token, _key = api_token_create(
        user=caseworker,
        name="Planning",
        expires_on=_today() + datetime.timedelta(days=10),
        actor=caseworker,
    )
    api_token_revoke(token=token, actor=caseworker)
    entries = AccessLogEntry.objects.filter(user=caseworker, event="permission_change")
    assert [entry.detail for entry in entries.order_by("pk")] == [
        f"API token {token.prefix} created, valid until {_today() + datetime.timedelta(days=10)}",
        f"API token {token.prefix} revoked",
    ]
    assert {entry.object_type for entry in entries} == {"accounts.apitoken"}
    assert token.history.count() == 2


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [
        ("", 30, "name"),
        ("Dashboard", 0, "expires_on"),
        ("Dashboard", -3, "expires_on"),
        ("Dashboard", 366, "expires_on"),
    ],
)
def test_a_token_needs_a_name_and_an_expiry_within_a_year(client, caseworker, name, days, field):
    client.force_login(caseworker)
    response = client.post(
        reverse("account"),
        {"name": name, "expires_on": _today() + datetime.timedelta(days=days)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert response.context["new_key"] is None
    assert not ApiToken.objects.exists()


def test_a_year_is_the_longest_validity(caseworker):
    token, _key = api_token_create(
        user=caseworker,
        name="Lang",
        expires_on=_today() + datetime.timedelta(days=365),
        actor=caseworker,
    )
    assert token.is_active()


def test_at_most_ten_active_tokens(caseworker, settings):
    settings.API_TOKENS_PER_USER = 2
    for number in range(2):
        api_token_create(
            user=caseworker,
            name=f"t{number}",
            expires_on=_today() + datetime.timedelta(days=5),
            actor=caseworker,
        )
    with pytest.raises(ValidationError) as error:
        api_token_create(
            user=caseworker,
            name="t3",
            expires_on=_today() + datetime.timedelta(days=5),
            actor=caseworker,
        )
    assert "trek er eerst een in" in str(error.value)  # Dutch, the default language


def test_nobody_creates_or_revokes_a_token_for_someone_else(caseworker):
    other = UserFactory(organisation=caseworker.organisation, roles=[Role.ADMINISTRATOR])
    with pytest.raises(PermissionError):
        api_token_create(
            user=caseworker,
            name="x",
            expires_on=_today() + datetime.timedelta(days=5),
            actor=other,
        )
    token, _key = api_token_create(
        user=caseworker,
        name="x",
        expires_on=_today() + datetime.timedelta(days=5),
        actor=caseworker,
    )
    with pytest.raises(PermissionError):
        api_token_revoke(token=token, actor=other)


def test_a_revoked_token_stops_working_at_once(client, caseworker):
    token, key = api_token_create(
        user=caseworker,
        name="Dashboard",
        expires_on=_today() + datetime.timedelta(days=5),
        actor=caseworker,
    )
    assert _bearer(key).get(ME).status_code == 200
    client.force_login(caseworker)
    response = client.post(reverse("api_token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = _bearer(key).get(ME)
    assert refused.status_code == 401
    assert refused.json() == {"code": "token_revoked", "message": "The API token has been revoked."}
    assert AccessLogEntry.objects.filter(
        event="login_failed",
        username=caseworker.username,
        detail="API token refused: token_revoked",
    ).exists()
    # Revoking twice says so, and revoking another's token finds nothing.
    again = client.post(reverse("api_token_revoke", kwargs={"pk": token.pk}), follow=True)
    assert "already been revoked" in again.text or "al ingetrokken" in again.text
    other = UserFactory(organisation=caseworker.organisation, roles=[Role.CASEWORKER])
    others_token, _ = api_token_create(
        user=other, name="x", expires_on=_today() + datetime.timedelta(days=5), actor=other
    )
    assert (
        client.post(reverse("api_token_revoke", kwargs={"pk": others_token.pk})).status_code == 404
    )
    others_token.refresh_from_db()
    assert others_token.revoked_at is None


def test_an_expired_token_is_refused(caseworker):
    token, key = api_token_create(
        user=caseworker,
        name="Dashboard",
        expires_on=_today() + datetime.timedelta(days=1),
        actor=caseworker,
    )
    # As two days later (it is valid through tomorrow): move its life into the past.
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2),
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    response = _bearer(key).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cm_000000000000_not-a-real-secret",
        "Bearer nonsense",
        "Bearer",
        "Bearer two parts",
    ],
)
def test_a_wrong_or_malformed_token_is_refused(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] in ("token_invalid", "token_malformed")
    assert set(response.json()) == {"code", "message"}


def test_the_right_prefix_with_a_wrong_secret_is_refused(caseworker):
    token, _key = api_token_create(
        user=caseworker,
        name="x",
        expires_on=_today() + datetime.timedelta(days=5),
        actor=caseworker,
    )
    response = _bearer(f"cm_{token.prefix}_{'A' * 43}").get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_without_credentials_the_api_answers_401(db):
    response = APIClient().get(ME, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
    }


def test_a_token_acts_with_exactly_its_users_roles(caseworker):
    _token, key = api_token_create(
        user=caseworker,
        name="x",
        expires_on=_today() + datetime.timedelta(days=5),
        actor=caseworker,
    )
    api = _bearer(key)
    assert api.get(ME).json()["roles"] == ["caseworker"]
    assert api.get("/api/v1/reports/").status_code == 403
    # The role changes: the same token follows at once.
    caseworker.groups.set([Group.objects.get(name=Role.MANAGER)])
    assert api.get(ME).json()["roles"] == ["manager"]
    assert api.get("/api/v1/reports/").status_code == 200
    # A deactivated user's tokens stop working.
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])
    assert api.get(ME).status_code == 401


def test_me_names_the_token_in_use(caseworker):
    token, key = api_token_create(
        user=caseworker,
        name="Roosterprogramma",
        expires_on=_today() + datetime.timedelta(days=5),
        actor=caseworker,
    )
    body = _bearer(key).get(ME).json()
    assert body["username"] == caseworker.username
    assert body["token"]["name"] == "Roosterprogramma"
    assert body["token"]["prefix"] == token.prefix
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_session_works_for_reads_and_needs_csrf_for_writes(caseworker):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(caseworker)
    assert client.get(ME).status_code == 200
    response = client.post("/api/v1/clients/1/goals/", {}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]


def test_a_session_without_the_second_factor_is_not_enough(caseworker, settings):
    settings.REQUIRE_2FA = True
    client = APIClient()
    client.force_login(caseworker)
    response = client.get(ME, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401  # not a redirect to the 2FA page
    assert response.json()["code"] == "not_authenticated"
    # A token was made after passing the second factor; it needs no session.
    _token, key = api_token_create(
        user=caseworker,
        name="x",
        expires_on=_today() + datetime.timedelta(days=5),
        actor=caseworker,
    )
    assert _bearer(key).get(ME).status_code == 200


def test_the_profile_page_needs_login(client):
    response = client.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
