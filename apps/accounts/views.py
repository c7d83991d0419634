"""Two-factor authentication: enrol a TOTP authenticator, and verify a code after login; the
profile page with the personal API tokens."""

import base64
from datetime import timedelta
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import ApiTokenForm, TokenForm
from .models import ApiToken
from .redirects import safe_next_url
from .services import api_token_create, api_token_revoke


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show its QR code, confirm with a first code."""
    if any(True for _device in devices_for_user(request.user, confirmed=True)):
        return redirect("two_factor_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("home")
        form.add_error(
            "token", _("This code is not right. Check the time on your phone and try again.")
        )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr": _qr_data_uri(device.config_url), "secret": secret},
    )


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code of the user's authenticator after the password."""
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return HttpResponseRedirect(safe_next_url(request, default=reverse("home")))
        form.add_error(
            "token", _("This code is not right. Check the time on your phone and try again.")
        )
    return render(request, "accounts/two_factor_verify.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Django's login, following ``next`` only through safe_next_url (also the one it hands
    on to the form, and so to the second factor)."""

    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        return safe_next_url(self.request)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes answers to a login that is locked out (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


# --- the profile page: personal API tokens -----------------------------------------------

API_TOKEN_DEFAULT_DAYS = 90
# The new key waits in the session for the one page that shows it (post, redirect, get), so
# that reloading that page never creates a second token; reading it removes it.
NEW_KEY_SESSION = "api_token_new_key"


@never_cache  # the page that shows a new key must not be kept anywhere
@require_http_methods(["GET", "POST"])
def account_profile(request: HttpRequest) -> HttpResponse:
    """The user's profile: roles, and personal API tokens to create (shown once) and revoke."""
    form = ApiTokenForm(
        request.POST or None,
        initial={"expires_on": timezone.localdate() + timedelta(days=API_TOKEN_DEFAULT_DAYS)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_on=form.cleaned_data["expires_on"],
                actor=request.user,
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            request.session[NEW_KEY_SESSION] = new_key
            return redirect(reverse("account") + "#new-token")
    return render(
        request,
        "accounts/account_profile.html",
        {
            "form": form,
            "new_key": request.session.pop(NEW_KEY_SESSION, None)
            if request.method == "GET"
            else None,
            "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk"),
            "now": timezone.now(),
        },
    )


@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens; another's does not exist for them."""
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404
    try:
        api_token_revoke(token=token, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The token %(name)s is revoked: it no longer works.") % {"name": token.name}
        )
    return redirect("account")
