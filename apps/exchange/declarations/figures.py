"""What a month's declaration claims: the delivered care per allocation, product and month,
aggregated in the database with the filter of the per-funder report (``report_figures``), in
whole units.

Sources (iJw / iWmo 3.2, "UP-OP-IV"): IV042 (the volume is a whole number of units), IV079
(hours: the minutes of the whole product period are summed first and then rounded
arithmetically, under 30 minutes down, 30 and over up, at least 1 hour), IV084 (a line per
allocation and product), TR346 (amount = volume x tariff unless the unit is euro), CS339 (for
euro the amount is the volume), TR387 / TR388 (the product period starts on the first of the
month unless the allocation starts later in it, and ends on the last unless the allocation ends
earlier).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.db.models.functions import Coalesce

from apps.accounts.models import Organisation
from apps.exchange.models import Standard
from apps.funding.models import ExecutionVariant, Funder, Unit
from apps.trajectories.models import Activity

# The funding streams declared with iJw / iWmo messages.
STREAM_OF_STANDARD = {Standard.IJW: "jeugdwet", Standard.IWMO: "wmo"}
# Task-based contracts (taakgericht) are paid per contract, not declared per client.
DECLARED_PER_CLIENT = (ExecutionVariant.EFFORT, ExecutionVariant.OUTPUT)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def whole_hours(minutes: int) -> int:
    """IV079: minutes to whole hours, rounded arithmetically (< 30 down, >= 30 up), at least
    one hour when anything was delivered."""
    if minutes <= 0:
        return 0
    hours, rest = divmod(minutes, 60)
    return max(1, hours + (1 if rest >= 30 else 0))


def volume_of(*, unit: str, minutes: int, pieces: int, consumed: int, priced: bool) -> int:
    """The whole volume of a line in the product's unit (IV042, IV079).

    Specific allocations draw ``consumed`` in minutes (time units) or whole units (presence,
    items); aspecific and generic ones draw cents, and the priced product's unit is counted
    from the minutes or the pieces delivered."""
    if unit == Unit.EURO:
        return consumed
    if unit == Unit.HOUR:
        return whole_hours(minutes if priced else consumed)
    if unit == Unit.MINUTE:
        return minutes if priced else consumed
    return pieces if priced else consumed


def amount_of(*, unit: str, volume: int, tariff_cents: int | None) -> int:
    """TR346: volume x tariff; CS339: for euro the amount is the volume (in cents)."""
    if unit == Unit.EURO:
        return volume
    return volume * (tariff_cents or 0)


def product_period(
    *, month_start: date, month_end: date, allocation_start: date, allocation_end: date | None
) -> tuple[date, date]:
    """TR387 / TR388: the month, narrowed to the allocation's validity."""
    start = max(month_start, allocation_start)
    end = month_end if allocation_end is None else min(month_end, allocation_end)
    return start, end


@dataclass(frozen=True)
class Figure:
    allocation_id: int
    client_id: int
    product_id: int
    period_start: date
    period_end: date
    volume: int
    unit: str
    tariff_cents: int | None
    amount_cents: int

    @property
    def key(self) -> tuple[int, int, date]:
        return (self.allocation_id, self.product_id, self.period_start)


def month_figures(
    *, organisation: Organisation, funder: Funder, standard: str, month: date
) -> Iterator[Figure]:
    """The month's delivered care to declare, one figure per allocation and product.

    The rows are those of ``report_figures`` (funded, recorded activities of the
    organisation's clients on this funder's allocations, dated in the month; cancelled ones
    never count), narrowed to the standard's stream, to contracts declared per client and to
    clients with a BSN (the 323 names a client by BSN only)."""
    month_start, month_end = month_bounds(month)
    rows = (
        Activity.objects.recorded()
        .filter(
            funding_status="funded",
            allocation__funder=funder,
            allocation__client__organisation=organisation,
            date__gte=month_start,
            date__lte=month_end,
            allocation__contract__stream__code=STREAM_OF_STANDARD[standard],
            allocation__contract__execution_variant__in=DECLARED_PER_CLIENT,
        )
        .exclude(allocation__client__bsn="")
        .values(
            "allocation_id",
            "allocation__client_id",
            "allocation__start",
            "allocation__end",
            "allocation__product_id",
            "allocation__product__unit",
            "allocation__product__tariff_cents",
            "priced_product_id",
            "priced_product__unit",
            "priced_product__tariff_cents",
        )
        .annotate(
            consumed=Sum("consumed"),
            minutes=Coalesce(Sum("duration_minutes"), 0),
            pieces=Sum(Coalesce("units", 1)),
        )
        .order_by("allocation__client_id", "allocation_id", "priced_product_id")
    )
    for row in rows.iterator(chunk_size=2000):
        priced = row["priced_product_id"] is not None
        prefix = "priced_product" if priced else "allocation__product"
        unit = row[f"{prefix}__unit"]
        tariff = None if unit == Unit.EURO else row[f"{prefix}__tariff_cents"]
        volume = volume_of(
            unit=unit,
            minutes=row["minutes"] or 0,
            pieces=row["pieces"] or 0,
            consumed=row["consumed"] or 0,
            priced=priced,
        )
        start, end = product_period(
            month_start=month_start,
            month_end=month_end,
            allocation_start=row["allocation__start"],
            allocation_end=row["allocation__end"],
        )
        yield Figure(
            allocation_id=row["allocation_id"],
            client_id=row["allocation__client_id"],
            product_id=row["priced_product_id"] if priced else row["allocation__product_id"],
            period_start=start,
            period_end=end,
            volume=volume,
            unit=unit,
            tariff_cents=tariff,
            amount_cents=amount_of(unit=unit, volume=volume, tariff_cents=tariff),
        )


def lines_update(queryset, *, actor, chunk: int = 2000, **values) -> int:
    """Set fields on many declaration lines, a chunk at a time, with a history row for each
    (``QuerySet.update`` alone would leave no history). Every line gets the same values, so a
    chunk is one plain UPDATE (``bulk_update``'s CASE per line costs time in Python and in the
    database for nothing), then its lines are read back for their history rows."""
    from django.db.models import F
    from simple_history.utils import get_history_manager_for_model

    from apps.exchange.models import DeclarationLine

    assignments = {
        field: F("amount_cents") if value is AMOUNT else value for field, value in values.items()
    }
    history = get_history_manager_for_model(DeclarationLine)
    pks = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), chunk):
        part = pks[start : start + chunk]
        DeclarationLine.objects.filter(pk__in=part).update(**assignments)
        history.bulk_history_create(
            list(DeclarationLine.objects.filter(pk__in=part).order_by("pk")),
            batch_size=chunk,
            update=True,
            default_user=actor,
        )
    return len(pks)


# ``lines_update(..., accepted_cents=AMOUNT)``: each line's own amount.
AMOUNT = object()
