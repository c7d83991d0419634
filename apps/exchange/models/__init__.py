"""The exchange app's models, one module per part of the message traffic."""

from .declarations import (
    DebitCredit,
    DeclarationLine,
    DeclarationRun,
    DeclarationStatus,
    LineStatus,
    Resolution,
)
from .messages import (
    MESSAGE_STATUS_TRANSITIONS,
    Direction,
    Message,
    MessageQuerySet,
    MessageStatus,
    OutgoingCounter,
    Standard,
)

__all__ = [
    "MESSAGE_STATUS_TRANSITIONS",
    "DebitCredit",
    "DeclarationLine",
    "DeclarationRun",
    "DeclarationStatus",
    "Direction",
    "LineStatus",
    "Message",
    "MessageQuerySet",
    "MessageStatus",
    "OutgoingCounter",
    "Resolution",
    "Standard",
]
