"""How the API opens a client's record: always through apps.trajectories.access.

``client_open_for`` decides, logs the read (or the refusal) and answers 404 when the client
may not be seen; these helpers only name what is read and turn a part of the record the caller
may not see into a 404 as well (an object the caller may not see does not exist for them).
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework.request import Request

from apps.accounts.permissions import may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record
from apps.clients.models import Client
from apps.trajectories.access import ClientAccess, client_open_for

WHAT_PREFIX = "API: "


def api_client_open(
    request: Request,
    *,
    client_id: int | None,
    what: str,
    visible: Callable[[ClientAccess], bool] | None = None,
    allowed: Callable[[ClientAccess], bool] | None = None,
) -> tuple[Client, ClientAccess]:
    """Open a client's record for the caller and log the read (one entry).

    ``visible``: whether the caller may see the part asked for at all (404 otherwise, e.g.
    an activity of another lane); ``allowed``: what the request needs beyond seeing it
    (403 otherwise, e.g. may log). ``client_id`` None (the object does not exist) is a
    logged 404 like any other.
    """
    refused_because: list[str] = []

    def require(access: ClientAccess) -> bool:
        if visible is not None and not visible(access):
            refused_because.append("invisible")
            return False
        if allowed is not None and not allowed(access):
            refused_because.append("not allowed")
            return False
        return True

    try:
        return client_open_for(
            user=request.user,
            pk=client_id,
            what=WHAT_PREFIX + what,
            require=require if visible is not None or allowed is not None else None,
        )
    except PermissionDenied:
        if refused_because == ["invisible"]:
            raise Http404 from None
        raise


def client_id_of(queryset: QuerySet[Model], pk: int, path: str) -> int | None:
    """The client an object belongs to (``path`` from the object to the client's id)."""
    return queryset.filter(pk=pk).values_list(path, flat=True).first()


def api_may(request: Request, permission: str, *, what: str) -> None:
    """Role-level actions (the manager's funding overview and reports, the alerts, registering
    an allocation), asked by the same named permission as the web page
    (``apps.accounts.permissions``): others are refused (403) and the refusal is logged."""
    if not may(request.user, permission):
        _refused(request, what=what)


def _refused(request: Request, *, what: str) -> None:
    """Refuse (403) and log."""
    access_log_record(
        user=request.user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        detail=(WHAT_PREFIX + what)[:200],
    )
    raise PermissionDenied


def api_not_found(request: Request, *, what: str, client: Client | None = None):
    """Log a refused look at something that is not the caller's to see, and answer 404."""
    access_log_record(
        user=request.user,
        client=client,
        event=AccessEvent.VIEW,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        detail=(WHAT_PREFIX + what)[:200],
    )
    raise Http404
