"""Where a request comes from (the access point of NEN 7513), for the access log.

The middleware puts the client's IP address and user agent in a context variable for the
duration of a request, so that services, which never see the request, can still log where an
action came from.
"""

from contextvars import ContextVar
from dataclasses import dataclass, replace

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class AccessPoint:
    ip_address: str | None = None
    user_agent: str = ""
    view_name: str = ""  # the URL name of the page (apps/audit/labels.py puts it into words)


_NOWHERE = AccessPoint()  # outside a request (commands, tasks)
_current: ContextVar[AccessPoint] = ContextVar("access_point", default=_NOWHERE)


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address as the application sees it behind TRUSTED_PROXY_COUNT proxies.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For,
    so the client is the entry that many places from the right; anything further left could
    have been sent by the client itself and is not trusted.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def access_point_from(request: HttpRequest) -> AccessPoint:
    return AccessPoint(
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


def current_access_point() -> AccessPoint:
    return _current.get()


class AccessPointMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = _current.set(access_point_from(request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        """Add the page's URL name once the URL is resolved (the reset above undoes it too)."""
        match = request.resolver_match
        if match is not None and match.view_name:
            _current.set(replace(_current.get(), view_name=match.view_name[:100]))
