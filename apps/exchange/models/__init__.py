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
from .requests import (
    PENDING_REQUEST_STATUSES,
    REFERRER_WITH_CODE,
    REQUEST_STATUS_TRANSITIONS,
    AllocationRequest,
    AllocationRequestQuerySet,
    ReferrerType,
    RefusalReason,
    RequestAnswer,
    RequestKind,
    RequestReason,
    RequestStatus,
)

__all__ = [
    "MESSAGE_STATUS_TRANSITIONS",
    "PENDING_REQUEST_STATUSES",
    "REFERRER_WITH_CODE",
    "REQUEST_STATUS_TRANSITIONS",
    "AllocationRequest",
    "AllocationRequestQuerySet",
    "Direction",
    "Message",
    "MessageQuerySet",
    "MessageStatus",
    "OutgoingCounter",
    "ReferrerType",
    "RefusalReason",
    "RequestAnswer",
    "RequestKind",
    "RequestReason",
    "RequestStatus",
    "Standard",
]
