"""The idle timeout without losing work: a keep-alive for the warning before the session ends
(static/js/session-timeout.js), and a form posted after it ended kept until its user signs in
again (apps/accounts/unsaved_forms.py), then offered back to save or discard."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .middleware import API_PREFIX
from .unsaved_forms import (
    COOKIE_NAME,
    UnsavedFormContent,
    browser_keys,
    browser_keys_store,
    expired_session_user,
    unsaved_form_discard,
    unsaved_form_keep,
    unsaved_forms_exist,
    unsaved_forms_for,
)

# Set in the session once the user has been brought to their unsaved forms, so that it happens
# once after signing in, not on every page.
SHOWN_SESSION_KEY = "unsaved_forms_shown"


class SessionMiddlewareKeepingEndedSessions(SessionMiddleware):
    """Django's session middleware, except that it does not make the browser forget a session
    that ended by the idle timeout while its row still says whose it was.

    Django deletes the cookie of an empty (so also of an expired) session on every answer. A
    preview sent while the user types on after the timeout would then make the browser drop
    it, and the note saved right after could no longer be kept for its user. A session ended by
    signing out is deleted from the database, so its cookie still goes.
    """

    def process_response(self, request, response):
        response = super().process_response(request, response)
        name = settings.SESSION_COOKIE_NAME
        morsel = response.cookies.get(name)
        if (
            morsel is not None
            and not morsel.value
            and name in request.COOKIES
            and expired_session_user(request) is not None
        ):
            del response.cookies[name]
        return response


class LoginRequiredKeepingFormsMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, but a form posted after the session ended is kept.

    Only a plain form post (not htmx, which posts to preview; not the API) of a user whose
    expired session is still known; the redirect to the login page is the same as before.
    """

    def handle_no_permission(self, request, view_func):
        response = super().handle_no_permission(request, view_func)
        if (
            request.method == "POST"
            and not request.headers.get("HX-Request")
            and not request.path_info.startswith(API_PREFIX)
        ):
            user = expired_session_user(request)
            if user is not None:
                unsaved, key = unsaved_form_keep(request=request, user=user)
                if unsaved is not None:
                    browser_keys_store(response, {**browser_keys(request), unsaved.pk: key})
                    messages.warning(
                        request,
                        _(
                            "Your session had ended, so this was not saved yet. Sign in again "
                            "and you get back what you typed."
                        ),
                    )
        return response


class UnsavedFormsMiddleware:
    """Once after signing in, bring the user to the forms they posted after their session ended.

    Placed after the two-factor middleware: only a fully signed-in user gets there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "GET"
            and COOKIE_NAME in request.COOKIES
            and request.user.is_authenticated
            and (not settings.REQUIRE_2FA or request.user.is_verified())
            and not request.headers.get("HX-Request")
            and not request.path_info.startswith(API_PREFIX)
            and not request.session.get(SHOWN_SESSION_KEY)
        ):
            request.session[SHOWN_SESSION_KEY] = True
            if unsaved_forms_exist(user=request.user, keys=browser_keys(request)):
                return redirect("unsaved_forms")
        return self.get_response(request)


@never_cache
@require_POST
def session_keepalive(request: HttpRequest) -> HttpResponse:
    """Stay signed in: touch the session (its idle timeout starts again); nothing else."""
    request.session.modified = True
    return HttpResponse(status=204)


@never_cache  # the page shows client data: not kept by the browser or a proxy
@require_GET
def unsaved_forms(request: HttpRequest) -> HttpResponse:
    """What the user typed before their session ended, to save or discard."""
    forms = unsaved_forms_for(user=request.user, keys=browser_keys(request))
    if not forms:
        return redirect("home")
    return render(request, "accounts/unsaved_forms.html", {"unsaved_forms": forms})


def _held_by_this_browser(
    request: HttpRequest, pk: int
) -> tuple[UnsavedFormContent, dict[int, bytes]]:
    """The user's unsaved form whose key this browser holds, and the browser's other keys; 404
    for anyone else's (it does not exist for them)."""
    keys = browser_keys(request)
    for form in unsaved_forms_for(user=request.user, keys=keys):
        if form.pk == pk:
            return form, {key_pk: key for key_pk, key in keys.items() if key_pk != pk}
    raise Http404


@never_cache
@require_POST
def unsaved_form_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Post the kept fields again to the page they came from (a 307 keeps method and body).

    The body is the form on the unsaved-forms page: the kept fields and a fresh CSRF token.
    """
    form, remaining = _held_by_this_browser(request, pk)
    unsaved_form_discard(user=request.user, pk=pk)
    response = HttpResponseRedirect(form.path, status=307)
    browser_keys_store(response, remaining)
    return response


@never_cache
@require_POST
def unsaved_form_discard_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Throw away what the user typed before their session ended."""
    _form, remaining = _held_by_this_browser(request, pk)
    unsaved_form_discard(user=request.user, pk=pk)
    messages.success(request, _("What you typed has been thrown away."))
    response = redirect(reverse("unsaved_forms") if remaining else reverse("home"))
    browser_keys_store(response, remaining)
    return response


def session_timeout_context(request: HttpRequest) -> dict:
    """The idle timeout and its warning, for the session-timeout script on every page."""
    return {
        "session_age_seconds": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
