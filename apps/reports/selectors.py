"""The figures of a per-funder report, computed in the database; and the runs for the pages.

One selector, ``report_figures``, feeds the PDF, the CSV, the command line and the tests, so
that every format shows the same numbers.

The rounding rule (documented for funders): a report line is one allocation in one calendar
month. Its units are the minutes delivered divided by the minutes of the product's unit (hour,
day part, etmaal), or the items or euros delivered; its amount is units × tariff, rounded half
up to whole cents per line. Summary lines and totals are sums of the rounded lines, so that
every total equals the sum of the lines above it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Organisation
from apps.clients.models import initials_of
from apps.funding.models import MINUTES_PER_UNIT, Allocation, Funder, FunderKind, Unit
from apps.funding.rules import amount_cents, units_of
from apps.trajectories.models import Activity, ActivityStatus, FundingStatus, WaitingValuation
from apps.trajectories.waiting import waiting_value_missing
from apps.zvw.selectors import prestatie_summary_for

from .models import ReportRun

# Streams whose funders identify a client by BSN, initials and date of birth (iJw, iWmo).
BSN_STREAMS = frozenset({"jeugdwet", "wmo"})


@dataclass(frozen=True)
class ClientIdentification:
    """A client as the funder identifies it; a shielded client by BSN only (what the funder's
    declaration carries), never by name, initials or date of birth."""

    client_number: str
    initials: str
    bsn: str = ""
    date_of_birth: date | None = None
    shielded: bool = False

    def as_text(self) -> str:
        if self.shielded:
            return self.bsn or self.client_number
        if self.bsn or self.date_of_birth:
            born = self.date_of_birth.strftime("%d-%m-%Y") if self.date_of_birth else ""
            return " ".join(part for part in (self.bsn, self.initials, born) if part)
        return f"{self.client_number} {self.initials}".strip()


@dataclass(frozen=True)
class MonthLine:
    month: date
    units: Decimal
    amount_cents: int


@dataclass(frozen=True)
class AllocationBlock:
    """One allocation: who, which product, and the units and amount per month."""

    number: str
    client: ClientIdentification
    client_id: int
    stream: str
    contract_reference: str
    product_code: str
    product_description: str
    unit: str
    tariff_cents: int
    months: list[MonthLine]
    # An aspecific or generic allocation: its variant, category and budget; the block is
    # then what one product of its contract priced (the allocation has a block per product).
    variant: str = ""

    @property
    def unit_label(self) -> str:
        return str(Unit(self.unit).label)

    @property
    def units(self) -> Decimal:
        return sum((line.units for line in self.months), Decimal(0))

    @property
    def amount_cents(self) -> int:
        return sum(line.amount_cents for line in self.months)


@dataclass(frozen=True)
class SummaryLine:
    """Per stream, contract and product: clients, units delivered, amount."""

    stream: str
    contract_reference: str
    product_code: str
    product_description: str
    unit: str
    tariff_cents: int
    clients: int
    units: Decimal
    amount_cents: int

    @property
    def unit_label(self) -> str:
        return str(Unit(self.unit).label)


@dataclass(frozen=True)
class UnfundedLine:
    """Care given while the paperwork was waiting, valued at this funder's contract tariff."""

    client: ClientIdentification
    date: date
    kind: str
    duration_minutes: int | None
    units: int | None
    reason: str
    product_code: str
    value_cents: int


@dataclass(frozen=True)
class ReportFigures:
    organisation_name: str
    organisation_agb: str
    funder_name: str
    funder_code: str
    funder_kind: str
    period_start: date
    period_end: date
    generated_at: object
    summary: list[SummaryLine]
    allocations: list[AllocationBlock]
    unfunded: list[UnfundedLine]
    monthly_cents: list[tuple[date, int]] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.summary)

    @property
    def unfunded_cents(self) -> int:
        return sum(line.value_cents for line in self.unfunded)

    unfunded_client_ids: tuple[int, ...] = ()

    @property
    def client_ids(self) -> set[int]:
        """The clients the report names (each download is logged against them)."""
        return {block.client_id for block in self.allocations} | set(self.unfunded_client_ids)


def _identification(
    *, client_number, given_name, bsn, date_of_birth, shielded: bool, by_bsn: bool
) -> ClientIdentification:
    if shielded:
        # Without a BSN the client number: the provider's own, meaningless to anyone else.
        return ClientIdentification(
            client_number="" if bsn else client_number, initials="", bsn=bsn, shielded=True
        )
    initials = initials_of(given_name)
    if by_bsn:
        return ClientIdentification(
            client_number=client_number, initials=initials, bsn=bsn, date_of_birth=date_of_birth
        )
    return ClientIdentification(client_number=client_number, initials=initials)


def _months(start: date, end: date) -> list[date]:
    """The first day of every calendar month the period touches."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def _variant_text(row: dict) -> str:
    """An aspecific or generic allocation's variant, category and budget, for its blocks."""
    allocation = Allocation(
        variant=row["allocation__variant"],
        category=row["allocation__category"],
        budget_cents=row["allocation__budget_cents"],
    )
    return f"{allocation.label} · {allocation.size_text}"


def report_figures(
    *, organisation: Organisation, funder: Funder, period_start: date, period_end: date
) -> ReportFigures:
    """Everything a funder's report shows, aggregated in the database.

    The delivered care: funded, recorded activities of the organisation's clients on this
    funder's allocations, dated in the period, summed per allocation and month in SQL. Cancelled
    activities never count. The annex: the period's unfunded activities of the clients this
    funder has allocations for, valued at the lowest fitting tariff of this funder's contracts
    with the organisation.
    """
    rows = list(
        Activity.objects.recorded()
        .filter(
            funding_status="funded",
            allocation__funder=funder,
            allocation__client__organisation=organisation,
            date__gte=period_start,
            date__lte=period_end,
        )
        .annotate(month=TruncMonth("date"))
        .values(
            "month",
            "allocation_id",
            "allocation__number",
            "allocation__client_id",
            "allocation__client__client_number",
            "allocation__client__given_name",
            "allocation__client__bsn",
            "allocation__client__date_of_birth",
            "allocation__client__shielded",
            "allocation__product__code",
            "allocation__product__description",
            "allocation__product__unit",
            "allocation__product__tariff_cents",
            "allocation__contract__reference",
            "allocation__contract__stream__code",
            "allocation__contract__stream__name",
            "allocation__variant",
            "allocation__category",
            "allocation__budget_cents",
            "priced_product_id",
            "priced_product__code",
            "priced_product__description",
            "priced_product__unit",
            "priced_product__tariff_cents",
        )
        .annotate(
            consumed=Sum("consumed"),
            minutes=Sum("duration_minutes"),
            pieces=Sum(Coalesce("units", 1)),
        )
        .order_by("allocation__number", "month")
    )
    blocks: dict[tuple, AllocationBlock] = {}
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        priced = row["priced_product_id"] is not None
        if priced:
            # Aspecific or generic: consumed is the value in cents of what this product priced.
            unit, tariff = row["priced_product__unit"], row["priced_product__tariff_cents"]
            delivered = row["minutes"] if unit in MINUTES_PER_UNIT else row["pieces"]
            line = MonthLine(
                month=month,
                units=units_of(delivered or 0, unit),
                amount_cents=row["consumed"],
            )
        else:
            unit = row["allocation__product__unit"]
            tariff = row["allocation__product__tariff_cents"]
            line = MonthLine(
                month=month,
                units=units_of(row["consumed"], unit),
                amount_cents=amount_cents(row["consumed"], unit, tariff),
            )
        key = (row["allocation_id"], row["priced_product_id"])
        block = blocks.get(key)
        if block is None:
            stream_code = row["allocation__contract__stream__code"]
            block = blocks[key] = AllocationBlock(
                number=row["allocation__number"],
                client=_identification(
                    client_number=row["allocation__client__client_number"],
                    given_name=row["allocation__client__given_name"],
                    bsn=row["allocation__client__bsn"],
                    date_of_birth=row["allocation__client__date_of_birth"],
                    shielded=row["allocation__client__shielded"],
                    by_bsn=stream_code in BSN_STREAMS,
                ),
                client_id=row["allocation__client_id"],
                stream=row["allocation__contract__stream__name"],
                contract_reference=row["allocation__contract__reference"],
                product_code=row["priced_product__code" if priced else "allocation__product__code"],
                product_description=row[
                    "priced_product__description" if priced else "allocation__product__description"
                ],
                unit=unit,
                tariff_cents=tariff,
                months=[],
                variant=_variant_text(row) if priced else "",
            )
        block.months.append(line)

    summary: dict[tuple, dict] = {}
    monthly: dict[date, int] = defaultdict(int)
    for block in blocks.values():
        key = (block.stream, block.contract_reference, block.product_code)
        entry = summary.setdefault(
            key, {"block": block, "clients": set(), "units": Decimal(0), "amount": 0}
        )
        entry["clients"].add(block.client_id)
        entry["units"] += block.units
        entry["amount"] += block.amount_cents
        for line in block.months:
            monthly[line.month] += line.amount_cents
    summary_lines = [
        SummaryLine(
            stream=stream,
            contract_reference=reference,
            product_code=code,
            product_description=entry["block"].product_description,
            unit=entry["block"].unit,
            tariff_cents=entry["block"].tariff_cents,
            clients=len(entry["clients"]),
            units=entry["units"],
            amount_cents=entry["amount"],
        )
        for (stream, reference, code), entry in sorted(summary.items())
    ]

    zvw_client_ids: set[int] = set()
    if funder.kind == FunderKind.HEALTH_INSURER:
        # The insurer pays per prestatie, not by allocation: the derived prestaties (apps.zvw).
        for prestatie in prestatie_summary_for(
            organisation_id=organisation.pk,
            uzovi=funder.code,
            period_start=period_start,
            period_end=period_end,
        ):
            summary_lines.append(
                SummaryLine(
                    stream=_("Zvw (prestaties)"),
                    contract_reference="" if prestatie.contracted else _("uncontracted"),
                    product_code=prestatie.code,
                    product_description=prestatie.prestatie,
                    unit=Unit.ITEM_OUTPUT,
                    tariff_cents=prestatie.tariff_cents,
                    clients=len(prestatie.clients),
                    units=Decimal(prestatie.count),
                    amount_cents=prestatie.amount_cents,
                )
            )
            zvw_client_ids |= prestatie.clients
            for month, cents in prestatie.months.items():
                monthly[month] += cents
    unfunded, unfunded_client_ids = _unfunded_annex(
        organisation=organisation, funder=funder, period_start=period_start, period_end=period_end
    )
    return ReportFigures(
        organisation_name=organisation.name,
        organisation_agb=organisation.agb_code,
        funder_name=funder.name,
        funder_code=funder.code,
        funder_kind=funder.get_kind_display(),
        period_start=period_start,
        period_end=period_end,
        generated_at=timezone.localtime(),
        summary=summary_lines,
        allocations=sorted(blocks.values(), key=lambda block: (block.number, block.product_code)),
        unfunded=unfunded,
        monthly_cents=[
            (month, monthly.get(month, 0)) for month in _months(period_start, period_end)
        ],
        unfunded_client_ids=tuple(sorted(set(unfunded_client_ids) | zvw_client_ids)),
    )


def _unfunded_annex(
    *, organisation: Organisation, funder: Funder, period_start: date, period_end: date
) -> tuple[list[UnfundedLine], set[int]]:
    """The period's unfunded care this funder is responsible for, with the clients it names.

    The responsible funder of each activity is the unfunded queue's
    (``apps.funding.responsibility``): the law that goes first for the care, and under it the
    care office, the client's own health insurer or the municipality that pays on the day (the
    responsible one; after a move the old one while its allocation goes on). The annex holds
    only the activities whose responsible funder is this one, valued at its cheapest fitting
    product. A funder never sees a client whose care is not its own: the annex names clients
    by BSN.
    """
    # The stored valuation (apps.trajectories.waiting): only this funder's rows are read.
    waiting_value_missing(organisation=organisation)
    valuations = (
        WaitingValuation.objects.filter(
            organisation=organisation,
            funder=funder,
            date__gte=period_start,
            date__lte=period_end,
            activity__status=ActivityStatus.RECORDED,
            activity__funding_status=FundingStatus.UNFUNDED,
        )
        .select_related("activity__trajectory__client", "product")
        .defer("activity__note")
        .order_by("date", "activity_id")
    )
    by_bsn = funder.streams.filter(code__in=BSN_STREAMS).exists()
    lines, client_ids = [], set()
    for valuation in valuations:
        activity = valuation.activity
        client = activity.trajectory.client
        product, value = valuation.product, valuation.value_cents
        client_ids.add(client.pk)
        lines.append(
            UnfundedLine(
                client=_identification(
                    client_number=client.client_number,
                    given_name=client.given_name,
                    bsn=client.bsn,
                    date_of_birth=client.date_of_birth,
                    shielded=client.shielded,
                    by_bsn=by_bsn,
                ),
                date=activity.date,
                kind=activity.get_kind_display(),
                duration_minutes=activity.duration_minutes,
                units=activity.units,
                reason=activity.funding_reason_text,
                product_code=product.code if product else "",
                value_cents=value,
            )
        )
    return lines, client_ids


def report_runs_for(*, organisation: Organisation) -> QuerySet[ReportRun]:
    """The organisation's report runs, newest first, for the reports page."""
    return ReportRun.objects.filter(organisation=organisation).select_related(
        "funder", "requested_by"
    )
