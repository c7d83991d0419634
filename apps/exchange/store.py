"""Writes every part of the exchange shares: storing a message file as it was, numbering and
sending outgoing messages, moving a message's status, logging the clients it names."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Organisation, User
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_write_many
from apps.clients.models import Client
from apps.funding.models import Funder

from .models import MESSAGE_STATUS_TRANSITIONS, Direction, Message, MessageStatus, OutgoingCounter
from .transport import transport_get
from .xml import Header

logger = logging.getLogger(__name__)


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def message_store(
    *,
    organisation: Organisation,
    direction: str,
    header: Header,
    content: bytes,
    filename: str,
    status: str,
    actor: User | None,
    funder: Funder | None = None,
    in_reply_to: Message | None = None,
    outcome: Iterable[dict] = (),
    clients: Iterable[Client] = (),
    transport: str = "folder",
) -> Message:
    """Store one message file byte for byte, with its header and what was done with it; log
    the clients it names. Call inside the transaction of the work the message causes."""
    clients = list(clients)
    message = Message(
        organisation=organisation,
        direction=direction,
        standard=header.standard,
        kind=header.kind,
        message_code=header.message_code,
        identification=header.identification,
        dated=header.dated,
        sender=header.sender,
        receiver=header.receiver,
        funder=funder,
        filename=filename[:255],
        size=len(content),
        sha256=sha256_of(content),
        status=status,
        outcome=list(outcome),
        in_reply_to=in_reply_to,
        client_ids=sorted({client.pk for client in clients}),
        transport=transport,
        created_by=actor,
    )
    message.file.save(
        f"{header.kind.lower()}-{message.sha256[:16]}.xml", ContentFile(content), save=False
    )
    message.full_clean(exclude=["file"])
    message._history_user = actor
    message.save()
    message_clients_log(message=message, clients=clients, actor=actor, event=AccessEvent.CREATE)
    return message


def message_clients_log(
    *, message: Message, clients: Iterable[Client], actor: User | None, event: AccessEvent
) -> None:
    """One access-log entry per client a message names (NEN 7513: who, which client, what)."""
    access_log_write_many(
        actor=actor,
        event=event,
        changed=[(client, message) for client in clients],
        basis=AccessBasis.ADMINISTRATION,
    )


def message_status_set(
    *, message: Message, status: str, actor: User | None, outcome: Iterable[dict] | None = None
) -> Message:
    """Move a message to its next status, as ``MESSAGE_STATUS_TRANSITIONS`` allows."""
    if status not in MESSAGE_STATUS_TRANSITIONS[message.status]:
        raise ValidationError(
            _("A message that is “%(old)s” cannot become “%(new)s”.")
            % {
                "old": MessageStatus(message.status).label,
                "new": MessageStatus(status).label,
            }
        )
    message.status = status
    fields = ["status"]
    if outcome is not None:
        message.outcome = list(outcome)
        fields.append("outcome")
    if status not in (MessageStatus.SENT, MessageStatus.READY):
        message.processed_at = timezone.now()
        fields.append("processed_at")
    message._history_user = actor
    message.save(update_fields=fields)
    return message


@transaction.atomic
def message_next_identification(*, organisation: Organisation) -> str:
    """The next identification of an outgoing message (at most 12 positions, RS017)."""
    counter, _created = OutgoingCounter.objects.get_or_create(organisation=organisation)
    counter = OutgoingCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{counter.last:012d}"


def message_send(*, message: Message, actor: User | None) -> Message:
    """Put a ready outgoing message in the outbox and hand it to the transport once the
    transaction that made it commits (a rolled-back message is never sent).

    ``sent_at`` records when the transport took the file. A transport that fails leaves it
    empty; ``messages_deliver_pending`` (every 15 minutes) hands such messages over again, so a
    message is never lost and never delivered twice by us.
    """
    if message.direction != Direction.OUT:
        raise ValidationError(_("Only an outgoing message can be sent."))
    message_status_set(message=message, status=MessageStatus.SENT, actor=actor)
    transaction.on_commit(partial(message_deliver, message_id=message.pk))
    return message


def message_deliver(*, message_id: int) -> bool:
    """Hand one outgoing message's file to the transport, unless it was handed over before.
    Returns whether it was delivered now; a transport error is logged, not raised."""
    message = Message.objects.filter(
        pk=message_id, direction=Direction.OUT, sent_at__isnull=True
    ).first()
    if message is None:
        return False
    try:
        with message.file.open("rb") as file:
            transport_get().deliver(
                filename=f"{message.kind}-{message.identification}.xml", content=file.read()
            )
    except Exception:
        logger.exception("Message %s could not be handed to the transport", message_id)
        return False
    # The time the transport took it: bookkeeping of the transport, not a change of the
    # message by anyone, so no history row (the status change to "sent" has one).
    Message.objects.filter(pk=message_id, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def messages_deliver_pending() -> int:
    """Deliver every outgoing message the transport has not taken yet; how many were."""
    pending = (
        Message.objects.filter(direction=Direction.OUT, sent_at__isnull=True)
        .exclude(status=MessageStatus.READY)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(message_deliver(message_id=pk) for pk in pending)
