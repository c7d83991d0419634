"""Who calls the API: a personal token (``Authorization: Bearer cm_…``) or the web session.

A token acts as its user, with exactly the user's roles and permissions, looked up on every
request; the session is the web interface's own (with CSRF, and with the second factor when
REQUIRE_2FA is on).
"""

import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)

from apps.accounts.services import ApiTokenRefused, api_token_authenticate

KEYWORD = b"bearer"
TOKEN_SYNTAX = re.compile(rb"[A-Za-z0-9\-._~+/]+=*")  # RFC 6750's b64token

REFUSALS = {
    "token_invalid": _("The API token is not valid."),
    "token_expired": _("The API token has expired: create a new one on your profile page."),
    "token_revoked": _("The API token has been revoked."),
    "token_malformed": _("Send the token as: Authorization: Bearer <token>."),
}


class TokenUnreadable(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The API token holds characters that no token has.")
    default_code = "token_unreadable"


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key>`` with a personal API token."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(REFUSALS["token_malformed"], "token_malformed")
        if not TOKEN_SYNTAX.fullmatch(header[1]):
            # A byte no token has (a NUL, a control character): not a wrong token but a broken
            # request, refused before anything looks it up (RFC 6750: 400, invalid_request).
            raise TokenUnreadable()
        key = header[1].decode("ascii")
        try:
            token = api_token_authenticate(key=key)
        except ApiTokenRefused as refused:
            raise exceptions.AuthenticationFailed(REFUSALS[refused.code], refused.code) from None
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes an unauthenticated request a 401 with this challenge rather than a 403.
        return 'Bearer realm="api"'


class VerifiedSessionAuthentication(SessionAuthentication):
    """The web session, only once the second factor is passed where it is required."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, _auth = result
        if settings.REQUIRE_2FA and not user.is_verified():
            return None
        return result


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from your profile page (/account/).",
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.VerifiedSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
