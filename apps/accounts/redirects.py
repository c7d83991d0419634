"""Where to go after a step: the one reader of a request's ``next`` parameter."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

NEXT_PARAMETER = "next"


def safe_next_url(request: HttpRequest, *, default: str = "") -> str:
    """The request's ``next`` (POST, else GET) if it is a path on this site, else ``default``.

    Only a local absolute path passes: no other host or scheme, also not ``//host`` or
    ``/\\host`` (``url_has_allowed_host_and_scheme``), and no view name or relative path, which
    ``redirect()`` would try to reverse (an unknown name would answer 500). Every view that
    follows a ``next`` reads it through this function.
    """
    candidate = request.POST.get(NEXT_PARAMETER) or request.GET.get(NEXT_PARAMETER) or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
