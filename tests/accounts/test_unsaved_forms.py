"""The idle timeout without losing work: a form posted after the session ended comes back to the
same user after signing in again; the keep-alive behind the warning."""

import datetime
from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import Role, UnsavedForm
from apps.accounts.unsaved_forms import COOKIE_NAME, browser_keys, unsaved_forms_for
from apps.trajectories.models import Activity
from tests.trajectories.factories import TrajectoryFactory

from .factories import TEST_PASSWORD, UserFactory

NOTE = "Sessie over vertrouwen: ze durfde voor het eerst alleen met de bus"

pytestmark = pytest.mark.django_db


@pytest.fixture
def trajectory():
    return TrajectoryFactory(start=datetime.date(2025, 1, 1))


def _login(client, user):
    return client.post(
        reverse("login"), {"username": user.username, "password": TEST_PASSWORD}, follow=True
    )


def _session_ends():
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))


def _post_note(client, trajectory, htmx=False, **extra):
    return client.post(
        reverse("clients:activity_new", kwargs={"pk": trajectory.client.pk}),
        {
            "domain": "care",
            "kind": "treatment_session",
            "date": timezone.localdate().isoformat(),
            "duration_minutes": "45",
            "note": NOTE,
            **extra,
        },
        **({"HTTP_HX_REQUEST": "true"} if htmx else {}),
    )


def _kept_forms(client, user):
    """The user's kept forms, read with the keys in the client's cookie."""
    browser = SimpleNamespace(COOKIES={COOKIE_NAME: client.cookies[COOKIE_NAME].value})
    return unsaved_forms_for(user=user, keys=browser_keys(browser))


def _post_after_timeout(client, trajectory, **extra):
    caseworker = trajectory.lead_caseworker
    _login(client, caseworker)
    _session_ends()
    response = _post_note(client, trajectory, **extra)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    return caseworker


def test_a_note_saved_after_the_idle_timeout_comes_back_after_signing_in_again(client, trajectory):
    caseworker = _post_after_timeout(client, trajectory)
    assert not Activity.objects.exists()
    login_page = client.get(reverse("login"))
    assert "nog niet opgeslagen" in login_page.text  # the message on the login page

    page = _login(client, caseworker)
    assert page.redirect_chain[-1][0] == reverse("unsaved_forms")
    assert "Wat u typte is nog niet opgeslagen" in page.text
    assert NOTE in page.text
    assert "no-store" in page["Cache-Control"]
    unsaved = UnsavedForm.objects.get(user=caseworker)

    form = page.context["unsaved_forms"][0]
    saved = client.post(reverse("unsaved_form_save", kwargs={"pk": unsaved.pk}), dict(form.fields))
    assert saved.status_code == 307  # the browser posts the same body to the original page
    assert saved["Location"] == reverse("clients:activity_new", kwargs={"pk": trajectory.client.pk})
    assert saved.cookies[COOKIE_NAME].value == ""  # nothing left to restore in this browser
    client.post(saved["Location"], dict(form.fields))
    assert Activity.objects.get().note == NOTE
    assert not UnsavedForm.objects.exists()  # deleted once used


def test_the_save_button_posts_to_the_original_page_through_the_redirect(client, trajectory):
    caseworker = _post_after_timeout(client, trajectory)
    _login(client, caseworker)
    unsaved = UnsavedForm.objects.get()
    form = _kept_forms(client, caseworker)[0]
    response = client.post(
        reverse("unsaved_form_save", kwargs={"pk": unsaved.pk}), dict(form.fields), follow=True
    )
    assert Activity.objects.get().note == NOTE
    assert response.status_code == 200


def test_the_kept_fields_are_encrypted_with_a_key_only_the_browser_holds(client, trajectory):
    _post_after_timeout(client, trajectory)
    unsaved = UnsavedForm.objects.get()
    assert "vertrouwen" not in unsaved.ciphertext
    assert unsaved.path == reverse("clients:activity_new", kwargs={"pk": trajectory.client.pk})
    assert unsaved.expires_at - unsaved.created_at == datetime.timedelta(minutes=15)
    cookie = client.cookies[COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 15 * 60


def test_a_password_a_token_and_the_csrf_token_are_never_kept(client, trajectory):
    caseworker = _post_after_timeout(
        client, trajectory, password="geheim-wachtwoord", token="123456"
    )
    form = _kept_forms(client, caseworker)[0]
    names = {name for name, _value in form.fields}
    assert names == {"domain", "kind", "date", "duration_minutes", "note"}


def test_another_user_signing_in_on_that_browser_never_sees_it(client, trajectory):
    caseworker = _post_after_timeout(client, trajectory)
    unsaved = UnsavedForm.objects.get()
    colleague = UserFactory(organisation=trajectory.client.organisation, roles=[Role.CASEWORKER])
    page = _login(client, colleague)
    assert page.redirect_chain[-1][0] != reverse("unsaved_forms")
    assert NOTE not in page.text
    assert client.get(reverse("unsaved_forms"))["Location"] == reverse("home")
    for name in ("unsaved_form_save", "unsaved_form_discard"):
        assert client.post(reverse(name, kwargs={"pk": unsaved.pk})).status_code == 404
    assert UnsavedForm.objects.filter(pk=unsaved.pk).exists()

    # Someone of another organisation: the same.
    stranger = UserFactory(roles=[Role.CASEWORKER])
    client.post(reverse("logout"))
    page = _login(client, stranger)
    assert NOTE not in page.text
    assert client.get(reverse("unsaved_forms"))["Location"] == reverse("home")

    # The user it belongs to, back on that browser within the quarter of an hour, gets it.
    client.post(reverse("logout"))
    page = _login(client, caseworker)
    assert page.redirect_chain[-1][0] == reverse("unsaved_forms")
    assert NOTE in page.text


def test_the_kept_form_is_not_readable_without_the_browsers_key(client, trajectory):
    caseworker = _post_after_timeout(client, trajectory)
    client.cookies.pop(COOKIE_NAME)
    page = _login(client, caseworker)
    assert page.redirect_chain[-1][0] == reverse("home")
    assert client.get(reverse("unsaved_forms"))["Location"] == reverse("home")


def test_the_kept_form_expires_after_a_quarter_of_an_hour(client, trajectory):
    caseworker = _post_after_timeout(client, trajectory)
    later = timezone.now() + datetime.timedelta(minutes=16)
    with mock.patch("apps.accounts.models.timezone.now", return_value=later):
        page = _login(client, caseworker)
        assert page.redirect_chain[-1][0] == reverse("home")
        assert NOTE not in page.text
        assert client.get(reverse("unsaved_forms"))["Location"] == reverse("home")
        # The next form kept by anyone removes the expired rows.
        client.post(reverse("logout"))
        _post_after_timeout(client, TrajectoryFactory(start=datetime.date(2025, 1, 1)))
    assert UnsavedForm.objects.count() == 1
    assert UnsavedForm.objects.get().user != caseworker


def test_discarding_deletes_it(client, trajectory):
    caseworker = _post_after_timeout(client, trajectory)
    _login(client, caseworker)
    unsaved = UnsavedForm.objects.get()
    response = client.post(reverse("unsaved_form_discard", kwargs={"pk": unsaved.pk}))
    assert response["Location"] == reverse("home")
    assert not UnsavedForm.objects.exists()
    assert not Activity.objects.exists()


def test_it_is_offered_once_per_sign_in_not_on_every_page(client, trajectory):
    caseworker = _post_after_timeout(client, trajectory)
    _login(client, caseworker)
    assert client.get(reverse("home")).status_code == 200
    assert UnsavedForm.objects.exists()  # still there, on its own page, until it expires


def test_nothing_is_kept_when_no_signed_in_user_can_be_identified(client, trajectory):
    # Never signed in: no session at all.
    response = _post_note(client, trajectory)
    assert response["Location"].startswith(reverse("login"))
    # Signed out: the session is gone.
    _login(client, trajectory.lead_caseworker)
    client.post(reverse("logout"))
    _post_note(client, trajectory)
    # The password changed since: the session no longer counts.
    _login(client, trajectory.lead_caseworker)
    _session_ends()
    trajectory.lead_caseworker.set_password("een-heel-ander-wachtwoord")
    trajectory.lead_caseworker.save()
    _post_note(client, trajectory)
    assert not UnsavedForm.objects.exists()
    assert COOKIE_NAME not in client.cookies


def test_a_session_that_ended_more_than_a_day_ago_keeps_nothing(client, trajectory):
    _login(client, trajectory.lead_caseworker)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(hours=25))
    _post_note(client, trajectory)
    assert not UnsavedForm.objects.exists()


def test_an_htmx_preview_after_the_timeout_is_not_kept(client, trajectory):
    _login(client, trajectory.lead_caseworker)
    _session_ends()
    _post_note(client, trajectory, htmx=True)
    assert not UnsavedForm.objects.exists()


def test_with_two_factor_only_a_verified_session_is_kept_and_offered_after_the_code(
    client, trajectory, settings
):
    settings.REQUIRE_2FA = True
    caseworker = trajectory.lead_caseworker
    device = TOTPDevice.objects.create(user=caseworker, name="app", confirmed=True)

    def code():
        device.refresh_from_db()
        device.last_t = -1  # allow the same time step again in this test
        device.save()
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"

    # Password given but not the code: that session does not count.
    _login(client, caseworker)
    _session_ends()
    _post_note(client, trajectory)
    assert not UnsavedForm.objects.exists()

    _login(client, caseworker)
    client.post(reverse("two_factor_verify"), {"token": code()})
    _session_ends()
    _post_note(client, trajectory)
    assert UnsavedForm.objects.exists()

    page = _login(client, caseworker)
    assert page.redirect_chain[-1][0] == reverse("two_factor_verify")  # not before the code
    assert NOTE not in page.text
    response = client.post(reverse("two_factor_verify"), {"token": code()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("unsaved_forms")
    assert NOTE in response.text


# --- the keep-alive ----------------------------------------------------------------------------


def test_the_keepalive_restarts_the_idle_timeout(client):
    user = UserFactory(roles=[Role.TEACHER])
    _login(client, user)
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=1))
    response = client.post(reverse("session_keepalive"))
    assert response.status_code == 204
    assert response.content == b""
    assert "no-store" in response["Cache-Control"]
    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > datetime.timedelta(minutes=29)


def test_the_keepalive_refuses_anyone_signed_out_and_an_ended_session(client):
    response = client.post(reverse("session_keepalive"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Session.objects.exists()

    _login(client, UserFactory(roles=[Role.MANAGER]))
    _session_ends()
    assert client.post(reverse("session_keepalive")).status_code == 302
    assert Session.objects.get().expire_date < timezone.now()  # not revived
    assert not UnsavedForm.objects.exists()


def test_the_keepalive_is_a_post(client):
    client.force_login(UserFactory(roles=[Role.CASEWORKER]))
    assert client.get(reverse("session_keepalive")).status_code == 405


def test_pages_tell_the_warning_script_the_idle_timeout(client, settings):
    settings.SESSION_COOKIE_AGE = 600
    settings.SESSION_WARNING_SECONDS = 90
    login_page = client.get(reverse("login"))
    assert "data-session-age" not in login_page.text
    assert "session-timeout.js" not in login_page.text
    client.force_login(UserFactory(roles=[Role.CASEWORKER]))
    page = client.get(reverse("home"))
    assert 'data-session-age="600"' in page.text
    assert 'data-session-warning="90"' in page.text
    assert f'data-keepalive-url="{reverse("session_keepalive")}"' in page.text
    assert "Blijf ingelogd" in page.text


def test_a_user_cannot_pile_up_kept_forms(client, trajectory, settings):
    caseworker = trajectory.lead_caseworker
    _login(client, caseworker)
    _session_ends()
    expired_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    for _ in range(25):  # the answer deletes the cookie: a script would send it again
        client.cookies[settings.SESSION_COOKIE_NAME] = expired_key
        _post_note(client, trajectory)
    assert UnsavedForm.objects.filter(user=caseworker).count() == 20


def test_a_preview_after_the_timeout_does_not_lose_the_note_saved_after_it(client, trajectory):
    """Typing on after the timeout sends previews (htmx) before Save: the answer to a preview
    must not make the browser forget whose session ended, or the note is lost after all."""
    caseworker = trajectory.lead_caseworker
    _login(client, caseworker)
    _session_ends()
    _post_note(client, trajectory, htmx=True)  # the preview while typing
    response = _post_note(client, trajectory)  # then Save
    assert response["Location"].startswith(reverse("login"))
    assert UnsavedForm.objects.filter(user=caseworker).count() == 1
