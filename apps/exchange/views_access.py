"""How every exchange page refuses: a 404 that does not reveal what exists, and an access-log
entry of the refusal (the wrong role, or another organisation's message, run, line or notice)."""

from functools import wraps

from django.http import Http404, HttpRequest

from apps.accounts.permissions import may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record


def refused(request: HttpRequest) -> Http404:
    """Log the refusal of this request; return the 404 to raise."""
    access_log_record(
        user=request.user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        detail=f"exchange {request.path}"[:200],
    )
    return Http404()


def refused_unless(request: HttpRequest, *permissions: str) -> None:
    """Only users who hold every named permission go on; the others get a logged 404."""
    if not all(may(request.user, permission) for permission in permissions):
        raise refused(request)


def permission_required(*permissions: str):
    """``refused_unless`` as a view decorator."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            refused_unless(request, *permissions)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
