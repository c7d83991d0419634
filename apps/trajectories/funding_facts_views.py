"""The page of a client's funding facts: its CIZ indications (Wlz) and its own health
insurers (Zvw), with their periods; recording or ending one decides the client's care again
(docs/funding.md, "Who is responsible")."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.audit.models import AccessBasis
from apps.clients.models import HealthInsurance, WlzIndication
from apps.core.views import service_refusals

from .access import ClientAccess, client_open_for
from .forms import FundingFactEndForm, HealthInsuranceForm, WlzIndicationForm
from .funding_facts import (
    health_insurance_register,
    health_insurance_stop,
    wlz_indication_register,
    wlz_indication_stop,
)

WHAT = "funding facts"
WLZ, ZVW = "wlz", "zvw"


def _sees_funding(access: ClientAccess) -> bool:
    # Whoever sees the client's funding reads the facts it follows: the care team's
    # caseworkers, the manager, and a caseworker under emergency access (read only).
    return access.sees_funding


def _may_record(access: ClientAccess) -> bool:
    # A caseworker of the care team records them, as extended youth care. So does the
    # manager: they register the client's allocations (funding:allocation_new), the CIZ
    # decision and the insurer come with the same paperwork, and they already see the
    # funding of every client of the organisation; these facts say who pays, nothing of the
    # care itself. Emergency access never records them: it is for the care given now.
    return access.may_change_care_team or access.basis == AccessBasis.MANAGEMENT


def _page(request, client, access, *, wlz_form=None, zvw_form=None) -> HttpResponse:
    may_record = _may_record(access)
    indications = list(WlzIndication.objects.filter(client=client).order_by("-start", "-pk"))
    insurances = list(HealthInsurance.objects.filter(client=client).order_by("-start", "-pk"))
    if may_record:
        for period in indications + insurances:
            if period.end is None:
                period.end_form = FundingFactEndForm(prefix=f"end-{period.pk}")
    return render(
        request,
        "clients/funding_facts.html",
        {
            "client": client,
            "display_name": access.name_of(client),
            "indications": indications,
            "insurances": insurances,
            "may_record": may_record,
            "wlz_form": wlz_form or WlzIndicationForm(prefix=WLZ),
            "zvw_form": zvw_form or HealthInsuranceForm(prefix=ZVW),
        },
    )


@require_http_methods(["GET", "POST"])
def funding_facts(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's Wlz indications and health insurers, and the forms to record one."""
    require = _may_record if request.method == "POST" else _sees_funding
    client, access = client_open_for(user=request.user, pk=pk, what=WHAT, require=require)
    if request.method == "GET":
        return _page(request, client, access)
    if request.POST.get("fact") == ZVW:
        form = HealthInsuranceForm(request.POST, prefix=ZVW)
        if form.is_valid():
            with service_refusals(request, form=form):
                health_insurance_register(client=client, actor=request.user, **form.cleaned_data)
                messages.success(request, _("The health insurer is recorded."))
                return redirect("clients:funding_facts", pk=client.pk)
        return _page(request, client, access, zvw_form=form)
    form = WlzIndicationForm(request.POST, prefix=WLZ)
    if form.is_valid():
        with service_refusals(request, form=form):
            wlz_indication_register(client=client, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The Wlz indication is recorded."))
            return redirect("clients:funding_facts", pk=client.pk)
    return _page(request, client, access, wlz_form=form)


def _end(request, pk, model, fact_pk, stop, key, done):
    client, _access = client_open_for(user=request.user, pk=pk, what=WHAT, require=_may_record)
    period = model.objects.filter(client=client, pk=fact_pk).first()
    if period is None:
        raise Http404
    form = FundingFactEndForm(request.POST, prefix=f"end-{period.pk}")
    if form.is_valid():
        with service_refusals(request):
            stop(**{key: period}, end=form.cleaned_data["end"], actor=request.user)
            messages.success(request, done)
    else:
        messages.error(request, _("Give the last day as a date."))
    return redirect("clients:funding_facts", pk=client.pk)


@require_POST
def wlz_indication_finish(request: HttpRequest, pk: int, fact_pk: int) -> HttpResponse:
    """End an open Wlz indication: the last day it is valid."""
    return _end(
        request, pk, WlzIndication, fact_pk, wlz_indication_stop, "indication",
        _("The Wlz indication is ended."),
    )  # fmt: skip


@require_POST
def health_insurance_finish(request: HttpRequest, pk: int, fact_pk: int) -> HttpResponse:
    """End an open health insurance: the last day the client is insured with it."""
    return _end(
        request, pk, HealthInsurance, fact_pk, health_insurance_stop, "insurance",
        _("The health insurance is ended."),
    )  # fmt: skip
