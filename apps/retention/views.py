"""The privacy officer's pages of retention and destruction. Only the organisation's privacy
officer; anyone else, or another organisation's row, gets a 404 that is logged."""

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import VIEW_PRIVACY_PAGES, may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record, access_log_record_many
from apps.clients.models import Client
from apps.clients.representation import decision_makers
from apps.core.views import service_refusals

from .forms import ConfirmForm, ExtensionForm, RequestForm, ReviewForm
from .models import DestructionRequest, RequestStatus, RetentionDue
from .selectors import (
    closed_destruction_requests_for,
    extensions_of,
    open_destruction_requests_for,
    retention_due_for,
    retention_of,
    tombstones_for,
)
from .services import (
    destruction_request_execute,
    destruction_request_record,
    destruction_request_review,
    retention_destroy,
    retention_extend,
)


def _refused(request: HttpRequest, client: Client | None = None):
    access_log_record(
        user=request.user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        client=client,
        detail=f"retention page {request.path}"[:200],
    )
    raise Http404


def officer_only(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not may(request.user, VIEW_PRIVACY_PAGES):
            _refused(request)
        return view(request, *args, **kwargs)

    return wrapper


def _read(request: HttpRequest, client: Client | None, what: str, event=AccessEvent.VIEW):
    access_log_record(
        user=request.user,
        event=event,
        basis=AccessBasis.PRIVACY_REVIEW,
        client=client,
        detail=what,
        acting_role=Role.PRIVACY_OFFICER,
    )


def _read_many(request: HttpRequest, clients: list[Client], what: str) -> None:
    if clients:
        access_log_record_many(
            user=request.user,
            clients=clients,
            event=AccessEvent.VIEW,
            basis=AccessBasis.PRIVACY_REVIEW,
            detail=what,
            acting_role=Role.PRIVACY_OFFICER,
        )
    else:
        _read(request, None, what)


def _request_for(request: HttpRequest, pk: int) -> DestructionRequest:
    found = DestructionRequest.objects.select_related("client").filter(pk=pk).first()
    if (
        found is None
        or not may(request.user, VIEW_PRIVACY_PAGES)
        or found.organisation_id != request.user.organisation_id
    ):
        _refused(request, found.client if found else None)
    return found


def _client_for(request: HttpRequest, pk: int) -> Client:
    client = Client.objects.filter(pk=pk, tombstone__isnull=True).first()
    if (
        client is None
        or not may(request.user, VIEW_PRIVACY_PAGES)
        or client.organisation_id != request.user.organisation_id
    ):
        _refused(request, client)
    return client


@require_http_methods(["GET", "POST"])
@officer_only
def requests_view(request: HttpRequest) -> HttpResponse:
    """The destruction requests: open ones with their deadline, recent decisions, a new one."""
    organisation_id = request.user.organisation_id
    form = RequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        client = Client.objects.filter(
            organisation_id=organisation_id,
            client_number=form.cleaned_data["client_number"].strip(),
            tombstone__isnull=True,
        ).first()
        if client is None:
            form.add_error("client_number", _("No client with this number."))
        else:
            with service_refusals(request, form=form):
                recorded = destruction_request_record(
                    client=client,
                    requester=form.cleaned_data["requester"],
                    received_on=form.cleaned_data["received_on"],
                    actor=request.user,
                )
                messages.success(request, _("The request is recorded."))
                return redirect("retention:request", recorded.pk)
    open_requests = list(open_destruction_requests_for(organisation_id=organisation_id))
    closed = list(closed_destruction_requests_for(organisation_id=organisation_id))
    _read_many(request, [r.client for r in open_requests + closed], "destruction requests")
    return render(
        request,
        "retention/request_list.html",
        {"form": form, "open_requests": open_requests, "closed": closed},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET"])
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _request_for(request, pk)
    _read(request, found.client, "destruction request")
    makers = None
    if found.status in (RequestStatus.PENDING, RequestStatus.GRANTED):
        makers = decision_makers(found.client, found.received_on)
    return render(
        request,
        "retention/request_detail.html",
        {
            "item": found,
            "makers": makers,
            "review_form": ReviewForm(),
            "confirm_form": ConfirmForm(),
            "today": timezone.localdate(),
        },
    )


@require_POST
def request_review(request: HttpRequest, pk: int) -> HttpResponse:
    found = _request_for(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        with service_refusals(request):
            destruction_request_review(
                request=found,
                grant=form.cleaned_data["decision"] == "grant",
                ground=form.cleaned_data["refusal_ground"],
                explanation=form.cleaned_data["refusal_explanation"],
                actor=request.user,
            )
            messages.success(request, _("The review is recorded."))
    else:
        messages.error(request, _("Choose to grant or refuse the request."))
    return redirect("retention:request", found.pk)


@require_POST
def request_execute(request: HttpRequest, pk: int) -> HttpResponse:
    found = _request_for(request, pk)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        with service_refusals(request):
            destruction_request_execute(
                request=found, actor=request.user, confirmation=form.cleaned_data["confirmation"]
            )
            messages.success(request, _("The record is destroyed; a tombstone records it."))
            return redirect("retention:tombstones")
    else:
        messages.error(request, _("Type the client number to confirm the destruction."))
    return redirect("retention:request", found.pk)


@require_http_methods(["GET"])
@officer_only
def due_list(request: HttpRequest) -> HttpResponse:
    """The records past their retention date, as the nightly job listed them."""
    due = list(retention_due_for(organisation_id=request.user.organisation_id))
    _read_many(request, [d.client for d in due], "records past their retention date")
    return render(request, "retention/due_list.html", {"due": due, "confirm_form": ConfirmForm()})


@require_POST
def due_destroy(request: HttpRequest, pk: int) -> HttpResponse:
    due = RetentionDue.objects.select_related("client").filter(pk=pk).first()
    if (
        due is None
        or not may(request.user, VIEW_PRIVACY_PAGES)
        or due.organisation_id != request.user.organisation_id
    ):
        _refused(request, due.client if due else None)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        with service_refusals(request):
            retention_destroy(
                due=due, actor=request.user, confirmation=form.cleaned_data["confirmation"]
            )
            messages.success(request, _("The record is destroyed; a tombstone records it."))
            return redirect("retention:tombstones")
    else:
        messages.error(request, _("Type the client number to confirm the destruction."))
    return redirect("retention:due")


@require_http_methods(["GET", "POST"])
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    """A record's retention date, its extensions, and a new extension with its reason."""
    client = _client_for(request, pk)
    form = ExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_refusals(request, form=form):
            retention_extend(
                client=client,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
            messages.success(request, _("The retention is extended."))
            return redirect("retention:extend", client.pk)
    _read(request, client, "retention date and extensions")
    return render(
        request,
        "retention/extend.html",
        {
            "client": client,
            "retention": retention_of(client),
            "extensions": extensions_of(client=client),
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET"])
@officer_only
def tombstones(request: HttpRequest) -> HttpResponse:
    _read(request, None, "tombstones")
    return render(
        request,
        "retention/tombstone_list.html",
        {"tombstones": tombstones_for(organisation_id=request.user.organisation_id)[:200]},
    )
