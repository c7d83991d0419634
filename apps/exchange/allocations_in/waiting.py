"""The allocations that wait for their client: a JW301 / WMO301 for a BSN the organisation has
no client for yet. A caseworker links them once the client is registered; the allocation is
then made as the message said, and the message is processed once nothing of it waits."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Organisation, User
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_write
from apps.clients.models import Client
from apps.exchange.models import MessageStatus, WaitingAllocation, WaitingStatus
from apps.exchange.store import message_status_set
from apps.funding.models import Contract, Product

from .handler import allocation_from_line, received_record


def waiting_allocations_for(*, organisation: Organisation) -> QuerySet[WaitingAllocation]:
    """The organisation's allocations that wait for their client, oldest first."""
    return (
        WaitingAllocation.objects.filter(
            message__organisation=organisation, status=WaitingStatus.WAITING
        )
        .select_related("message", "message__funder")
        .order_by("pk")
    )


def waiting_allocation_get_for(*, organisation: Organisation, pk: int) -> WaitingAllocation | None:
    return waiting_allocations_for(organisation=organisation).filter(pk=pk).first()


@transaction.atomic
def waiting_allocation_link(
    *, waiting: WaitingAllocation, client: Client, actor: User | None
) -> list[WaitingAllocation]:
    """Link a waiting allocation, and the others of its message for the same BSN, to their
    client: each allocation is registered as received. Returns the ones linked."""
    waiting = WaitingAllocation.objects.select_for_update().get(pk=waiting.pk)
    if waiting.status != WaitingStatus.WAITING:
        raise ValidationError(_("This allocation no longer waits for its client."))
    message = waiting.message
    if client.organisation_id != message.organisation_id or client.bsn != waiting.bsn:
        raise ValidationError(
            _("The client's BSN is not the BSN of the allocation: choose the right client.")
        )
    siblings = list(
        WaitingAllocation.objects.select_for_update()
        .filter(message=message, bsn=waiting.bsn, status=WaitingStatus.WAITING)
        .order_by("pk")
    )
    now = timezone.now()
    for item in siblings:
        data = item.product
        product = Product.objects.filter(pk=data.get("product_id")).first()
        contract = Contract.objects.get(pk=data["contract_id"])
        allocation = allocation_from_line(
            client=client, data=data, contract=contract, product=product, actor=actor
        )
        received_record(message=message, allocation=allocation, data=data)
        item.status = WaitingStatus.LINKED
        item.client = client
        item.allocation = allocation
        item.resolved_by = actor
        item.resolved_at = now
        item._history_user = actor
        item.save(update_fields=["status", "client", "allocation", "resolved_by", "resolved_at"])
    access_log_write(
        actor=actor,
        event=AccessEvent.CHANGE,
        client=client,
        obj=message,
        basis=AccessBasis.ADMINISTRATION,
    )
    _processed_unless_waiting(message=message, actor=actor)
    if client.pk not in message.client_ids:
        message.client_ids = sorted({*message.client_ids, client.pk})
        message._history_user = actor
        message.save(update_fields=["client_ids"])
    return siblings


@transaction.atomic
def waiting_allocation_dismiss(*, waiting: WaitingAllocation, actor: User | None) -> None:
    """Dismiss a waiting allocation that will never have a client here (e.g. the person
    never came into care): it stays on record, no allocation is made."""
    waiting = WaitingAllocation.objects.select_for_update().get(pk=waiting.pk)
    if waiting.status != WaitingStatus.WAITING:
        raise ValidationError(_("This allocation no longer waits for its client."))
    waiting.status = WaitingStatus.DISMISSED
    waiting.resolved_by = actor
    waiting.resolved_at = timezone.now()
    waiting._history_user = actor
    waiting.save(update_fields=["status", "resolved_by", "resolved_at"])
    _processed_unless_waiting(message=waiting.message, actor=actor)


def _processed_unless_waiting(*, message, actor: User | None) -> None:
    """A message is processed once none of its allocations waits any more."""
    still_waiting = message.waiting_allocations.filter(status=WaitingStatus.WAITING).exists()
    if message.status == MessageStatus.WAITING and not still_waiting:
        message_status_set(message=message, status=MessageStatus.PROCESSED, actor=actor)
