"""Middleware that belongs to no app: what every response of the site shares."""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

API_PREFIX = "/api/"


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every answer to a signed-in user and under /api/.

    Pages, exports, downloads and API answers hold client data, which neither the browser's
    cache nor a proxy may keep. A view that sets Cache-Control itself keeps its own; static
    files are answered by WhiteNoise before this middleware and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and (
            request.path_info.startswith(API_PREFIX) or _signed_in(request)
        ):
            patch_cache_control(response, no_store=True, private=True)
        return response


def _signed_in(request: HttpRequest) -> bool:
    # The session's user, or the API token's: REST framework sets it on the request too.
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
