"""The exchange app's models, one module per part of the message traffic."""

from .messages import (
    MESSAGE_STATUS_TRANSITIONS,
    Direction,
    Message,
    MessageQuerySet,
    MessageStatus,
    OutgoingCounter,
    Standard,
)
from .startstop import (
    STOP_REASONS,
    DeliveryNotice,
    DeliveryNoticeQuerySet,
    DeliveryStatus,
    NoticeKind,
    NoticeStatus,
    stop_reason_text,
)

__all__ = [
    "MESSAGE_STATUS_TRANSITIONS",
    "STOP_REASONS",
    "DeliveryNotice",
    "DeliveryNoticeQuerySet",
    "DeliveryStatus",
    "Direction",
    "Message",
    "MessageQuerySet",
    "MessageStatus",
    "NoticeKind",
    "NoticeStatus",
    "OutgoingCounter",
    "Standard",
    "stop_reason_text",
]
