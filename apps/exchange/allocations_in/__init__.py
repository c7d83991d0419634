"""The allocation messages received: JW301 (iJw) and WMO301 (iWmo), answered with JW302 /
WMO302; the allocations that wait for their client."""

from .handler import handle
from .waiting import (
    waiting_allocation_dismiss,
    waiting_allocation_get_for,
    waiting_allocation_link,
    waiting_allocations_for,
)

__all__ = [
    "handle",
    "waiting_allocation_dismiss",
    "waiting_allocation_get_for",
    "waiting_allocation_link",
    "waiting_allocations_for",
]
