"""The caseworkers' page of the allocations that wait for their client (/messages/waiting/):
a JW301 / WMO301 for a BSN the organisation has no client for yet. The page shows the BSN and
date of birth only (the record is not a client yet); a caseworker links the allocation to the
client with that BSN once the client is registered and the caseworker may see the client."""

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from apps.accounts.permissions import LINK_WAITING_ALLOCATION
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record
from apps.clients.models import Client
from apps.core.views import service_refusals
from apps.trajectories.access import client_access_for, client_open_for

from .allocations_in import (
    waiting_allocation_dismiss,
    waiting_allocation_get_for,
    waiting_allocation_link,
    waiting_allocations_for,
)
from .views_access import refused, refused_unless


def _date_or_none(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@require_http_methods(["GET"])
def waiting_list(request: HttpRequest) -> HttpResponse:
    """The organisation's waiting allocations, each with the client it can be linked to (a
    client with its BSN whom the caseworker may see) or the advice to register the client."""
    refused_unless(request, LINK_WAITING_ALLOCATION)
    organisation = request.user.organisation
    rows = list(waiting_allocations_for(organisation=organisation))
    bsns = {row.bsn for row in rows}
    clients = {
        client.bsn: client
        for client in Client.objects.filter(organisation=organisation, bsn__in=bsns)
    }
    for row in rows:
        # The product's dates as received (ISO text), as dates for the page's date format.
        row.start = _date_or_none(row.product.get("start"))
        row.end = _date_or_none(row.product.get("end"))
        client = clients.get(row.bsn)
        row.link_to = (
            client
            if client is not None and client_access_for(user=request.user, client=client)
            else None
        )
    # The BSNs and dates of birth of people who are not clients yet: the read is logged.
    access_log_record(
        user=request.user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.ADMINISTRATION,
        detail=f"waiting allocations ({len(rows)})",
    )
    return render(request, "exchange/allocations_in_waiting.html", {"rows": rows})


@require_http_methods(["POST"])
def waiting_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a waiting allocation to the client with its BSN (the client's read is logged)."""
    refused_unless(request, LINK_WAITING_ALLOCATION)
    waiting = waiting_allocation_get_for(organisation=request.user.organisation, pk=pk)
    if waiting is None:
        raise refused(request)
    client = Client.objects.filter(organisation=request.user.organisation, bsn=waiting.bsn).first()
    if client is None:
        messages.error(
            request,
            _(
                "There is no client with BSN %(bsn)s yet: register the client first, then link "
                "the allocation."
            )
            % {"bsn": waiting.bsn},
        )
        return redirect("exchange:waiting")
    client, _access = client_open_for(
        user=request.user, pk=client.pk, what="link a waiting allocation"
    )
    with service_refusals(request):
        linked = waiting_allocation_link(waiting=waiting, client=client, actor=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d allocation linked to the client; it is now on the client's record.",
                "%(count)d allocations linked to the client; they are now on the client's record.",
                len(linked),
            )
            % {"count": len(linked)},
        )
    return redirect("exchange:waiting")


@require_http_methods(["POST"])
def waiting_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Dismiss a waiting allocation that will never have a client here."""
    refused_unless(request, LINK_WAITING_ALLOCATION)
    waiting = waiting_allocation_get_for(organisation=request.user.organisation, pk=pk)
    if waiting is None:
        raise refused(request)
    with service_refusals(request):
        waiting_allocation_dismiss(waiting=waiting, actor=request.user)
        messages.success(request, _("The waiting allocation is dismissed; no allocation is made."))
    return redirect("exchange:waiting")
