"""The funding mosaic: how many funders, streams, contracts and allocations pay for the care of
one trajectory or a whole organisation, how the delivered care splits over them, and how that
changes month by month. It measures the fragmentation that integral funding would remove.

Delivered care is what was recorded and is billable: funded by an allocation, paid from an
integral pilot's budget, or waiting unfunded. Its value is units x tariff of the product it
draws on (for a pilot, the pilot's product), summed exactly and rounded half up to cents per
part; waiting care is counted, not valued (``unfunded_queue`` values it at a contract tariff).
Schooling is not delivered care: the education domain shows its funding basis instead (pupils
per basis from the school placements) and how many lessons, exams and internship days were
registered. Everything is aggregated in the database, whatever the period. An organisation's
mosaic reads whole months from the monthly roll-up (``ActivityMonth``, its funded care's
running sums ``FundedMonth`` and the allocations' spans ``AllocationSpan``, kept by triggers on
PostgreSQL: ``apps.trajectories.activity_month``) and only the days of a month the period cuts
from the activities; a trajectory's, and everything on another database, from the activities.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from apps.accounts.models import Organisation
from apps.core.domains import SCHOOL_FUNDED_KINDS, SCHOOL_PROGRAMME_KINDS
from apps.funding.models import MINUTES_PER_UNIT, Funder, FundingStream

from .activity_month import allocations_in, funded_groups, rollup_in_use
from .models import (
    Activity,
    ActivityMonth,
    ActivityStatus,
    FundingStatus,
    SchoolFundingBasis,
    SchoolPlacement,
)

FUNDED, PILOT, UNFUNDED = FundingStatus.FUNDED, FundingStatus.PILOT, FundingStatus.UNFUNDED
NOT_CHARGEABLE = FundingStatus.NOT_CHARGEABLE
RECORDED = ActivityStatus.RECORDED


def _cents(money_units: int, unit: str) -> Decimal:
    """Sum of consumed x tariff, in a unit's consumption units, as exact cents."""
    return Decimal(money_units) / MINUTES_PER_UNIT.get(unit, 1)


def _round(cents: Decimal) -> int:
    return int(cents.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class MosaicPart:
    """The care one funder pays under one stream."""

    funder: Funder
    stream: FundingStream
    pilot: bool
    activities: int = 0
    value_cents: int = 0
    share: int = 0  # whole percent of the mosaic's value


@dataclass
class MosaicMonth:
    month: date
    funders: int = 0
    streams: int = 0
    contracts: int = 0
    allocations: int = 0
    activities: int = 0
    value_cents: int = 0
    unfunded: int = 0


@dataclass
class MosaicSchooling:
    """Pupils whose school is funded on one basis (and, for a TLV, by one samenwerkingsverband):
    the education domain is funded per pupil or by a lump sum, never per lesson."""

    basis: str
    samenwerkingsverband: str  # its name; empty for a lump sum
    pupils: int = 0

    @property
    def basis_label(self) -> str:
        return SchoolFundingBasis(self.basis).label


@dataclass
class Mosaic:
    period_start: date
    period_end: date
    funders: int = 0
    streams: int = 0
    contracts: int = 0
    allocations: int = 0
    pilots: int = 0
    activities: int = 0
    value_cents: int = 0
    unfunded: int = 0
    parts: list[MosaicPart] = field(default_factory=list)
    months: list[MosaicMonth] = field(default_factory=list)
    # The education domain: how the schools are funded, and the lessons, exams and internship
    # days recorded in the period (they count, but are not priced).
    schooling: list[MosaicSchooling] = field(default_factory=list)
    school_registrations: int = 0


def funding_mosaic(
    *,
    period_start: date,
    period_end: date,
    organisation: Organisation | None = None,
    trajectory=None,
) -> Mosaic:
    """The mosaic of an organisation's care, or of one trajectory's, in a period."""
    activities = Activity.objects.filter(
        status=RECORDED, date__gte=period_start, date__lte=period_end
    )
    if trajectory is not None:
        activities = activities.filter(trajectory=trajectory)
    else:
        activities = activities.filter(trajectory__client__organisation=organisation)

    if trajectory is None and rollup_in_use():
        # Whole months from the roll-up, the days of a month cut by the period live.
        months_in, edges = _whole_months(period_start, _end_of_records(period_end))
        rollup = ActivityMonth.objects.filter(
            organisation=organisation, month__gte=months_in[0], month__lte=months_in[1]
        )
        live = activities.filter(edges) if edges is not None else None
    else:
        rollup, live = None, activities
    funded_rows, pilot_rows, unfunded_rows = [], [], []
    allocation_ids, school_registrations = [], 0
    if live is not None:
        funded_rows += _live_funded(live)
        pilot_rows += _live_pilot(live)
        unfunded_rows += _live_unfunded(live)
        allocation_ids.append(
            live.filter(funding_status=FUNDED, allocation__isnull=False)
            .values_list("allocation_id", flat=True)
            .order_by()
        )
        school_registrations += _school_registrations(live)
    if rollup is not None:
        if months_in[0] <= months_in[1]:
            funded_rows += funded_groups(
                organisation_id=organisation.pk, first=months_in[0], last=months_in[1]
            )
        pilot_rows += _rollup_pilot(rollup)
        unfunded_rows += _rollup_unfunded(rollup)
        if live is not None:
            allocation_ids.append(
                rollup.filter(funding_status=FUNDED, allocation__isnull=False)
                .values_list("allocation_id", flat=True)
                .order_by()
            )
        school_registrations += (
            rollup.filter(
                funding_status=NOT_CHARGEABLE, kind__in=SCHOOL_FUNDED_KINDS | SCHOOL_PROGRAMME_KINDS
            ).aggregate(n=Sum("activities"))["n"]
            or 0
        )
    # The distinct allocations over the whole period: from the spans when it is whole months,
    # else one count over both sources.
    if rollup is not None and live is None:
        allocation_count = allocations_in(
            organisation_id=organisation.pk, first=months_in[0], last=months_in[1]
        )
    elif len(allocation_ids) > 1:
        allocation_count = allocation_ids[0].union(allocation_ids[1]).count()
    else:
        allocation_count = allocation_ids[0].distinct().count()

    mosaic = Mosaic(period_start=period_start, period_end=period_end)
    months: dict[date, MosaicMonth] = {}
    month_sets: dict[date, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    parts: dict[tuple[int, int, bool], MosaicPart] = {}
    exact: dict[tuple[int, int, bool], Decimal] = defaultdict(Decimal)
    month_exact: dict[date, Decimal] = defaultdict(Decimal)
    funders, streams, contracts, pilots = set(), set(), set(), set()

    def add(month, funder_id, stream_id, contract_id, count, cents, pilot, allocations=0):
        month = _month(month)
        row = months.get(month)
        if row is None:
            row = months[month] = MosaicMonth(month=month)
        row.activities += count
        row.allocations += allocations
        month_exact[month] += cents
        sets = month_sets[month]
        sets["funders"].add(funder_id)
        sets["streams"].add(stream_id)
        sets["contracts"].add(contract_id)
        key = (funder_id, stream_id, pilot)
        exact[key] += cents
        part = parts.get(key)
        if part is None:
            part = parts[key] = MosaicPart(funder=None, stream=None, pilot=pilot)
        part.activities += count
        funders.add(funder_id)
        streams.add(stream_id)
        contracts.add(contract_id)

    for row in funded_rows:
        add(
            row["month"],
            row["allocation__funder_id"],
            row["allocation__contract__stream_id"],
            row["allocation__contract_id"],
            row["count"],
            _cents(row["money"] or 0, row["allocation__product__unit"]),
            False,
            row["allocations"],
        )
    for row in pilot_rows:
        contract_id = row["pilot_product__contract_id"]
        pilots.add(contract_id)
        add(
            row["month"],
            row["pilot_product__contract__funder_id"],
            row["pilot_product__contract__stream_id"],
            contract_id,
            row["count"],
            Decimal(row["money"] or 0),
            True,
        )
    for row in unfunded_rows:
        month = _month(row["month"])
        months.setdefault(month, MosaicMonth(month=month)).unfunded += row["count"]
        mosaic.unfunded += row["count"]

    funder_by_id = Funder.objects.in_bulk(funders)
    stream_by_id = FundingStream.objects.in_bulk(streams)
    for key, part in parts.items():
        part.funder, part.stream = funder_by_id[key[0]], stream_by_id[key[1]]
        part.value_cents = _round(exact[key])
    mosaic.value_cents = sum(part.value_cents for part in parts.values())
    for part in parts.values():
        part.share = round(100 * part.value_cents / mosaic.value_cents) if mosaic.value_cents else 0
    mosaic.parts = sorted(
        parts.values(), key=lambda part: (-part.value_cents, part.funder.name, part.stream.name)
    )
    for month, row in months.items():
        row.funders = len(month_sets[month]["funders"])
        row.streams = len(month_sets[month]["streams"])
        row.contracts = len(month_sets[month]["contracts"])
        row.value_cents = _round(month_exact[month])
    mosaic.months = [months[month] for month in sorted(months)]
    mosaic.funders, mosaic.streams = len(funders), len(streams)
    mosaic.contracts, mosaic.pilots = len(contracts), len(pilots)
    mosaic.allocations = allocation_count
    mosaic.activities = sum(part.activities for part in parts.values())
    _schooling(mosaic, organisation=organisation, trajectory=trajectory)
    mosaic.school_registrations = school_registrations
    return mosaic


# An aspecific or generic allocation has no product: its activities consumed their value in
# cents (priced by a product of its contract).
FUNDED_GROUPS = (
    "allocation__funder_id",
    "allocation__contract__stream_id",
    "allocation__contract_id",
    "allocation__product__unit",
)
PILOT_GROUPS = (
    "pilot_product__contract__funder_id",
    "pilot_product__contract__stream_id",
    "pilot_product__contract_id",
)
_TARIFF = Coalesce(F("allocation__product__tariff_cents"), Value(1))


def _live_funded(activities) -> list[dict]:
    return list(
        activities.filter(funding_status=FUNDED)
        .annotate(month=TruncMonth("date"))
        .values("month", *FUNDED_GROUPS)
        .annotate(
            count=Count("pk"),
            money=Sum(F("consumed") * _TARIFF, output_field=IntegerField()),
            allocations=Count("allocation", distinct=True),
        )
        .order_by()
    )


def _live_pilot(activities) -> list[dict]:
    return list(
        activities.filter(funding_status=PILOT)
        .annotate(month=TruncMonth("date"))
        .values("month", *PILOT_GROUPS)
        .annotate(count=Count("pk"), money=Sum("pilot_cents"))
        .order_by()
    )


def _rollup_pilot(rollup) -> list[dict]:
    return list(
        rollup.filter(funding_status=PILOT)
        .values("month", *PILOT_GROUPS)
        .annotate(count=Sum("activities"), money=Sum("pilot_cents"))
        .order_by()
    )


def _live_unfunded(activities) -> list[dict]:
    return list(
        activities.filter(funding_status=UNFUNDED)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by()
    )


def _rollup_unfunded(rollup) -> list[dict]:
    return list(
        rollup.filter(funding_status=UNFUNDED)
        .values("month")
        .annotate(count=Sum("activities"))
        .order_by()
    )


def _school_registrations(activities) -> int:
    return activities.filter(
        funding_status=NOT_CHARGEABLE, kind__in=SCHOOL_FUNDED_KINDS | SCHOOL_PROGRAMME_KINDS
    ).count()


def _end_of_records(period_end: date) -> date:
    """The period's end, or the last day of its month when no recorded activity lies after
    the end in that month: nothing can be recorded ahead of today, so the default period
    (up to today) then reads its last month whole from the roll-up, not its days from every
    activity of the country. One probe per funding status of the ``(funding_status, date)``
    index."""
    month_end = _next_month(period_end) - timedelta(days=1)
    if period_end == month_end:
        return period_end
    later = Activity.objects.filter(
        funding_status__in=FundingStatus.values,
        date__gt=period_end,
        date__lte=month_end,
        status=RECORDED,
    )
    return period_end if later.exists() else month_end


def _whole_months(period_start: date, period_end: date) -> tuple[tuple[date, date], Q | None]:
    """The first days of the first and the last whole month in the period (the first after
    the last when there is none), and the days outside them (None: no such days)."""
    first = period_start if period_start.day == 1 else _next_month(period_start)
    after = _next_month(period_end)  # the first day after the period's last month
    last_whole = after if period_end == after - timedelta(days=1) else _first_of(period_end)
    # ``last_whole`` is the first day after the whole months: the last one begins a month
    # before it.
    last = _previous_month(last_whole)
    edges = Q()
    if first > last:  # no whole month: everything is read live
        return (first, last), Q(date__gte=period_start, date__lte=period_end)
    if period_start < first:
        edges |= Q(date__gte=period_start, date__lt=first)
    if last_whole <= period_end:
        edges |= Q(date__gte=last_whole, date__lte=period_end)
    return (first, last), (edges if edges else None)


def _first_of(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def _schooling(mosaic: Mosaic, *, organisation, trajectory) -> None:
    """The education domain's funding basis: pupils per basis from the school placements in
    the period (one query)."""
    placements = SchoolPlacement.objects.filter(start__lte=mosaic.period_end).filter(
        Q(end__isnull=True) | Q(end__gte=mosaic.period_start)
    )
    if trajectory is not None:
        placements = placements.filter(trajectory=trajectory)
    else:
        placements = placements.filter(trajectory__client__organisation=organisation)
    rows = (
        placements.values("funding_basis", "samenwerkingsverband__name")
        .annotate(pupils=Count("trajectory__client", distinct=True))
        .order_by("funding_basis", "samenwerkingsverband__name")
    )
    mosaic.schooling = [
        MosaicSchooling(
            basis=row["funding_basis"],
            samenwerkingsverband=row["samenwerkingsverband__name"] or "",
            pupils=row["pupils"],
        )
        for row in rows
    ]


def _month(value) -> date:
    """TruncMonth gives a date on SQLite and PostgreSQL alike; a datetime is cut to its day."""
    return value.date() if hasattr(value, "date") and callable(value.date) else value
