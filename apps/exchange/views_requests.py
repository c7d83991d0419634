"""The request pages (managers): the list of requests with their answers, the one-step request
for an allocation from the unfunded queue (315), and the request for a change (317)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.models import Role
from apps.accounts.permissions import SEND_MESSAGES, VIEW_MESSAGES
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record, access_log_record_many
from apps.clients.models import Client
from apps.core.views import service_refusals
from apps.funding.models import Allocation

from .codes import retour_text
from .forms_requests import AllocationRequestForm, ChangeRequestForm
from .requests import (
    allocation_request_create,
    allocation_request_proposal,
    allocation_request_send,
    change_request_create,
    change_request_send,
    contract_products,
    current_allocations,
)
from .selectors import allocation_requests_for
from .views_access import refused, refused_unless

REQUESTS_SHOWN = 200


def _log_client(request: HttpRequest, client: Client, what: str) -> None:
    access_log_record(
        user=request.user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.MANAGEMENT,
        client=client,
        detail=what,
        acting_role=Role.MANAGER,
    )


@require_http_methods(["GET"])
def request_list(request: HttpRequest) -> HttpResponse:
    refused_unless(request, VIEW_MESSAGES)
    organisation = request.user.organisation
    requests = list(allocation_requests_for(organisation=organisation)[:REQUESTS_SHOWN])
    for item in requests:
        item.retour_texts = [(code, retour_text(code)) for code in item.retour_codes or ()]
    access_log_record_many(
        user=request.user,
        clients=list({item.client_id: item.client for item in requests}.values()),
        event=AccessEvent.VIEW,
        basis=AccessBasis.MANAGEMENT,
        detail="allocation requests",
        acting_role=Role.MANAGER,
    )
    return render(
        request,
        "exchange/requests_list.html",
        {"requests": requests, "shown": REQUESTS_SHOWN},
    )


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """One step from the unfunded queue: the proposal, confirmed or corrected, is sent."""
    refused_unless(request, VIEW_MESSAGES, SEND_MESSAGES)
    organisation = request.user.organisation
    client_pk = request.GET.get("client", "")
    client = (
        Client.objects.filter(organisation=organisation, pk=client_pk).first()
        if client_pk.isdigit()
        else None
    )
    if client is None:
        raise refused(request)
    _log_client(request, client, "allocation request")
    proposal = allocation_request_proposal(organisation=organisation, client=client)
    products = (
        contract_products(
            organisation=organisation, funder=proposal.funder, standard=proposal.standard
        )
        if proposal.funder is not None
        else None
    )
    initial = {
        "product": proposal.product,
        "volume": proposal.volume,
        "frequency": proposal.frequency,
        "start": proposal.start,
        "end": proposal.end,
    }
    form = AllocationRequestForm(request.POST or None, initial=initial, products=products)
    if request.method == "POST" and not proposal.problem and form.is_valid():
        data = form.cleaned_data
        # Made and sent together: a request that cannot be sent leaves no draft behind.
        with service_refusals(request, form=form), transaction.atomic():
            made = allocation_request_create(
                organisation=organisation,
                client=client,
                standard=proposal.standard,
                product=data["product"],
                volume=data["volume"],
                frequency=data["frequency"],
                budget_cents=form.budget_cents,
                start=data["start"],
                end=data["end"],
                referrer_type=data["referrer_type"],
                referrer_name=data["referrer_name"],
                referrer_agb=data["referrer_agb"],
                comment=data["comment"],
                activity_ids=proposal.activity_ids,
                actor=request.user,
            )
            message = allocation_request_send(request=made, actor=request.user)
            messages.success(
                request,
                _("Request %(reference)s was sent to %(funder)s (%(kind)s %(id)s).")
                % {
                    "reference": made.provider_reference,
                    "funder": made.funder.name,
                    "kind": message.kind,
                    "id": message.identification,
                },
            )
            return redirect(reverse("exchange:requests"))
    return render(
        request,
        "exchange/requests_new.html",
        {"client": client, "proposal": proposal, "form": form},
    )


@require_http_methods(["GET", "POST"])
def request_change(request: HttpRequest, pk: int) -> HttpResponse:
    """A request for a change (317) of an allocation that runs out."""
    refused_unless(request, VIEW_MESSAGES, SEND_MESSAGES)
    organisation = request.user.organisation
    allocation = (
        Allocation.objects.filter(client__organisation=organisation, pk=pk)
        .select_related("client", "funder", "product", "contract__stream")
        .first()
    )
    if allocation is None:
        raise refused(request)
    client = allocation.client
    _log_client(request, client, "change request")
    others = [
        item
        for item in current_allocations(
            client=client, funder=allocation.funder, on=timezone.localdate()
        )
        if item.pk != allocation.pk
    ]
    form = ChangeRequestForm(
        request.POST or None,
        initial={
            "volume": allocation.volume,
            "frequency": allocation.frequency,
            "start": allocation.start,
            "end": allocation.end,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_refusals(request, form=form), transaction.atomic():
            made = change_request_create(
                organisation=organisation,
                allocation=allocation,
                reason=data["reason"],
                start=data["start"],
                end=data["end"],
                volume=data["volume"],
                frequency=data["frequency"],
                budget_cents=form.budget_cents,
                comment=data["comment"],
                actor=request.user,
            )
            message = change_request_send(request=made, actor=request.user)
            messages.success(
                request,
                _("Change request %(reference)s was sent to %(funder)s (%(kind)s %(id)s).")
                % {
                    "reference": made.provider_reference,
                    "funder": made.funder.name,
                    "kind": message.kind,
                    "id": message.identification,
                },
            )
            return redirect(reverse("exchange:requests"))
    return render(
        request,
        "exchange/requests_change.html",
        {"allocation": allocation, "client": client, "others": others, "form": form},
    )
