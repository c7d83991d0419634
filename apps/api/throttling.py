"""Requests per user (and per address before authentication), counted in Django's cache.

The rates are read from settings.API_THROTTLE_RATES on every request rather than once at
import, as REST framework's own throttles do, so that the environment and tests set them.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from apps.audit.context import client_ip


class UserThrottle(UserRateThrottle):
    scope = "user"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATES[self.scope]


class AnonThrottle(AnonRateThrottle):
    scope = "anon"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATES[self.scope]

    def get_ident(self, request) -> str:
        # The address as the access log and the login lockout see it (TRUSTED_PROXY_COUNT),
        # not REST framework's reading of X-Forwarded-For, which a caller could choose.
        return client_ip(request) or ""
