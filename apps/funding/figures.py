"""The figures that say an allocation needs attention, each defined once.

The manager's funding overview computes them in SQL for a page of allocations, the nightly
alerts and "my clients" in Python for a few; both forms are here, side by side, and a test
(tests/funding/test_figures.py) checks on generated data that they agree.

- **current**: active, and not ended before the day (one that starts later is current too: it
  is the follow-up a manager wants to see);
- **ends soon**: current, with an end date at most ``ENDS_SOON_DAYS`` days ahead;
- **mostly used**: at least ``MOSTLY_USED_PERCENT`` percent of the capacity is used, counted in
  whole units of consumption (minutes for time units), without rounding: ``100 × used ≥ 80 ×
  capacity``.
"""

from datetime import date, timedelta

from django.db.models import BooleanField, Case, Expression, Q, Value, When
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual

from .models import AllocationStatus

ENDS_SOON_DAYS = 30
MOSTLY_USED_PERCENT = 80


def current_q(today: date, prefix: str = "") -> Q:
    """Allocations that are current on the day, as a filter (``prefix`` for a relation)."""
    return Q(**{f"{prefix}status": AllocationStatus.ACTIVE}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": today})
    )


def is_current(*, status: str, end: date | None, today: date) -> bool:
    return status == AllocationStatus.ACTIVE and (end is None or end >= today)


def ends_soon_q(today: date) -> Q:
    """Allocations with an end date at most ENDS_SOON_DAYS days ahead (combine with current)."""
    return Q(end__lte=today + timedelta(days=ENDS_SOON_DAYS))


def ends_soon(*, end: date | None, today: date) -> bool:
    return end is not None and end <= today + timedelta(days=ENDS_SOON_DAYS)


def mostly_used(*, used: int, capacity: int | None) -> bool:
    """At least MOSTLY_USED_PERCENT percent of the capacity used (no capacity: never)."""
    return bool(capacity) and 100 * used >= MOSTLY_USED_PERCENT * capacity


def mostly_used_expression(used: Expression, capacity: Expression) -> Case:
    """The same in SQL, over two integer expressions of one row."""
    return Case(
        When(
            Q(GreaterThan(capacity, 0))
            & Q(GreaterThanOrEqual(used * 100, capacity * MOSTLY_USED_PERCENT)),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
