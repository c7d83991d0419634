"""The declaration pages: /messages/declarations/ (the runs; draft a month), a run's lines
beside the per-funder report's figures (send it), and the queue of rejected lines."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import SEND_MESSAGES, VIEW_MESSAGES, may
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record_many
from apps.core.views import service_refusals
from apps.reports.selectors import report_figures

from .codes import retour_text
from .declarations import declaration_draft, declaration_line_resolve, declaration_send
from .declarations.selectors import (
    declaration_declared_before,
    declaration_funders_for,
    declaration_lines_of,
    declaration_rejected_for,
    declaration_runs_for,
    declaration_totals,
)
from .models import Resolution
from .views_access import refused, refused_unless


def _log_clients(request: HttpRequest, clients, detail: str) -> None:
    clients = list({client.pk: client for client in clients}.values())
    if clients:
        access_log_record_many(
            user=request.user,
            clients=clients,
            event=AccessEvent.VIEW,
            basis=AccessBasis.MANAGEMENT,
            detail=detail[:200],
        )


def _explained(lines) -> list:
    """The lines, each with its retour codes explained in the user's language."""
    lines = list(lines)
    for line in lines:
        line.explained = [(code, retour_text(code)) for code in line.retour_codes]
    return lines


class DraftForm(forms.Form):
    funder = forms.ModelChoiceField(label=gettext_lazy("Municipality"), queryset=None)
    month = forms.CharField(
        label=gettext_lazy("Month"),
        help_text=gettext_lazy("As year-month, e.g. 2026-10."),
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def __init__(self, *args, funders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders

    def clean_month(self) -> date:
        value = self.cleaned_data["month"].strip()
        match = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if match is None or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(_("Give the month as year-month, e.g. 2026-10."))
        return date(int(match[1]), int(match[2]), 1)


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (Resolution.CORRECTED, Resolution.CORRECTED.label),
            (Resolution.DROPPED, Resolution.DROPPED.label),
        ],
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=500)


@require_http_methods(["GET", "POST"])
def declaration_list(request: HttpRequest) -> HttpResponse:
    refused_unless(request, VIEW_MESSAGES)
    organisation = request.user.organisation
    form = DraftForm(
        request.POST or None, funders=declaration_funders_for(organisation=organisation)
    )
    if request.method == "POST":
        refused_unless(request, SEND_MESSAGES)
        if form.is_valid():
            with service_refusals(request, form=form):
                runs = declaration_draft(
                    organisation=organisation,
                    funder=form.cleaned_data["funder"],
                    month=form.cleaned_data["month"],
                    actor=request.user,
                )
                if not runs:
                    messages.info(request, _("Nothing to declare for this month."))
                    return redirect("exchange:declarations")
                messages.success(request, _("The draft is ready; check it and send it."))
                return redirect("exchange:declaration_detail", pk=runs[0].pk)
    return render(
        request,
        "exchange/declarations_list.html",
        {
            "form": form,
            "runs": declaration_runs_for(organisation=organisation)[:100],
            "may_send": may(request.user, SEND_MESSAGES),
        },
    )


@require_http_methods(["GET", "POST"])
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    refused_unless(request, VIEW_MESSAGES)
    run = declaration_runs_for(organisation=request.user.organisation).filter(pk=pk).first()
    if run is None:
        raise refused(request)
    if request.method == "POST":
        refused_unless(request, SEND_MESSAGES)
        with service_refusals(request):
            declaration_send(run=run, actor=request.user)
            messages.success(request, _("The declaration was sent."))
        return redirect("exchange:declaration_detail", pk=run.pk)
    lines = _explained(declaration_lines_of(run=run))
    _log_clients(request, [line.client for line in lines], f"declaration {run.number}")
    report = report_figures(
        organisation=run.organisation,
        funder=run.funder,
        period_start=run.period_start,
        period_end=run.period_end,
    )
    totals = declaration_totals(run=run)
    before = declaration_declared_before(run=run)
    return render(
        request,
        "exchange/declarations_detail.html",
        {
            "run": run,
            "lines": lines,
            "totals": totals,
            "declared_before_cents": before,
            "declared_cents": before + totals["net"],
            "report_cents": report.total_cents,
            "may_send": may(request.user, SEND_MESSAGES),
        },
    )


@require_http_methods(["GET", "POST"])
def declaration_rejected(request: HttpRequest) -> HttpResponse:
    refused_unless(request, VIEW_MESSAGES)
    organisation = request.user.organisation
    queue = declaration_rejected_for(organisation=organisation)
    form = ResolveForm(request.POST or None)
    if request.method == "POST":
        refused_unless(request, SEND_MESSAGES)
        line = queue.filter(pk=request.POST.get("line") or 0).first()
        if line is None:
            raise refused(request)
        if form.is_valid():
            with service_refusals(request):
                declaration_line_resolve(
                    line=line,
                    resolution=form.cleaned_data["resolution"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
                messages.success(request, _("The decision was recorded."))
                return redirect("exchange:declarations_rejected")
        else:
            messages.error(request, " ".join(str(e) for e in form.errors.values()))
    lines = _explained(queue[:500])
    _log_clients(request, [line.client for line in lines], "declarations rejected")
    return render(
        request,
        "exchange/declarations_rejected.html",
        {"lines": lines, "may_send": may(request.user, SEND_MESSAGES)},
    )
