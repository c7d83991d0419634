"""Reads of the exchange for the manager's pages and the API."""

from __future__ import annotations

from django.db.models import Prefetch

from apps.accounts.models import Organisation
from apps.clients.models import Client
from apps.funding.models import Funder

from .models import AllocationRequest, Direction, Message, MessageQuerySet


def messages_for(*, organisation: Organisation) -> MessageQuerySet:
    """The organisation's messages, newest first, with what a list shows."""
    return Message.objects.of(organisation).select_related("funder", "in_reply_to")


def message_get_for(*, organisation: Organisation, pk: int) -> Message | None:
    return messages_for(organisation=organisation).filter(pk=pk).first()


def allocation_requests_for(*, organisation: Organisation):
    """The organisation's allocation and change requests, newest first, with what the list
    shows (a fixed number of queries whatever their number)."""
    return (
        AllocationRequest.objects.of(organisation)
        .select_related(
            "client",
            "funder",
            "product",
            "allocation",
            "honoured_by",
            "sent_message",
            "retour_message",
            "answer_message",
        )
        .order_by("-created_at", "-pk")
    )


def message_list_for(
    *,
    organisation: Organisation,
    direction: str = "",
    kind: str = "",
    status: str = "",
    funder: Funder | None = None,
) -> MessageQuerySet:
    """The inbox (``direction="in"``) or the outbox (``"out"``), or both, filtered; each
    message with its municipality, what it answers and its answers (a constant number of
    queries, however many messages a page shows)."""
    messages = messages_for(organisation=organisation).prefetch_related(
        Prefetch("replies", queryset=Message.objects.order_by("created_at", "pk"))
    )
    if direction in (Direction.IN, Direction.OUT):
        messages = messages.filter(direction=direction)
    if kind:
        messages = messages.filter(kind=kind)
    if status:
        messages = messages.filter(status=status)
    if funder is not None:
        messages = messages.filter(funder=funder)
    return messages.order_by("-created_at", "-pk")


def message_kinds_for(*, organisation: Organisation) -> list[str]:
    """The kinds of message the organisation has received or sent, for the filter."""
    return sorted(set(Message.objects.of(organisation).values_list("kind", flat=True).distinct()))


def message_funders_for(*, organisation: Organisation):
    """The municipalities the organisation's messages came from or went to."""
    return Funder.objects.filter(exchange_messages__organisation=organisation).distinct()


def message_clients(*, message: Message):
    """The clients a message names, of its own organisation only."""
    return Client.objects.filter(
        organisation_id=message.organisation_id, pk__in=message.client_ids
    ).order_by("client_number")
