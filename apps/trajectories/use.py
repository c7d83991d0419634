"""What each allocation has used and has left, how fast it is being used, and when it will run
out at that pace: the foresight a caseworker and a manager need before care has to wait.

It lives with the activities it reads; the client pages (trajectories) and the manager's
pages (control, above them) both use it.

Definitions, in consumption units (minutes for time units, items or euros otherwise):

- *window*: the frequency window around today (the day, the ISO week, the calendar month),
  clipped to the validity; for a total allocation the whole validity;
- *used* and *left*: funded, recorded activities in that window, and the capacity minus that;
- *total used*, *total capacity*: over the whole validity (no total capacity for a windowed
  allocation without an end);
- *burn rate*: what was used in the last ``BURN_DAYS`` days up to today, per week, counted
  over the days the allocation was valid in that stretch (an allocation that started ten days
  ago is measured over ten days);
- *runs out on*: at that rate, the day the volume is gone: for a total allocation the day
  its total runs out, when that comes before its end; for a windowed one the day in the
  current window when the window's volume runs out, if it does before the window closes.
  ``exceeds_window`` says the rate uses more than a window's volume in a window's time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.funding.figures import MOSTLY_USED_PERCENT, mostly_used
from apps.funding.models import Allocation, Frequency
from apps.funding.rules import unit_count_name, unit_name

from .models import Activity, ActivityStatus, FundingStatus

BURN_DAYS = 28
FUNDED, RECORDED = FundingStatus.FUNDED, ActivityStatus.RECORDED
WINDOW_DAYS = {Frequency.PER_DAY: 1, Frequency.PER_WEEK: 7, Frequency.PER_MONTH: 30}


@dataclass(frozen=True)
class AllocationUse:
    allocation: Allocation
    today: date
    window: tuple[date, date | None]
    capacity: int
    used: int
    total_used: int
    recent_used: int  # in the last BURN_DAYS days (clipped to the validity)
    observed_days: int  # the days of those in the validity

    @property
    def unlimited(self) -> bool:
        """An aspecific allocation without a budget: no volume limit."""
        return self.allocation.capacity is None

    @property
    def windowed(self) -> bool:
        return self.allocation.frequency != Frequency.TOTAL

    @property
    def left(self) -> int:
        return max(self.capacity - self.used, 0)

    @property
    def percent(self) -> int:
        return math.floor(100 * self.used / self.capacity) if self.capacity else 0

    @property
    def warn_at(self) -> int:
        return self.capacity * MOSTLY_USED_PERCENT // 100

    @property
    def total_capacity(self) -> int | None:
        return self.allocation.total_capacity

    @property
    def total_left(self) -> int | None:
        total = self.total_capacity
        return None if total is None else max(total - self.total_used, 0)

    @property
    def total_percent(self) -> int | None:
        total = self.total_capacity
        return math.floor(100 * self.total_used / total) if total else None

    @property
    def budget_percent(self) -> int:
        """The share used of what is budgeted: the whole validity where it is known, the
        window otherwise (the figure the 80% and 100% alerts watch)."""
        total = self.total_percent
        return total if total is not None else self.percent

    @property
    def mostly_used(self) -> bool:
        """Of what is budgeted (as budget_percent), at least MOSTLY_USED_PERCENT is used."""
        if self.unlimited:
            return False
        if self.total_capacity:
            return mostly_used(used=self.total_used, capacity=self.total_capacity)
        return mostly_used(used=self.used, capacity=self.capacity)

    @property
    def unit_name(self) -> str:
        if not self.allocation.is_specific:  # its budget is drawn in cents
            return _("euro cents")
        return unit_name(self.allocation.unit)

    def _unit_for(self, count: int) -> str:
        if not self.allocation.is_specific:
            return ngettext("euro cent", "euro cents", count)
        return unit_count_name(self.allocation.unit, count)

    @property
    def capacity_unit(self) -> str:
        """The unit's name beside the capacity: "600 minutes", "1 night"."""
        return self._unit_for(self.capacity or 0)

    @property
    def burn_unit(self) -> str:
        """The unit's name beside the weekly pace: "60 minutes a week"."""
        return self._unit_for(self.burn_per_week)

    @property
    def burn_per_day(self) -> float:
        return self.recent_used / self.observed_days if self.observed_days else 0.0

    @property
    def burn_per_week(self) -> int:
        """Consumption units per week at the recent pace, rounded."""
        return round(self.burn_per_day * 7)

    @property
    def exceeds_window(self) -> bool:
        days = WINDOW_DAYS.get(self.allocation.frequency)
        return bool(days) and self.burn_per_day * days > self.capacity

    @property
    def runs_out_on(self) -> date | None:
        """The day the volume runs out at the recent pace; None when it lasts (or no pace)."""
        if self.unlimited:
            return None
        if self.windowed:
            left, last = self.left, self.window[1]
        else:
            left, last = self.total_left or 0, self.allocation.end
        if left == 0:
            return self.today if self.used or self.total_used else None
        if self.recent_used <= 0 or self.observed_days <= 0:
            return None
        # left / (recent_used / observed_days) days, rounded up, in integers (no float error).
        days = -(-left * self.observed_days // self.recent_used)
        day = self.today + timedelta(days=days)
        return day if last is None or day <= last else None


def allocation_use(*, allocations: Iterable[Allocation], today: date) -> dict[int, AllocationUse]:
    """The use of each allocation around today, keyed by primary key: one grouped query."""
    allocations = list(allocations)
    if not allocations:
        return {}
    recent_from = today - timedelta(days=BURN_DAYS - 1)
    # Read through the (allocation, date) index alone: no join on the allocations (each one's
    # window comes from its frequency, known here), and the funding status in the sums'
    # filters rather than in WHERE, where the planner combined the allocations' index with
    # the (funding_status, date) index and read every funded activity's entry
    # (docs/performance.md, "The client page").
    activities = Activity.objects.filter(
        allocation__in=[allocation.pk for allocation in allocations], status=RECORDED
    )
    of_frequency: dict[str, list[int]] = {}
    for allocation in allocations:
        of_frequency.setdefault(allocation.frequency, []).append(allocation.pk)
    in_window = Q(allocation__isnull=True)  # none: every row here has an allocation
    for frequency in Frequency:
        if frequency not in of_frequency:
            continue
        first, last = Allocation(frequency=frequency, start=date.min, end=None).window(today)
        window = Q(allocation__in=of_frequency[frequency])
        if frequency != Frequency.TOTAL:
            window &= Q(date__gte=first, date__lte=last)
        in_window |= window
    funded = Q(funding_status=FUNDED)
    sums = {
        row["allocation_id"]: row
        for row in activities.values("allocation_id").annotate(
            used=Coalesce(
                Sum("consumed", filter=funded & in_window), 0, output_field=IntegerField()
            ),
            total_used=Sum("consumed", filter=funded),
            recent_used=Coalesce(
                Sum("consumed", filter=funded & Q(date__gte=recent_from, date__lte=today)),
                0,
                output_field=IntegerField(),
            ),
        )
    }
    result = {}
    for allocation in allocations:
        row = sums.get(allocation.pk, {})
        observed_from = max(recent_from, allocation.start)
        observed_to = min(today, allocation.end) if allocation.end else today
        result[allocation.pk] = AllocationUse(
            allocation=allocation,
            today=today,
            window=allocation.window(today),
            capacity=allocation.capacity or 0,
            used=row.get("used", 0),
            total_used=row.get("total_used") or 0,
            recent_used=row.get("recent_used", 0),
            observed_days=max((observed_to - observed_from).days + 1, 0),
        )
    return result


def priced_by_product(*, allocation: Allocation) -> list[dict]:
    """What an aspecific or generic allocation paid, per product that priced it: code,
    description, count and cents (its recorded funded activities; one grouped query)."""
    if allocation.is_specific:
        return []
    rows = (
        allocation.activities.filter(
            status=RECORDED, funding_status=FUNDED, priced_product__isnull=False
        )
        .values("priced_product__code", "priced_product__description")
        .annotate(count=Count("pk"), cents=Sum("consumed"))
        .order_by("priced_product__code")
    )
    return [
        {
            "code": row["priced_product__code"],
            "description": row["priced_product__description"],
            "count": row["count"],
            "cents": row["cents"],
        }
        for row in rows
    ]
