"""The permission matrix, continued: the admin's history pages and the second factor.

Beside tests/test_permission_matrix.py and with its roles: every history URL of the admin
(history list, history detail, revert) with every role, against an object of the user's own
organisation and one of another; and the 2FA step with every role. An admin history URL
missing from the table fails the test.
"""

import pytest
from django.contrib import admin
from django.urls import get_resolver, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import Role
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.test_admin_history import _has_history, _history_urls, _objects
from tests.test_permission_matrix import ALLOWED, REFUSED, ROLES

KINDS = ("history", "history_detail", "revert")


def cells(*, own: tuple[str, ...], foreign: tuple[str, ...]) -> dict:
    """What the administrator gets per kind of page, on their own and on another's object."""
    return {
        "own": dict(zip(KINDS, own, strict=True)),
        "foreign": dict(zip(KINDS, foreign, strict=True)),
    }


NOTHING = cells(own=(REFUSED,) * 3, foreign=(REFUSED,) * 3)
ORGANISATION_DATA = cells(own=(ALLOWED,) * 3, foreign=(REFUSED,) * 3)
# Shared by all organisations: "own" and "foreign" are two alike objects.
SHARED_CHANGEABLE = cells(own=(ALLOWED,) * 3, foreign=(ALLOWED,) * 3)
SHARED_VIEW_ONLY = cells(own=(ALLOWED, ALLOWED, REFUSED), foreign=(ALLOWED, ALLOWED, REFUSED))

# The administrator's row per model; every other role is refused every admin page.
ADMINISTRATOR = {
    "accounts.Organisation": cells(own=(ALLOWED, ALLOWED, REFUSED), foreign=(REFUSED,) * 3),
    "accounts.User": ORGANISATION_DATA,
    "funding.Contract": ORGANISATION_DATA,
    "funding.Product": ORGANISATION_DATA,
    "pools.PoolFunder": ORGANISATION_DATA,
    "zvw.PractitionerProfile": ORGANISATION_DATA,
    "zvw.InsurerContract": ORGANISATION_DATA,
    "zvw.MaxTariff": SHARED_CHANGEABLE,  # the NZa's maximum tariffs, the same for everyone
    "funding.Funder": SHARED_CHANGEABLE,
    "funding.FundingStream": SHARED_VIEW_ONLY,
    "auth.Group": SHARED_VIEW_ONLY,  # no history of its own: the list only
    # Client records, login records and authenticators: not the administrator's at all.
    "funding.Allocation": NOTHING,
    "clients.Client": NOTHING,
    "clients.Municipality": NOTHING,
    "trajectories.Trajectory": NOTHING,
    "trajectories.CareTeamMembership": NOTHING,
    "trajectories.Goal": NOTHING,
    "trajectories.Activity": NOTHING,
    "otp_totp.TOTPDevice": NOTHING,
    "axes.AccessAttempt": NOTHING,
    "axes.AccessLog": NOTHING,
    "axes.AccessFailureLog": NOTHING,
}


def _admin_history_url_names() -> set[str]:
    _prefix, sub = get_resolver().namespace_dict["admin"]
    names = set()
    for pattern in sub.url_patterns:
        for inner in getattr(pattern, "url_patterns", [pattern]):
            if inner.name and inner.name.endswith(("_history", "_simple_history")):
                names.add(f"admin:{inner.name}")
    return names


def _table_url_names() -> set[str]:
    names = set()
    for model in admin.site._registry:
        if model._meta.label in ADMINISTRATOR:
            info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
            names.add(f"{info}_history")
            if _has_history(model):
                names.add(f"{info}_simple_history")
    return names


def test_every_admin_history_url_is_in_the_table():
    assert _admin_history_url_names() == _table_url_names()


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(ADMINISTRATOR))
@pytest.mark.parametrize("role", ROLES)
def test_admin_history_matrix(client, settings, label, role):
    settings.REQUIRE_2FA = False
    user = UserFactory(roles=[Role(role)], is_staff=True, username=f"matrix-{role}")
    builder, _belongs = _objects()[label]
    objects = {
        "own": builder(user.organisation),
        "foreign": builder(OrganisationFactory(name="Andere zorgaanbieder")),
    }
    client.force_login(user)
    for target, obj in objects.items():
        urls = _history_urls(obj)
        if "history_detail" in urls:
            urls["revert"] = urls["history_detail"]
        versions = obj.history.count() if _has_history(type(obj)) else None
        for kind, url in urls.items():
            expected = ADMINISTRATOR[label][target][kind] if role == "administrator" else REFUSED
            response = client.post(url, {}) if kind == "revert" else client.get(url)
            where = f"{kind} of {label} ({target}) as {role}: {response.status_code}"
            if expected == ALLOWED:
                # 200: the page, or for a revert the form back with its errors (an empty POST).
                assert response.status_code == 200, where
            else:
                # 302: "does not exist" (to the admin's index) or not an admin (to its login).
                assert response.status_code in (302, 403), where
                if response.status_code == 302:
                    assert response["Location"].startswith(
                        (reverse("admin:index"), reverse("admin:login"))
                    ), where
                assert getattr(obj, "username", "§") not in response.text, where
        if versions is not None:
            assert obj.history.count() == versions, f"{label} ({target}) changed as {role}"


# --- the second factor, with every role ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_second_factor_with_every_role(client, settings, role):
    """Before the code every page leads to the 2FA step; the step answers cleanly to any
    next and follows only one on this site."""
    settings.REQUIRE_2FA = True
    user = UserFactory(roles=[Role(role)], is_staff=role == "administrator")
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    verify = reverse("two_factor_verify")
    for page in (reverse("home"), reverse("clients:list"), reverse("account")):
        assert client.get(page)["Location"] == verify, page
    assert client.get(verify + "?next=no-such-view-name").status_code == 200
    assert client.get(verify + "?next=https://evil.example/phish").status_code == 200
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post(verify + "?next=https://evil.example/phish", {"token": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
