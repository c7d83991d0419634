"""Receiving message files: the checks every file passes before the part of the exchange that
handles its kind sees it.

A file is refused with a clear message, and nothing is stored or changed, when it cannot be a
message for this organisation: too large, not XML, not an iJw / iWmo 3.2 message, a kind this
system does not receive, addressed to another provider's AGB code, or a file or identification
received before (TR056: the identification is unique per message kind for the sender). Every
other file is stored as it was and handed to its handler, which validates it against the schema
and the rules, does its work and answers with a retour where the standard has one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from apps.accounts.models import Organisation, User

from .models import Message
from .store import sha256_of
from .transport import Transport
from .xml import (
    MAX_MESSAGE_BYTES,
    Header,
    MessageUnreadable,
    header_read,
    message_type_of,
    parse_safely,
)

# The handler of each kind of message received: a dotted path to a function
# ``handle(*, organisation, root, header, content, filename, actor, transport) -> Message``.
HANDLERS: dict[str, str] = {
    # The retours of our start and stop messages (apps/exchange/startstop.py).
    "JW306": "apps.exchange.startstop.retour_handle",
    "JW308": "apps.exchange.startstop.retour_handle",
    "WMO306": "apps.exchange.startstop.retour_handle",
    "WMO308": "apps.exchange.startstop.retour_handle",
    # Requests (apps/exchange/requests.py): the retours of our 315 / 317 and the answer 319.
    "JW316": "apps.exchange.requests.request_retour_handle",
    "WMO316": "apps.exchange.requests.request_retour_handle",
    "JW318": "apps.exchange.requests.request_retour_handle",
    "WMO318": "apps.exchange.requests.request_retour_handle",
    "JW319": "apps.exchange.requests.request_answer_handle",
    "WMO319": "apps.exchange.requests.request_answer_handle",
    "JW325": "apps.exchange.declarations.answer.handle",
    "WMO325": "apps.exchange.declarations.answer.handle",
    "JW301": "apps.exchange.allocations_in.handle",
    "WMO301": "apps.exchange.allocations_in.handle",
}


@dataclass(frozen=True)
class Received:
    """What happened to one file: the message stored, or why nothing was."""

    filename: str
    message: Message | None = None
    refused: str = ""


Handler = Callable[..., Message]


def handler_for(kind: str) -> Handler | None:
    path = HANDLERS.get(kind)
    return import_string(path) if path else None


def message_receive(
    *,
    organisation: Organisation,
    filename: str,
    content: bytes,
    actor: User | None,
    transport: str = "folder",
) -> Received:
    """Receive one file: refuse it with a reason, or store it and let its handler do its work,
    in one transaction (a handler that fails leaves nothing behind)."""
    if len(content) > MAX_MESSAGE_BYTES:
        return Received(
            filename,
            refused=_("The file is larger than %(mb)s MB: it cannot be a message.")
            % {"mb": MAX_MESSAGE_BYTES // (1024 * 1024)},
        )
    try:
        root = parse_safely(content)
        message_type_of(root)
        header = header_read(root)
    except MessageUnreadable as error:
        return Received(
            filename,
            refused=_("This file is not a message this system reads: %(why)s") % {"why": error},
        )
    handler = handler_for(header.kind)
    if handler is None:
        return Received(
            filename,
            refused=_("This system does not receive %(kind)s messages.") % {"kind": header.kind},
        )
    refusal = _refusal(organisation=organisation, header=header, content=content)
    if refusal:
        return Received(filename, refused=refusal)
    with transaction.atomic():
        message = handler(
            organisation=organisation,
            root=root,
            header=header,
            content=content,
            filename=filename,
            actor=actor,
            transport=transport,
        )
    return Received(filename, message=message)


def _refusal(*, organisation: Organisation, header: Header, content: bytes) -> str:
    if header.receiver != organisation.agb_code:
        return _(
            "This %(kind)s is addressed to AGB code %(receiver)s, not to %(organisation)s "
            "(%(agb)s); it is not processed."
        ) % {
            "kind": header.kind,
            "receiver": header.receiver or "?",
            "organisation": organisation.name,
            "agb": organisation.agb_code,
        }
    received = Message.objects.of(organisation).inbox()
    earlier = (
        received.filter(sha256=sha256_of(content)).first()
        or received.filter(
            sender=header.sender, kind=header.kind, identification=header.identification
        ).first()
    )
    if earlier is not None:
        return _(
            "This message was received before, on %(date)s (%(kind)s %(identification)s from "
            "%(sender)s); it is not processed twice."
        ) % {
            "date": date_format(earlier.created_at, "SHORT_DATE_FORMAT"),
            "kind": earlier.kind,
            "identification": earlier.identification,
            "sender": earlier.sender,
        }
    return ""


def messages_receive(
    *,
    organisation: Organisation,
    files: Iterable[tuple[str, bytes]],
    actor: User | None,
    transport: str = "folder",
) -> list[Received]:
    """Receive several files, each on its own: one refused file does not stop the others."""
    return [
        message_receive(
            organisation=organisation,
            filename=name,
            content=content,
            actor=actor,
            transport=transport,
        )
        for name, content in files
    ]


def messages_fetch(*, transport: Transport) -> list[Received]:
    """Receive what the transport holds, each file for the organisation whose AGB code it is
    addressed to; acknowledge each file once it is stored or refused, so that it is never
    offered twice (a refused file is set aside, not lost)."""
    organisations = {
        organisation.agb_code: organisation for organisation in Organisation.objects.all()
    }
    results = []
    for incoming in transport.fetch():
        organisation = organisations.get(_receiver_of(incoming.content))
        if organisation is None:
            result = Received(
                incoming.name,
                refused=_("This file is not addressed to an organisation of this installation."),
            )
        else:
            result = message_receive(
                organisation=organisation,
                filename=incoming.name,
                content=incoming.content,
                actor=None,
                transport=transport.name,
            )
        transport.acknowledge(incoming, refused=bool(result.refused))
        results.append(result)
    return results


def _receiver_of(content: bytes) -> str:
    try:
        return header_read(parse_safely(content)).receiver
    except MessageUnreadable:
        return ""
