"""Synthetic message files and a small handler for the tests of the exchange's pages, API and
commands (the real handlers per kind are tested with their own parts)."""

from __future__ import annotations

import datetime

from apps.exchange import incoming
from apps.exchange.codes import MESSAGE_CODES
from apps.exchange.models import Direction, Message, MessageStatus, Standard
from apps.exchange.store import message_store
from apps.exchange.xml import header_build, header_read, maker, parse_safely, serialise

DATED = datetime.date(2026, 11, 2)
HANDLER = f"{__name__}.handle_processed"


def message_bytes(
    *, receiver: str, identification: str = "A1", kind: str = "JW301", sender: str = "0363"
) -> bytes:
    """A JW301-shaped file with its 3.2 header (its body is not what these tests look at)."""
    m, _b = maker(Standard.IJW, kind)
    return serialise(
        m.Bericht(
            header_build(
                standard=Standard.IJW,
                kind=kind,
                message_code=MESSAGE_CODES[kind],
                sender=sender,
                receiver=receiver,
                identification=identification,
                dated=DATED,
            ),
            m.Client(m.Bsn("999993653")),
        )
    )


def handle_processed(*, organisation, root, header, content, filename, actor, transport) -> Message:
    """Store the message as processed, with a retour code in its outcome."""
    return message_store(
        organisation=organisation,
        direction=Direction.IN,
        header=header,
        content=content,
        filename=filename,
        status=MessageStatus.PROCESSED,
        actor=actor,
        outcome=[{"code": "0200", "text": "", "path": ""}],
        transport=transport,
    )


def register(monkeypatch, kind: str = "JW301") -> None:
    """Register handle_processed for a kind for one test."""
    monkeypatch.setitem(incoming.HANDLERS, kind, HANDLER)


def message_make(
    organisation,
    *,
    identification: str = "M1",
    direction: str = Direction.IN,
    status: str = MessageStatus.PROCESSED,
    clients=(),
    funder=None,
    in_reply_to=None,
    outcome=(),
    kind: str = "JW301",
) -> Message:
    """A stored message of the organisation, straight through message_store."""
    content = message_bytes(
        receiver=organisation.agb_code, identification=identification, kind=kind
    )
    return message_store(
        organisation=organisation,
        direction=direction,
        header=header_read(parse_safely(content)),
        content=content,
        filename=f"{identification}.xml",
        status=status,
        actor=None,
        funder=funder,
        in_reply_to=in_reply_to,
        outcome=outcome,
        clients=clients,
    )
