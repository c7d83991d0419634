"""The manager's pages of pooled budgets: the list, a pool's page (use and forecast, each
funder's share per month, the settlement, the comparison with its assumptions, the clients),
enrolling and ending a client's part, recording a funder's legal basis, and the export per
funder (CSV, PDF). The administrator sets pools and their funders up in the admin."""

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import Organisation, Role, User
from apps.accounts.permissions import ENROL_IN_PILOT, may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record, access_log_record_many
from apps.core.views import service_refusals
from apps.funding.models import IntegralPilot, PilotEnrolment

from .export import render_funder_csv, render_funder_pdf
from .forms import PoolBasisForm, PoolEnrolForm, PoolExitForm
from .ledger import pool_ledger
from .models import PoolPayment
from .selectors import (
    funder_share_report,
    pool_comparison,
    pool_funder_get,
    pool_get_for,
    pool_list,
    pool_settlement,
    pool_share_problems,
    pool_use,
)
from .services import pool_basis_record, pool_enrol, pool_exit

WHAT = "pooled budget"


def _refused(user: User, what: str = WHAT) -> Http404:
    """Log a refused look at a pool page; the page answers as if it did not exist."""
    access_log_record(
        user=user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        detail=what,
    )
    return Http404()


def _organisation(request: HttpRequest) -> Organisation:
    if not may(request.user, ENROL_IN_PILOT):
        raise _refused(request.user)
    return request.user.organisation


def _pool(request: HttpRequest, pk: int) -> IntegralPilot:
    pool = pool_get_for(organisation=_organisation(request), pk=pk)
    if pool is None:
        raise _refused(request.user)
    return pool


def _enrolment(request: HttpRequest, pool: IntegralPilot, pk: int) -> PilotEnrolment:
    enrolment = pool.enrolments.select_related("client").filter(pk=pk).first()
    if enrolment is None:
        raise _refused(request.user)
    return enrolment


def _log(user: User, clients, event: str = AccessEvent.VIEW, what: str = WHAT) -> None:
    access_log_record_many(
        user=user,
        clients=list({client.pk: client for client in clients}.values()),
        event=event,
        basis=AccessBasis.MANAGEMENT,
        detail=what,
        acting_role=Role.MANAGER,
    )


def _year(request: HttpRequest, pool: IntegralPilot, today: date) -> int:
    """The year asked for (?year=), within the pool's years; else this year's or the last."""
    years = range(pool.start.year, pool.end.year + 1)
    asked = request.GET.get("year", "")
    if asked.isdigit() and int(asked) in years:
        return int(asked)
    return min(max(today.year, pool.start.year), pool.end.year)


@require_http_methods(["GET"])
def pool_index(request: HttpRequest) -> HttpResponse:
    """The organisation's pooled budgets."""
    organisation = _organisation(request)
    return render(request, "pools/pool_list.html", {"pools": pool_list(organisation=organisation)})


@require_http_methods(["GET", "POST"])
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A pool: its use and forecast, the funders' shares, the settlement, the comparison with
    the regular route, its clients; and enrolling a client."""
    pool = _pool(request, pk)
    organisation = request.user.organisation
    form = PoolEnrolForm(request.POST or None, pool=pool, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_refusals(request, form=form):
            absorbed = pool_enrol(
                pool=pool,
                client=data["client"],
                start=data["start"],
                funder=data.get("funder"),
                kind=data.get("kind") or "",
                reference=data.get("reference") or "",
                zvw_referral=data.get("zvw_referral"),
                actor=request.user,
            )
            messages.success(
                request,
                ngettext(
                    "Client enrolled; the pool took over %(count)s waiting activity.",
                    "Client enrolled; the pool took over %(count)s waiting activities.",
                    len(absorbed),
                )
                % {"count": len(absorbed)},
            )
            return redirect("pools:detail", pk=pool.pk)
    today = timezone.localdate()
    year = _year(request, pool, today)
    # The pool's ledger once per request: its share table (up to today), the use and
    # forecast, the settlement and the comparison all read from it.
    whole = pool_ledger(pool=pool)
    ledger = whole.up_to(today)
    enrolments = list(
        pool.enrolments.select_related("client")
        .prefetch_related("bases__funder")
        .order_by("client__client_number")
    )
    _log(request.user, [enrolment.client for enrolment in enrolments])
    funders = ledger.funders()
    months = ledger.months()
    share_rows = [
        {
            "month": month,
            "cells": [
                ledger.shares[(funder.pk, month)].cents
                if (funder.pk, month) in ledger.shares
                else 0
                for funder in funders
            ],
            "unattributed": ledger.unattributed.get(month, 0),
        }
        for month in months
    ]
    parts = sorted(whole.parts, key=lambda part: (part.funder.name, part.pk))
    return render(
        request,
        "pools/pool_detail.html",
        {
            "pool": pool,
            "use": pool_use(pool=pool, today=today, ledger=whole),
            "parts": parts,
            "payments": PoolPayment.objects.filter(part__pool=pool).select_related("part__funder"),
            "funders": funders,
            "share_rows": share_rows,
            "any_unattributed": any(row["unattributed"] for row in share_rows),
            "year": year,
            "years": list(range(pool.start.year, pool.end.year + 1)),
            "settlement": pool_settlement(pool=pool, year=year, ledger=whole),
            "comparison": pool_comparison(pool=pool, until=today, ledger=whole),
            "share_problems": pool_share_problems(pool=pool),
            "enrolments": enrolments,
            "form": form,
            "exit_form": PoolExitForm(),
            "basis_form": PoolBasisForm(pool=pool),
        },
    )


@require_POST
def enrolment_exit(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    """End a client's part in the pool on a day."""
    pool = _pool(request, pk)
    enrolment = _enrolment(request, pool, enrolment_pk)
    form = PoolExitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the last day in the pool as a date."))
        return redirect("pools:detail", pk=pool.pk)
    with service_refusals(request):
        pool_exit(enrolment=enrolment, end=form.cleaned_data["end"], actor=request.user)
        messages.success(request, _("The client's part in the pool ends on the day given."))
    return redirect("pools:detail", pk=pool.pk)


@require_POST
def basis_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a funder's legal basis for an enrolled client."""
    pool = _pool(request, pk)
    form = PoolBasisForm(request.POST, pool=pool)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label}: {' '.join(errors)}"
            if name in form.fields
            else " ".join(errors)
            for name, errors in form.errors.items()
        )
        messages.error(request, _("The legal basis was not recorded: %(problems)s") % {
            "problems": problems
        })  # fmt: skip
        return redirect("pools:detail", pk=pool.pk)
    data = form.cleaned_data
    with service_refusals(request):
        pool_basis_record(
            enrolment=data["enrolment"],
            funder=data["funder"],
            kind=data["kind"],
            reference=data["reference"],
            start=data["start"],
            end=data["end"],
            zvw_referral=data.get("zvw_referral"),
            actor=request.user,
        )
        messages.success(request, _("Legal basis recorded."))
    return redirect("pools:detail", pk=pool.pk)


@require_http_methods(["GET"])
def funder_export(request: HttpRequest, pk: int, funder_pk: int, fmt: str) -> HttpResponse:
    """A funder's share of the pool in a year, per month and client, with the settlement:
    CSV or PDF. Only the clients it paid a part for, by BSN and its own legal basis."""
    pool = _pool(request, pk)
    funder = pool_funder_get(pool=pool, pk=funder_pk)
    if funder is None or fmt not in ("csv", "pdf"):
        raise _refused(request.user)
    year = _year(request, pool, timezone.localdate())
    ledger = pool_ledger(pool=pool, until=date(year, 12, 31))
    report = funder_share_report(pool=pool, funder=funder, year=year, ledger=ledger)
    settlement = pool_settlement(pool=pool, year=year, ledger=ledger)
    listed = {line.client_id for month in report.months for line in month.clients}
    _log(request.user, [ledger.clients[pk] for pk in listed], AccessEvent.EXPORT)
    name = f"pool-{pool.pk}-{funder.code}-{year}"
    if fmt == "csv":
        response = HttpResponse(
            render_funder_csv(report, settlement), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            render_funder_pdf(report, settlement, generated_by=request.user.get_full_name()),
            content_type="application/pdf",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
