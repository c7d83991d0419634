"""The privacy officer's pages: emergency-access reviews, a client's history and access log,
and the NEN 7513 overview that a client may ask for."""

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import Role, User
from apps.accounts.permissions import REVIEW_BREAK_THE_GLASS, VIEW_PRIVACY_PAGES, may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome, BreakGlassAccess
from apps.audit.services import access_log_record
from apps.clients.models import Client
from apps.core.csv_export import CsvWriter
from apps.core.views import service_refusals

from .display import entry_role, entry_what
from .forms import ClientFindForm, HistoryFilterForm, PeriodForm, ReviewForm
from .selectors import (
    access_log_for_client,
    break_glass_review_queue,
    break_glass_reviewed,
    client_change_history,
)
from .services import break_glass_review


def privacy_officer_required(view, permission: str = VIEW_PRIVACY_PAGES):
    """Only the organisation's privacy officer; others are refused and the refusal is logged."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not may(request.user, permission):
            _refused(
                request,
                Client.objects.filter(pk=kwargs.get("pk")).first() if "pk" in kwargs else None,
            )
        return view(request, *args, **kwargs)

    return wrapper


def _refused(request: HttpRequest, client: Client | None):
    access_log_record(
        user=request.user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        client=client,
        detail=f"privacy page {request.path}"[:200],
    )
    raise Http404


def _client_for_privacy_officer(request: HttpRequest, pk: int, what: str) -> Client:
    client = Client.objects.filter(pk=pk).first()
    if client is None or client.organisation_id != request.user.organisation_id:
        _refused(request, client)
    _privacy_read(request, client, AccessEvent.VIEW, what)
    return client


def _privacy_read(request: HttpRequest, client: Client, event: AccessEvent, what: str) -> None:
    access_log_record(
        user=request.user,
        event=event,
        basis=AccessBasis.PRIVACY_REVIEW,
        client=client,
        detail=what,
        acting_role=Role.PRIVACY_OFFICER,
    )


ENTRIES_PER_PAGE = 50


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = CsvWriter(response, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return response


@require_http_methods(["GET"])
@privacy_officer_required
def privacy_home(request: HttpRequest) -> HttpResponse:
    """Emergency accesses waiting for review, and a client finder."""
    organisation_id = request.user.organisation_id
    form = ClientFindForm(request.GET or None)
    found = []
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        found = list(
            Client.objects.filter(organisation_id=organisation_id)
            .filter(Q(client_number__iexact=query) | Q(pseudonym__iexact=query))
            .order_by("client_number")[:20]
        )
    return render(
        request,
        "audit/privacy_home.html",
        {
            "form": form,
            "found": found,
            "queue": break_glass_review_queue(organisation_id=organisation_id),
            "reviewed": break_glass_reviewed(organisation_id=organisation_id),
            "review_form": ReviewForm(),
        },
    )


def _reviewer_required(view):
    return privacy_officer_required(view, REVIEW_BREAK_THE_GLASS)


@require_POST
@_reviewer_required
def break_glass_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_object_or_404(
        BreakGlassAccess, pk=pk, client__organisation_id=request.user.organisation_id
    )
    form = ReviewForm(request.POST)
    if form.is_valid():
        with service_refusals(request):
            break_glass_review(
                access=access, reviewer=request.user, comment=form.cleaned_data["review_comment"]
            )
            messages.success(request, _("The emergency access is marked as reviewed."))
    else:
        messages.error(request, _("Write down what the review found."))
    return redirect("audit:home")


@require_http_methods(["GET"])
@privacy_officer_required
def client_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Who changed what of a client and who looked at it; filterable and exportable."""
    client = _client_for_privacy_officer(request, pk, "history and access log")
    users = User.objects.filter(organisation_id=request.user.organisation_id).order_by("username")
    form = HistoryFilterForm(request.GET or None, users=users)
    filters = form.cleaned_data if form.is_valid() else {}
    user = filters.get("user")
    since, until = filters.get("since"), filters.get("until")
    entries = access_log_for_client(
        client=client,
        user_id=user.pk if user else None,
        event=filters.get("event", ""),
        since=since,
        until=until,
    )
    changes = client_change_history(
        client=client, user_id=user.pk if user else None, since=since, until=until
    )
    if request.GET.get("export") == "csv":
        _privacy_read(request, client, AccessEvent.EXPORT, "history export")
        rows = [
            [
                timezone.localtime(e.occurred_at).isoformat(timespec="seconds"),
                e.username,
                entry_role(e),
                e.get_event_display(),
                entry_what(e),
                e.get_basis_display(),
                e.get_outcome_display(),
                e.ip_address or "",
            ]
            for e in entries
        ] + [
            [
                timezone.localtime(c.when).isoformat(timespec="seconds"),
                c.user.username if c.user else "",
                "",
                c.action,
                c.what + ": " + ", ".join(f"{f[0]} {f[1]} → {f[2]}" for f in c.fields),
                "",
                "",
                "",
            ]
            for c in changes
        ]
        rows.sort(key=lambda row: row[0], reverse=True)  # newest first, as on the page
        return _csv_response(
            f"history-{client.client_number}.csv",
            [
                _("When"),
                _("User"),
                _("Role"),
                _("Action"),
                _("What"),
                _("Basis"),
                _("Outcome"),
                _("IP address"),
            ],
            rows,
        )
    return render(
        request,
        "audit/client_history.html",
        {
            "client": client,
            "form": form,
            "page": Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page")),
            "keep": _query_without_page(request),
            "changes": changes,
        },
    )


@require_http_methods(["GET"])
@privacy_officer_required
def client_access_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The chronological overview of access that NEN 7513 promises a client: the whole history,
    newest first and paged, or the period asked for."""
    client = _client_for_privacy_officer(request, pk, "access report for the client")
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_valid() else {}
    entries = access_log_for_client(
        client=client, since=period.get("since"), until=period.get("until")
    ).filter(outcome=AccessOutcome.ALLOWED)
    if form.is_bound and not form.is_valid():
        entries = entries.none()
    if request.GET.get("export") == "csv" and not form.errors:
        _privacy_read(request, client, AccessEvent.EXPORT, "access report export")
        rows = [
            [
                timezone.localtime(e.occurred_at).isoformat(timespec="seconds"),
                e.organisation.name if e.organisation else "",
                entry_role(e),
                entry_what(e),
                e.get_event_display(),
                e.get_basis_display(),
                _("yes") if e.basis == AccessBasis.BREAK_THE_GLASS else _("no"),
            ]
            for e in entries
        ]
        return _csv_response(
            f"access-report-{client.client_number}.csv",
            [
                _("When"),
                _("Organisation"),
                _("Role"),
                _("Data"),
                _("Action"),
                _("Basis"),
                _("Emergency access"),
            ],
            rows,
        )
    return render(
        request,
        "audit/client_access_report.html",
        {
            "client": client,
            "form": form,
            "period": period,
            "page": Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page")),
            "keep": _query_without_page(request),
        },
    )
