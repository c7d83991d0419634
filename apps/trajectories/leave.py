"""Leave nights of a residential stay: whether an allocation pays for one is the contract's rule.

A night on which the client sleeps away with permission (a weekend at home) is recorded as a
``residential_stay`` activity with attendance "absent, authorised". Unlike an absence from a
lesson or a session it may be paid: the contract says how many leave nights per period
(``Contract.leave_nights_paid`` and ``leave_period``; 0: none). The Wlz's own rule is the
model for this: at most two consecutive days of leave per week, Monday to Sunday (NZa,
"weekendverlof"), docs/funding.md "Stays and day parts".

Counted per allocation, over the funded leave nights in the period around the night.
"""

from __future__ import annotations

from datetime import date, timedelta

from apps.core.domains import ActivityKind, Attendance
from apps.funding.models import Allocation, LeavePeriod

from .models import Activity, ActivityStatus, FundingStatus

LEAVE_REFUSAL_CODES = frozenset({"leave_not_paid", "leave_limit_reached"})


def is_leave_night(activity: Activity) -> bool:
    """A night of a stay on which the client was away with permission."""
    return (
        activity.kind == ActivityKind.RESIDENTIAL_STAY
        and activity.attendance == Attendance.ABSENT_AUTHORISED
    )


def leave_window(period: str, day: date) -> tuple[date, date]:
    """The period around a day in which a contract's paid leave nights are counted."""
    if period == LeavePeriod.WEEK:
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if period == LeavePeriod.MONTH:
        first = day.replace(day=1)
        return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return date(day.year, 1, 1), date(day.year, 12, 31)


def leave_refusal(*, activity: Activity, allocation: Allocation) -> dict | None:
    """Why the allocation does not pay for this leave night, or None (also for any other
    activity)."""
    if not is_leave_night(activity):
        return None
    contract = allocation.contract
    if contract.leave_nights_paid == 0:
        return {"code": "leave_not_paid", "number": allocation.number}
    first, last = leave_window(contract.leave_period, activity.date)
    paid = (
        Activity.objects.filter(
            allocation=allocation,
            status=ActivityStatus.RECORDED,
            funding_status=FundingStatus.FUNDED,
            kind=ActivityKind.RESIDENTIAL_STAY,
            attendance=Attendance.ABSENT_AUTHORISED,
            date__gte=first,
            date__lte=last,
        )
        .exclude(pk=activity.pk)
        .count()
    )
    if paid >= contract.leave_nights_paid:
        return {
            "code": "leave_limit_reached",
            "number": allocation.number,
            "paid": contract.leave_nights_paid,
            "first": first.isoformat(),
            "last": last.isoformat(),
        }
    return None
