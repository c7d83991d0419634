"""A manager's reads of a message: every one is logged against each client the message names
(NEN 7513), on the basis of management; the file is served as it was, under a safe name."""

from __future__ import annotations

import re

from django.db import transaction

from apps.accounts.models import User
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record_many

from .codes import retour_text
from .models import Message
from .selectors import message_clients


def message_read_log(*, message: Message, user: User, event: AccessEvent, via: str = "") -> list:
    """Log one read of a message against each client it names; the clients, by number."""
    clients = list(message_clients(message=message))
    if clients:
        access_log_record_many(
            user=user,
            clients=clients,
            event=event,
            basis=AccessBasis.MANAGEMENT,
            detail=f"{via}message {message.kind} {message.identification} #{message.pk}"[:200],
        )
    return clients


def message_download_name(message: Message) -> str:
    """A file name that is safe in a header and on any disk: JW301-<identification>.xml."""
    identification = re.sub(r"[^A-Za-z0-9_-]", "_", message.identification)[:12] or "message"
    return f"{message.kind}-{identification}.xml"


@transaction.atomic
def message_file_open(*, message: Message, user: User, via: str = ""):
    """Open a message's stored file to download it, and log the export; None when the file is
    gone."""
    try:
        handle = message.file.open("rb")
    except (FileNotFoundError, ValueError):
        return None
    message_read_log(message=message, user=user, event=AccessEvent.EXPORT, via=via)
    return handle


def message_outcome(message: Message) -> list[dict[str, str]]:
    """What the system did, each entry explained in the active language: a retour code with its
    WJ001 text, or the plain text stored; the element it is about when there is one."""
    lines = []
    for entry in message.outcome or []:
        if not isinstance(entry, dict):
            entry = {"text": str(entry)}
        code = str(entry.get("code") or "")
        lines.append(
            {
                "code": code,
                "text": retour_text(code) if code else str(entry.get("text") or ""),
                "path": str(entry.get("path") or ""),
            }
        )
    return lines


# Codes that say all is well with a part (WJ001): a list shows the first line that is not one.
NO_REMARK_CODES = frozenset({"0200", "0233", "8001"})


def message_outcome_short(message: Message) -> str:
    """The first line of the outcome that says something is wrong (else the first), for a
    list."""
    lines = message_outcome(message)
    if not lines:
        return ""
    first = next((line for line in lines if line["code"] not in NO_REMARK_CODES), lines[0])
    text = f"{first['code']} {first['text']}".strip()
    return text if len(lines) == 1 else f"{text} (+{len(lines) - 1})"
