"""The client's rights to the record: the privacy officer's pages for requests and copies,
and the client's statements (the care team's caseworkers and the privacy officer)."""

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import VIEW_PRIVACY_PAGES, may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record, access_log_record_many
from apps.clients.models import Client, LegalRepresentative
from apps.core.views import service_refusals
from apps.trajectories.access import client_access_for

from .forms import AccessRequestForm, ClientFindForm, StatementForm
from .models import AccessRequest, RecordCopy
from .selectors import access_requests_for_client, access_requests_open, statements_for_client
from .services import (
    access_request_record,
    client_statement_add,
    is_privacy_officer_of,
    record_copy_file_open,
    record_copy_request,
)


def _refused(request: HttpRequest, client: Client | None, what: str):
    access_log_record(
        user=request.user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        client=client,
        detail=what,
    )
    raise Http404


def _privacy_read(request: HttpRequest, client: Client, what: str, obj=None) -> None:
    access_log_record(
        user=request.user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.PRIVACY_REVIEW,
        client=client,
        obj=obj,
        detail=what,
        acting_role=Role.PRIVACY_OFFICER,
    )


def _client(pk: int) -> Client | None:
    return Client.objects.select_related("organisation").filter(pk=pk).first()


def _client_for_privacy_officer(request: HttpRequest, pk: int, what: str) -> Client:
    """The client of the privacy officer's own organisation, its read logged; else 404."""
    client = _client(pk)
    if client is None or not is_privacy_officer_of(user=request.user, client=client):
        _refused(request, client, what)
    _privacy_read(request, client, what)
    return client


def _representatives(client: Client):
    return list(LegalRepresentative.objects.filter(client=client).order_by("pk"))


@require_http_methods(["GET"])
def records_home(request: HttpRequest) -> HttpResponse:
    """The open requests of the organisation by deadline, and a client finder."""
    if not may(request.user, VIEW_PRIVACY_PAGES):
        _refused(request, None, "records: access requests")
    organisation_id = request.user.organisation_id
    form = ClientFindForm(request.GET or None)
    found: list[Client] = []
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        found = list(
            Client.objects.filter(organisation_id=organisation_id)
            .filter(Q(client_number__iexact=query) | Q(pseudonym__iexact=query))
            .order_by("client_number")[:20]
        )
        access_log_record_many(
            user=request.user,
            clients=found,
            event=AccessEvent.SEARCH,
            basis=AccessBasis.PRIVACY_REVIEW,
            detail="records: client search",
            acting_role=Role.PRIVACY_OFFICER,
        )
    open_requests = list(access_requests_open(organisation_id=organisation_id))
    access_log_record_many(
        user=request.user,
        clients=list({r.client_id: r.client for r in open_requests}.values()),
        event=AccessEvent.VIEW,
        basis=AccessBasis.PRIVACY_REVIEW,
        detail="records: open access requests",
        acting_role=Role.PRIVACY_OFFICER,
    )
    return render(
        request,
        "records/home.html",
        {
            "form": form,
            "found": found,
            "open_requests": open_requests,
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def client_records(request: HttpRequest, pk: int) -> HttpResponse:
    """A client's requests for access or a copy, their copies, and a form for a new request."""
    client = _client_for_privacy_officer(request, pk, "records: access requests of the client")
    representatives = _representatives(client)
    form = AccessRequestForm(
        request.POST or None,
        representatives=representatives,
        initial={"received_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        requester, representative = form.who()
        with service_refusals(request, form=form):
            access_request_record(
                client=client,
                kind=form.cleaned_data["kind"],
                requester=requester,
                representative=representative,
                received_on=form.cleaned_data["received_on"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
            messages.success(request, _("The request is recorded."))
            return redirect("records:client", pk=client.pk)
    return render(
        request,
        "records/client.html",
        {
            "client": client,
            "form": form,
            "requests": access_requests_for_client(client=client),
            "statements": statements_for_client(client=client),
            "today": timezone.localdate(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _request_of(request: HttpRequest, pk: int) -> AccessRequest:
    access_request = AccessRequest.objects.select_related("client").filter(pk=pk).first()
    client = access_request.client if access_request else None
    if client is None or not is_privacy_officer_of(user=request.user, client=client):
        _refused(request, client, "records: access request")
    return access_request


def _copy_of(request: HttpRequest, pk: int, what: str) -> RecordCopy:
    copy = RecordCopy.objects.select_related("client", "requested_by").filter(pk=pk).first()
    client = copy.client if copy else None
    if client is None or not is_privacy_officer_of(user=request.user, client=client):
        _refused(request, client, what)
    return copy


@require_POST
def copy_make(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a copy of the complete record for a request (in the background)."""
    access_request = _request_of(request, pk)
    with service_refusals(request):
        record_copy_request(
            access_request=access_request, actor=request.user, language=request.LANGUAGE_CODE
        )
        messages.success(request, _("The copy is being made; it appears below when it is ready."))
    return redirect("records:client", pk=access_request.client_id)


@require_http_methods(["GET"])
def copy_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment with one copy's status; it polls while the copy is being made."""
    copy = _copy_of(request, pk, "records: copy status")
    _privacy_read(request, copy.client, "records: copy status", obj=copy)
    return render(request, "records/_copy.html", {"copy": copy})


@require_http_methods(["GET"])
def copy_download(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a finished copy (never from a public URL); the download is logged."""
    copy = _copy_of(request, pk, "records: copy download")
    handle = record_copy_file_open(copy=copy, user=request.user)
    if handle is None:
        raise Http404
    return FileResponse(
        handle, as_attachment=True, filename=copy.filename, content_type="application/pdf"
    )


@require_http_methods(["GET", "POST"])
def statements(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's statements about the record, and a form to add one: a caseworker of the
    care team, or the privacy officer (who sees the client by pseudonym)."""
    what = "client statements"
    client = _client(pk)
    if client is None:
        _refused(request, None, what)
    if is_privacy_officer_of(user=request.user, client=client):
        _privacy_read(request, client, what)
        display_name, privacy_officer = client.pseudonym, True
    else:
        access = client_access_for(user=request.user, client=client)
        if (
            access is None
            or access.basis != AccessBasis.CARE_TEAM
            or access.acting_role != Role.CASEWORKER
        ):
            _refused(request, client, what)
        access_log_record(
            user=request.user,
            event=AccessEvent.VIEW,
            basis=access.basis,
            client=client,
            detail=what,
            acting_role=access.acting_role,
        )
        display_name, privacy_officer = access.name_of(client), False
    form = StatementForm(
        request.POST or None,
        representatives=_representatives(client),
        initial={"given_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        given_by, representative = form.who()
        with service_refusals(request, form=form):
            client_statement_add(
                client=client,
                text=form.cleaned_data["text"],
                given_by=given_by,
                representative=representative,
                given_on=form.cleaned_data["given_on"],
                actor=request.user,
            )
            messages.success(request, _("The statement is added to the record."))
            return redirect("records:statements", pk=client.pk)
    return render(
        request,
        "records/statements.html",
        {
            "client": client,
            "display_name": display_name,
            "privacy_officer": privacy_officer,
            "statements": statements_for_client(client=client),
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
