"""Reads of the exchange for the manager's pages and the API."""

from __future__ import annotations

from apps.accounts.models import Organisation

from .models import Message, MessageQuerySet


def messages_for(*, organisation: Organisation) -> MessageQuerySet:
    """The organisation's messages, newest first, with what a list shows."""
    return Message.objects.of(organisation).select_related("funder", "in_reply_to")


def message_get_for(*, organisation: Organisation, pk: int) -> Message | None:
    return messages_for(organisation=organisation).filter(pk=pk).first()
