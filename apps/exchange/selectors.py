"""Reads of the exchange for the manager's pages and the API."""

from __future__ import annotations

from apps.accounts.models import Organisation

from .models import AllocationRequest, Message, MessageQuerySet


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
