"""The exchange app's models, one module per part of the message traffic."""

from .allocations_in import ReceivedAllocation, WaitingAllocation, WaitingStatus
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
    "Direction",
    "Message",
    "MessageQuerySet",
    "MessageStatus",
    "OutgoingCounter",
    "ReceivedAllocation",
    "Standard",
    "WaitingAllocation",
    "WaitingStatus",
]
