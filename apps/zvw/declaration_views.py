"""The manager's pages for the insurers: /zvw/declarations/ (draft a month per insurer), a
declaration's lines to review, approve and export as the EI file, its answer to import, and the
queue of rejected lines. Another organisation's declaration or line, or a user without the role,
gets a logged 404, as on the municipal declaration pages."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.permissions import SEND_MESSAGES, VIEW_MESSAGES, may
from apps.audit.models import AccessBasis, AccessEvent, AccessOutcome
from apps.audit.services import access_log_record, access_log_record_many
from apps.core.views import service_refusals

from .declaration import (
    declaration_total,
    insurer_answer_import,
    insurer_declaration_approve,
    insurer_declaration_draft,
    insurer_declaration_export,
    rejected_line_resolve,
)
from .models import DeclarationLine, InsurerDeclaration, LineStatus
from .selectors import insurer_label, insurer_names, insurers_for

MAX_ANSWER_BYTES = 5 * 1024 * 1024  # as the EI messages: at most 5 MB a file
FIRST_MONTH = date(2022, 1, 1)  # the zorgprestatiemodel's start


def _refused(request: HttpRequest) -> Http404:
    access_log_record(
        user=request.user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.NONE,
        outcome=AccessOutcome.REFUSED,
        detail=f"zvw {request.path}"[:200],
    )
    return Http404()


def _require(request: HttpRequest, *permissions: str) -> None:
    if not all(may(request.user, permission) for permission in permissions):
        raise _refused(request)


def _declaration(request: HttpRequest, pk: int) -> InsurerDeclaration:
    declaration = (
        InsurerDeclaration.objects.filter(pk=pk, organisation_id=request.user.organisation_id)
        .select_related("organisation", "created_by", "approved_by")
        .first()
    )
    if declaration is None:
        raise _refused(request)
    return declaration


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


def ended_months(today: date) -> list[tuple[str, str]]:
    """The months a declaration may be drafted for, newest first: those that have ended, back
    to the zorgprestatiemodel's start (January 2022); as ("YYYY-MM", the month in words)."""
    months = []
    month = date(today.year, today.month, 1)
    while True:
        month = (month - timedelta(days=1)).replace(day=1)
        if month < FIRST_MONTH:
            return months
        months.append((f"{month:%Y-%m}", date_format(month, "YEAR_MONTH_FORMAT")))


class DraftForm(forms.Form):
    """The insurer from a list (those with a contract or clients of the organisation, by name
    and UZOVI code) and a month that has ended, from a list: both checked against the lists."""

    uzovi = forms.ChoiceField(
        label=gettext_lazy("Insurer"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "Choose an insurer from the list: one your organisation has a contract or "
                "clients with."
            )
        },
    )
    month = forms.ChoiceField(
        label=gettext_lazy("Month"),
        help_text=gettext_lazy("A month that has ended: its care is declared once a month."),
        error_messages={
            "invalid_choice": gettext_lazy("Choose a month from the list: one that has ended.")
        },
    )

    def __init__(self, *args, organisation_id: int, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        insurers = insurers_for(organisation_id=organisation_id)
        self.fields["uzovi"].choices = [("", _("Choose an insurer")), *insurers]
        self.fields["month"].choices = ended_months(today)

    def clean_month(self) -> tuple[int, int]:
        year, month = self.cleaned_data["month"].split("-")
        return int(year), int(month)


class AnswerForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("The insurer's answer (EI file)"))

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ANSWER_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        try:
            return upload.read().decode("ascii")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("An EI file holds ASCII text only.")) from error


@require_http_methods(["GET", "POST"])
def declaration_list(request: HttpRequest) -> HttpResponse:
    """The organisation's insurer declarations, and the form to draft a month."""
    _require(request, VIEW_MESSAGES)
    form = DraftForm(
        request.POST or None,
        organisation_id=request.user.organisation_id,
        today=timezone.localdate(),
    )
    if request.method == "POST":
        _require(request, SEND_MESSAGES)
        if form.is_valid():
            year, month = form.cleaned_data["month"]
            with service_refusals(request, form=form):
                draft = insurer_declaration_draft(
                    organisation=request.user.organisation,
                    uzovi=form.cleaned_data["uzovi"],
                    year=year,
                    month=month,
                    actor=request.user,
                )
                for item in draft.blocked:
                    messages.warning(
                        request,
                        _("No tariff for %(prestatie)s in %(year)s: left out.")
                        % {"prestatie": item["prestatie"].key, "year": year},
                    )
                if draft.declaration is None:
                    messages.info(request, _("Nothing to declare for this insurer and month."))
                    return redirect("zvw:declarations")
                messages.success(request, _("The declaration is drafted: review it."))
                return redirect("zvw:declaration", pk=draft.declaration.pk)
    declarations = list(
        InsurerDeclaration.objects.filter(organisation_id=request.user.organisation_id).order_by(
            "-year", "-month", "uzovi", "-pk"
        )[:100]
    )
    names = insurer_names(declaration.uzovi for declaration in declarations)
    for declaration in declarations:
        declaration.insurer = insurer_label(declaration.uzovi, names)
        declaration.month_label = date_format(
            date(declaration.year, declaration.month, 1), "YEAR_MONTH_FORMAT"
        )
    return render(
        request,
        "zvw/declaration_list.html",
        {
            "declarations": declarations,
            "form": form,
            "may_send": may(request.user, SEND_MESSAGES),
        },
    )


@require_http_methods(["GET"])
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A declaration's lines, to review; approve, export and answer from here."""
    _require(request, VIEW_MESSAGES)
    declaration = _declaration(request, pk)
    lines = list(declaration.lines.select_related("client", "practitioner").order_by("line_number"))
    _log_clients(request, [line.client for line in lines], f"insurer declaration {declaration}")
    return render(
        request,
        "zvw/declaration_detail.html",
        {
            "declaration": declaration,
            "insurer": insurer_label(declaration.uzovi, insurer_names([declaration.uzovi])),
            "lines": lines,
            "total": declaration_total(declaration),
            "uncontracted": any(not line.contracted for line in lines),
            "answer_form": AnswerForm(),
            "may_send": may(request.user, SEND_MESSAGES),
        },
    )


@require_POST
def declaration_approve(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, SEND_MESSAGES)
    declaration = _declaration(request, pk)
    with service_refusals(request):
        insurer_declaration_approve(declaration=declaration, actor=request.user)
        messages.success(request, _("The declaration is reviewed: export it."))
    return redirect("zvw:declaration", pk=declaration.pk)


@require_POST
def declaration_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The EI file, to send to the insurer through VECOZO."""
    _require(request, SEND_MESSAGES)
    declaration = _declaration(request, pk)
    with service_refusals(request):
        text = insurer_declaration_export(declaration=declaration, actor=request.user)
        response = HttpResponse(text.encode("ascii"), content_type="text/plain; charset=ascii")
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = (
            f'attachment; filename="{declaration.number}-{declaration.uzovi}-{stamp}.asc"'
        )
        return response
    return redirect("zvw:declaration", pk=declaration.pk)


@require_POST
def declaration_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Import the insurer's answer: accepted and rejected lines."""
    _require(request, SEND_MESSAGES)
    declaration = _declaration(request, pk)
    form = AnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("zvw:declaration", pk=declaration.pk)
    with service_refusals(request):
        result = insurer_answer_import(
            declaration=declaration, text=form.cleaned_data["file"], actor=request.user
        )
        messages.success(
            request,
            _("The answer is read: %(accepted)s lines accepted, %(rejected)s rejected.")
            % {"accepted": result.accepted, "rejected": result.rejected},
        )
    return redirect("zvw:declaration", pk=declaration.pk)


@require_http_methods(["GET"])
def rejected_queue(request: HttpRequest) -> HttpResponse:
    """The insurers' rejected lines that wait to be handled."""
    _require(request, VIEW_MESSAGES)
    lines = list(
        DeclarationLine.objects.filter(
            declaration__organisation_id=request.user.organisation_id,
            status=LineStatus.REJECTED,
        )
        .select_related("declaration", "client", "practitioner")
        .order_by("date", "pk")[:200]
    )
    _log_clients(request, [line.client for line in lines], "insurer rejected lines")
    return render(
        request,
        "zvw/rejected_queue.html",
        {"lines": lines, "may_send": may(request.user, SEND_MESSAGES)},
    )


@require_POST
def rejected_resolve(request: HttpRequest, line_pk: int) -> HttpResponse:
    _require(request, SEND_MESSAGES)
    line = DeclarationLine.objects.filter(
        pk=line_pk, declaration__organisation_id=request.user.organisation_id
    ).first()
    if line is None:
        raise _refused(request)
    with service_refusals(request):
        rejected_line_resolve(line=line, actor=request.user)
        messages.success(request, _("The rejected line is handled."))
    return redirect("zvw:rejected")
