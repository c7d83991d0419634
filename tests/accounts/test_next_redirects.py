"""Every view that follows ``next`` stays on this site (security probe, issue 14).

Ours read it through apps.accounts.redirects.safe_next_url (the login and the second factor);
Django's language switch and admin login check it themselves and are held to the same here.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import Role

from .factories import TEST_PASSWORD, UserFactory

OFF_SITE = [
    "https://evil.example/phish",
    "//evil.example/x",
    "/\\evil.example/x",
    "https:///evil.example/x",
    "javascript:alert(1)",
]
# Not a URL of this site either; redirect() would try to reverse it as a view name (a 500).
NOT_A_PATH = ["no-such-view-name", "home", "clients/"]


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def half_logged_in(client, settings, db):
    """A user past the password, before the second factor, with a confirmed authenticator."""
    settings.REQUIRE_2FA = True
    user = UserFactory(roles=[Role.CASEWORKER])
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    return client, device


@pytest.mark.parametrize("target", OFF_SITE + NOT_A_PATH)
def test_the_second_factor_does_not_follow_a_next_off_this_site(half_logged_in, target):
    client, device = half_logged_in
    response = client.post(
        reverse("two_factor_verify") + "?" + _query(target), {"token": _code(device)}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("target", OFF_SITE + NOT_A_PATH)
def test_the_second_factor_ignores_an_unsafe_next_in_the_form_as_well(half_logged_in, target):
    client, device = half_logged_in
    response = client.post(reverse("two_factor_verify"), {"token": _code(device), "next": target})
    assert response["Location"] == reverse("home")


def test_the_second_factor_follows_a_next_on_this_site(half_logged_in):
    client, device = half_logged_in
    target = reverse("clients:list") + "?page=2"
    response = client.post(
        reverse("two_factor_verify") + "?" + _query(target), {"token": _code(device)}
    )
    assert response["Location"] == target


def test_the_second_factor_page_with_an_unknown_view_name_answers_cleanly(half_logged_in):
    client, _device = half_logged_in
    assert client.get(reverse("two_factor_verify") + "?next=no-such-view-name").status_code == 200


@pytest.mark.django_db
def test_the_login_cannot_chain_an_off_site_next_through_the_second_factor(client, settings):
    """The probe's path: the login follows a local next to the 2FA step, which carries its own
    next off-site."""
    settings.REQUIRE_2FA = True
    user = UserFactory(roles=[Role.MANAGER])
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    chained = reverse("two_factor_verify") + "?" + _query("https://evil.example/phish")
    login = client.post(
        reverse("login") + "?" + _query(chained),
        {"username": user.username, "password": TEST_PASSWORD},
    )
    assert login.status_code == 302
    step = client.post(login["Location"], {"token": _code(device)})
    assert step.status_code == 302
    assert "evil.example" not in step["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE + NOT_A_PATH)
def test_the_login_neither_follows_nor_hands_on_an_unsafe_next(client, settings, target):
    settings.REQUIRE_2FA = False
    user = UserFactory()
    page = client.get(reverse("login") + "?" + _query(target))
    assert page.context["next"] == ""
    response = client.post(
        reverse("login"), {"username": user.username, "password": TEST_PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_stays_on_this_site(client, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert not response["Location"].startswith("javascript:")


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE)
def test_the_admin_login_stays_on_this_site(client, settings, target):
    settings.REQUIRE_2FA = False
    administrator = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)
    response = client.post(
        reverse("admin:login") + "?" + _query(target),
        {"username": administrator.username, "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert not response["Location"].startswith("javascript:")


# request.GET.get("next"), request.POST["next"], request.GET.get('next', ...), ...
_NEXT_READ = re.compile(r"""\b(GET|POST|REQUEST)\s*(\.get\(|\[)\s*["']next["']""")


def test_our_code_reads_next_only_through_safe_next_url():
    root = Path(django_settings.BASE_DIR)
    readers = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("apps", "casemanager")
        for path in sorted((root / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if _NEXT_READ.search(line)
    ]
    assert readers == [], "read next with apps.accounts.redirects.safe_next_url"


def _query(target: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": target})
