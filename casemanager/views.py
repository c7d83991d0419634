"""Project-wide views: the health check, the site's 404 and 500 handlers."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection
from rest_framework import exceptions, status

from apps.api.errors import error_body, is_api_request


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable"
    return "ok"


def _broker_state() -> str:
    if not settings.CELERY_BROKER_URL:
        return "eager"  # no broker configured: tasks run in-process
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # kombu raises a different error for each transport
        return "unavailable"
    return "ok"


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 while the database answers, 503 when it does not; name the broker's state."""
    database = _database_state()
    broker = _broker_state()
    healthy = database == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


# The site's error handlers (casemanager/urls.py): under /api/ they answer in the API's error
# format, elsewhere with the site's pages.


def handler404(request: HttpRequest, exception: Exception | None = None):
    """An unknown URL: the API's error format under /api/, the 404 page elsewhere."""
    if is_api_request(request):
        return JsonResponse(
            error_body("not_found", str(exceptions.NotFound.default_detail)),
            status=status.HTTP_404_NOT_FOUND,
        )
    return defaults.page_not_found(request, exception or Http404())


def handler500(request: HttpRequest):
    """A crash: the API's error format under /api/ (nothing of the cause), the page elsewhere."""
    if is_api_request(request):
        return JsonResponse(
            error_body(
                "server_error",
                _("Something went wrong on our side; it has been logged. Please try again later."),
            ),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return defaults.server_error(request)
