"""The manager's inbox and outbox: every message received or sent, one message with what the
system did and the file as it was, uploading files and fetching them from the transport."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.permissions import IMPORT_MESSAGES, VIEW_MESSAGES, may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record

from .forms import (
    MAX_UPLOAD_FILES,
    MAX_UPLOAD_MB,
    MessageFilterForm,
    MessageUploadForm,
    upload_too_large,
)
from .incoming import messages_fetch, messages_receive
from .models import Direction, Message
from .reads import (
    message_download_name,
    message_file_open,
    message_outcome,
    message_outcome_short,
    message_read_log,
)
from .selectors import (
    message_funders_for,
    message_get_for,
    message_kinds_for,
    message_list_for,
)
from .transport import transport_get
from .views_access import permission_required

MESSAGES_PER_PAGE = 50


def _message_of(request: HttpRequest, pk: int) -> Message:
    message = message_get_for(organisation=request.user.organisation, pk=pk)
    if message is None:
        access_log_record(
            user=request.user,
            event=AccessEvent.VIEW,
            basis=AccessBasis.NONE,
            outcome=AccessOutcome.REFUSED,
            detail=f"messages {request.path}"[:200],
        )
        raise Http404
    return message


def _list_page(
    request: HttpRequest, *, upload_form=None, upload_error="", results=None, status=200
):
    organisation = request.user.organisation
    box = Direction.OUT if request.GET.get("box") == Direction.OUT else Direction.IN
    filters = MessageFilterForm(
        request.GET,
        kinds=message_kinds_for(organisation=organisation),
        funders=message_funders_for(organisation=organisation),
    )
    chosen = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(
        message_list_for(
            organisation=organisation,
            direction=box,
            kind=chosen.get("kind", ""),
            status=chosen.get("status", ""),
            funder=chosen.get("funder"),
        ),
        MESSAGES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    for message in page:
        message.outcome_short = message_outcome_short(message)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exchange/messages_list.html",
        {
            "box": box,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "upload_form": upload_form or MessageUploadForm(),
            "upload_error": upload_error,
            "results": results,
            "may_import": may(request.user, IMPORT_MESSAGES),
        },
        status=status,
    )


@require_GET
@permission_required(VIEW_MESSAGES)
def message_list(request: HttpRequest) -> HttpResponse:
    """The inbox (or, with ``?box=out``, the outbox), newest first, filtered and paged."""
    return _list_page(request)


@require_POST
@permission_required(VIEW_MESSAGES, IMPORT_MESSAGES)
def message_upload(request: HttpRequest) -> HttpResponse:
    """Receive uploaded files, each on its own, and show per file what happened."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if upload_too_large(length):
        # Refused on its announced size, before the files are looked at.
        error = ngettext(
            "The upload is too large: at most %(count)s file of %(mb)s MB.",
            "The upload is too large: at most %(count)s files of %(mb)s MB each.",
            MAX_UPLOAD_FILES,
        ) % {
            "count": MAX_UPLOAD_FILES,
            "mb": MAX_UPLOAD_MB,
        }
        return _list_page(request, upload_error=error, status=413)
    form = MessageUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list_page(request, upload_form=form, status=400)
    results = messages_receive(
        organisation=request.user.organisation,
        files=form.contents(),
        actor=request.user,
        transport="upload",
    )
    return _list_page(request, results=results)


@require_POST
@permission_required(VIEW_MESSAGES, IMPORT_MESSAGES)
def message_fetch(request: HttpRequest) -> HttpResponse:
    """Receive what the transport holds (for every organisation of the installation; the page
    names only this organisation's messages)."""
    results = messages_fetch(transport=transport_get())
    own = [
        result
        for result in results
        if result.message is not None
        and result.message.organisation_id == request.user.organisation_id
    ]
    refused = sum(1 for result in results if result.refused)
    if not results:
        messages.info(request, _("The transport held no files."))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d message received for this organisation.",
                "%(count)d messages received for this organisation.",
                len(own),
            )
            % {"count": len(own)},
        )
    if refused:
        messages.warning(
            request,
            ngettext(
                "%(count)d file was refused and set aside in the transport.",
                "%(count)d files were refused and set aside in the transport.",
                refused,
            )
            % {"count": refused},
        )
    return redirect("exchange:messages")


@require_GET
@permission_required(VIEW_MESSAGES)
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One message: its header, what the system did, the clients it names (by number), its
    answers and what it answers; the read is logged against each client."""
    message = _message_of(request, pk)
    clients = message_read_log(message=message, user=request.user, event=AccessEvent.VIEW)
    return render(
        request,
        "exchange/messages_detail.html",
        {
            "message": message,
            "outcome": message_outcome(message),
            "clients": clients,
            "replies": message.replies.order_by("created_at", "pk"),
        },
    )


@require_GET
@permission_required(VIEW_MESSAGES)
def message_file(request: HttpRequest, pk: int) -> FileResponse:
    """The file as it was received or sent; the download is logged against each client."""
    message = _message_of(request, pk)
    handle = message_file_open(message=message, user=request.user)
    if handle is None:
        raise Http404
    return FileResponse(
        handle,
        as_attachment=True,
        filename=message_download_name(message),
        content_type="application/xml",
    )
