from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/"
LANGUAGE_HEADER_MAX = 500  # as Django's own parsing: a longer header is not read further

# Pages a logged-in user can reach before the second factor: the 2FA pages themselves,
# logging out, the language switch and the health check.
_OPEN_URL_NAMES = ("two_factor_setup", "two_factor_verify", "logout", "set_language", "healthz")


class TwoFactorRequiredMiddleware:
    """With REQUIRE_2FA on, a logged-in user must pass a TOTP check before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.REQUIRE_2FA
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(
                settings.STATIC_URL
                if settings.STATIC_URL.startswith("/")
                else "/" + settings.STATIC_URL
            )
            and request.path not in {reverse(name) for name in _OPEN_URL_NAMES}
            and not _api_authenticates_itself(request)
        ):
            from django_otp import devices_for_user

            has_device = any(True for _ in devices_for_user(user, confirmed=True))
            return redirect("two_factor_verify" if has_device else "two_factor_setup")
        return self.get_response(request)


def _api_authenticates_itself(request) -> bool:
    """The API (but not its documentation page) refuses an unverified session itself, with a
    401 in its own format rather than a redirect to a page."""
    return request.path_info.startswith(API_PREFIX) and request.path != reverse("api:docs")


class DutchByDefaultLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the user chose another language with the switch (its cookie).

    The browser's Accept-Language is not followed: an organisation's pages are Dutch, also on a
    computer set up in English. The API (/api/) follows Accept-Language (nl or en; Dutch when
    it names neither): programs ask for their language, they have no switch.
    """

    def process_request(self, request):
        if request.path_info.startswith(API_PREFIX):
            language = _accepted_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        else:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def _accepted_language(header: str) -> str | None:
    """The first of our languages in an Accept-Language header, in the order of preference."""
    available = dict(settings.LANGUAGES)
    for code, _quality in parse_accept_lang_header(header[:LANGUAGE_HEADER_MAX]):
        if code == "*":
            break
        primary = code.split("-")[0].lower()
        if primary in available:
            return primary
    return None
