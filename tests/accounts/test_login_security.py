import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from .factories import TEST_PASSWORD, UserFactory


def _login(client, user, password=TEST_PASSWORD, ip="198.51.100.7"):
    return client.post(
        reverse("login"), {"username": user.username, "password": password}, REMOTE_ADDR=ip
    )


@pytest.mark.django_db
def test_five_failures_lock_out_that_username_from_that_address(client):
    user = UserFactory()
    for _ in range(4):
        assert _login(client, user, password="wrong").status_code == 200
    assert _login(client, user, password="wrong").status_code == 429  # the fifth failure locks
    locked = _login(client, user)
    assert locked.status_code == 429
    assert "15 minuten" in locked.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_lockout_does_not_lock_the_same_user_out_from_another_address(client):
    user = UserFactory()
    for _ in range(5):
        _login(client, user, password="wrong", ip="203.0.113.66")
    assert _login(client, user, ip="198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_a_lockout_does_not_lock_out_other_users_from_the_attackers_address(client):
    victim, colleague = UserFactory(), UserFactory()
    for _ in range(5):
        _login(client, victim, password="wrong")
    assert _login(client, colleague).status_code == 302


@pytest.mark.django_db
def test_the_lockout_ends_after_the_cool_off(client):
    user = UserFactory()
    for _ in range(5):
        _login(client, user, password="wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert _login(client, user).status_code == 302


@pytest.mark.django_db
def test_two_factor_enrolment_then_login_with_a_code(client, settings):
    settings.REQUIRE_2FA = True
    user = UserFactory()
    response = _login(client, user)
    assert response.status_code == 302
    # Before the second factor every page leads to the enrolment.
    assert client.get(reverse("home"))["Location"] == reverse("two_factor_setup")
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    assert "data:image/svg+xml;base64," in page.text
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post(
        reverse("two_factor_setup"), {"token": "000000" if totp(device.bin_key) != 0 else "111111"}
    )
    assert "niet juist" in wrong.text
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a wrong code
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(reverse("two_factor_setup"), {"token": code}).status_code == 302
    assert client.get(reverse("home")).status_code == 200

    client.post(reverse("logout"))
    _login(client, user)
    assert client.get(reverse("home"))["Location"] == reverse("two_factor_verify")
    device.refresh_from_db()
    device.last_t = -1  # allow the same time step again in this test
    device.save()
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(reverse("two_factor_verify"), {"token": code}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_without_required_2fa_the_login_goes_straight_in(client, settings):
    settings.REQUIRE_2FA = False
    user = UserFactory()
    _login(client, user)
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_an_idle_session_expires(client):
    user = UserFactory()
    _login(client, user)
    assert client.session.get_expiry_age() == 30 * 60
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_each_request_extends_the_idle_timeout(client):
    user = UserFactory()
    _login(client, user)
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=5))
    client.get(reverse("home"))
    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > datetime.timedelta(minutes=29)


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_passwords_need_at_least_12_characters():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("Kort-ww-1!")
    validate_password("een-lang-genoeg-wachtwoord")
