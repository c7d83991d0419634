"""Reads of the funding picture for the manager: contracts, allocations with their use, the
unfunded queue with its value in euros, and the caseload per worker.

Everything is scoped to one organisation. The figures are computed in the database where the
rule is a plain filter (what an allocation has used in its window, caseload counts); the
value of an unfunded activity is matched in Python against the organisation's products,
loaded once, with the rules of apps.trajectories.assignment (never one query per row).

The trajectories app depends on this one for the assignment rules; this module reads its
activities and care teams for the manager's figures, and nothing in trajectories imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from apps.accounts.models import Organisation
from apps.funding.figures import (
    current_q,
    ends_soon_q,
    mostly_used_expression,
)
from apps.funding.models import (
    MINUTES_PER_UNIT,
    Allocation,
    Contract,
    Frequency,
    Funder,
    FundingStream,
    Product,
)
from apps.funding.reasons import funding_reason_text
from apps.funding.rules import amount_cents
from apps.trajectories.access import ongoing_memberships
from apps.trajectories.assignment import FUNDED, RECORDED, UNFUNDED
from apps.trajectories.models import Activity, CareTeamMembership, TeamRole, WaitingValuation
from apps.trajectories.waiting import (
    VALUED_FIELDS,
    rows_kept_complete,
    waiting_totals,
    waiting_value_missing,
)

UNFUNDED_QUEUE_LIMIT = 500


# --- contracts ---------------------------------------------------------------------------


CONTRACT_ORDER = ("funder__name", "reference", "pk")


def contract_ids(*, organisation: Organisation) -> QuerySet:
    """The ids of the organisation's contracts in ``contract_list``'s order: what a page of
    it is cut from, without counting anything."""
    return (
        Contract.objects.filter(organisation=organisation)
        .order_by(*CONTRACT_ORDER)
        .values_list("pk", flat=True)
    )


def contract_list(
    *, organisation: Organisation, today: date | None = None, ids: list[int] | None = None
) -> QuerySet[Contract]:
    """The organisation's contracts (or those of ``ids``) with their funder and stream,
    counting products and the current allocations (active, not ended before today) on them:
    one query."""
    today = today or timezone.localdate()
    contracts = Contract.objects.filter(organisation=organisation)
    if ids is not None:
        contracts = contracts.filter(pk__in=ids)
    return (
        contracts.select_related("funder", "stream")
        .annotate(
            product_count=Count("products", distinct=True),
            active_allocation_count=Count(
                "products__allocations",
                filter=current_q(today, prefix="products__allocations__"),
                distinct=True,
            ),
        )
        .order_by(*CONTRACT_ORDER)
    )


# --- allocations and their use -----------------------------------------------------------


def _in_current_window(today: date) -> Q:
    """Seen from an allocation: its funded activities in the frequency window around today.

    The window of each frequency comes from ``Allocation.window`` (an unbounded allocation
    gives the bare window); it is clipped to the allocation's own validity with F() below, as
    ``allocation_used_in_window`` does. A total allocation's window is its whole validity.
    """
    by_frequency = Q()
    for frequency in Frequency:
        first, last = Allocation(frequency=frequency, start=date.min, end=None).window(today)
        in_window = Q(frequency=frequency)
        if first != date.min:
            in_window &= Q(activities__date__gte=first)
        if last is not None:
            in_window &= Q(activities__date__lte=last)
        by_frequency |= in_window
    within_validity = Q(activities__date__gte=F("start")) & (
        Q(end__isnull=True) | Q(activities__date__lte=F("end"))
    )
    funded = Q(activities__status=RECORDED, activities__funding_status=FUNDED)
    return funded & within_validity & by_frequency


def _per_unit() -> Case:
    """Consumption units per allocation unit: minutes for time units, 1 otherwise."""
    return Case(
        *(When(unit=unit, then=Value(minutes)) for unit, minutes in MINUTES_PER_UNIT.items()),
        default=Value(1),
        output_field=IntegerField(),
    )


def allocation_list_current(*, organisation: Organisation, today: date) -> QuerySet[Allocation]:
    """The current allocations of the organisation's clients (active, not ended before today),
    ending first at the top, without their use: what a page of the list is cut from."""
    return (
        Allocation.objects.filter(current_q(today), client__organisation=organisation)
        .select_related("client", "funder", "product")
        .order_by(F("end").asc(nulls_last=True), "start", "pk")
    )


def allocation_page_with_use(*, ids: list[int], today: date) -> list[Allocation]:
    """The allocations of one page (their ids, cut from ``allocation_list_current``), in order.

    The page is cut first, then only its allocations' windows are summed (one query, whatever
    the number of allocations or activities). Each is annotated with:

    - ``used``: what its funded activities drew in the window around today (the day, the ISO
      week or the calendar month for windowed allocations; the whole validity for a total
      one), in consumption units (minutes for time units, like ``Allocation.capacity``);
    - ``used_in_unit``: the same in the allocation's own unit (hours, day parts, ...);
    - ``used_percent``: whole percent of the capacity per window (rounded down);
    - ``ends_soon``: it ends within ENDS_SOON_DAYS days;
    - ``mostly_used``: at least MOSTLY_USED_PERCENT percent is used.
    """
    order = list(ids)
    rows = _with_use(
        Allocation.objects.filter(pk__in=order).select_related("client", "funder", "product"),
        today,
    ).in_bulk(order)
    return [rows[pk] for pk in order if pk in rows]


def _with_use(allocations: QuerySet[Allocation], today: date) -> QuerySet[Allocation]:
    per_unit = _per_unit()
    # Aspecific or generic: the budget in cents (none: no limit, no percentage).
    capacity = Coalesce(F("volume") * per_unit, F("budget_cents"), output_field=IntegerField())
    return allocations.annotate(
        used=Coalesce(
            Sum("activities__consumed", filter=_in_current_window(today)),
            0,
            output_field=IntegerField(),
        ),
    ).annotate(
        used_in_unit=ExpressionWrapper(
            Cast(F("used"), FloatField()) / per_unit, output_field=FloatField()
        ),
        used_percent=ExpressionWrapper(F("used") * 100 / capacity, output_field=IntegerField()),
        ends_soon=Case(
            When(ends_soon_q(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        mostly_used=mostly_used_expression(F("used"), capacity),
    )


def allocation_get_for(*, organisation: Organisation, pk: int) -> Allocation | None:
    """One allocation of the organisation's clients, or None (the view answers 404)."""
    return (
        Allocation.objects.filter(client__organisation=organisation, pk=pk)
        .select_related("client", "funder", "contract__stream", "product")
        .first()
    )


REGISTERED_RECENTLY_DAYS = 30


def allocations_registered_recently(
    *, organisation: Organisation, today: date
) -> QuerySet[Allocation]:
    """Allocations registered in the last REGISTERED_RECENTLY_DAYS days, the newest first,
    without what they absorbed: what a page of the list is cut from."""
    # From the start of that day in the local time zone: a comparison the index can serve (a
    # ``created_at__date`` casts every row first).
    since = timezone.make_aware(
        datetime.combine(today - timedelta(days=REGISTERED_RECENTLY_DAYS), time.min)
    )
    return (
        Allocation.objects.filter(client__organisation=organisation, created_at__gte=since)
        .select_related("client", "funder", "product")
        .order_by("-created_at", "-pk")
    )


def _with_absorbed(allocations: QuerySet[Allocation]) -> QuerySet[Allocation]:
    return allocations.annotate(
        absorbed=Count(
            "activities",
            filter=Q(activities__status=RECORDED, activities__absorbed_at__isnull=False),
        )
    )


def allocation_page_with_absorbed(*, ids: list[int]) -> list[Allocation]:
    """The allocations of one page (their ids, cut from ``allocations_registered_recently``),
    in order, each with ``absorbed``: only the page's activities are counted (one query)."""
    order = list(ids)
    rows = _with_absorbed(
        Allocation.objects.filter(pk__in=order).select_related("client", "funder", "product")
    ).in_bulk(order)
    return [rows[pk] for pk in order if pk in rows]


@dataclass(frozen=True)
class AbsorbedItem:
    activity: Activity
    value_cents: int


def absorbed_by_allocation(*, allocation: Allocation) -> list[AbsorbedItem]:
    """The waiting activities an allocation took over, oldest first, valued at its product's
    tariff (units x tariff, rounded half up). The notes are never loaded."""
    product = allocation.product
    activities = (
        allocation.activities.filter(status=RECORDED, absorbed_at__isnull=False)
        .only("domain", "kind", "date", "duration_minutes", "units", "consumed", "absorbed_at")
        .order_by("date", "pk")
    )
    return [
        AbsorbedItem(
            activity=activity,
            # Aspecific or generic: consumed is already the value in cents.
            value_cents=activity.consumed
            if product is None
            else amount_cents(activity.consumed, product.unit, product.tariff_cents),
        )
        for activity in activities
    ]


# --- the unfunded queue ------------------------------------------------------------------


@dataclass(frozen=True)
class UnfundedItem:
    """One waiting activity and what it would be worth at the fitting contract's tariff."""

    activity: Activity
    product: Product | None  # the responsible funder's cheapest fitting product; None: none
    value_cents: int
    # The funder responsible by the rules (apps.funding.responsibility), also without a
    # fitting product; None: not known. Without it, the product's funder.
    responsible: Funder | None = None
    stream: FundingStream | None = None  # the law that goes first for this care

    @property
    def client(self):
        return self.activity.trajectory.client

    @property
    def funder(self) -> Funder | None:
        if self.responsible is not None:
            return self.responsible
        return self.product.contract.funder if self.product is not None else None

    @property
    def value_euros(self) -> Decimal:
        return Decimal(self.value_cents) / 100

    @property
    def reason(self) -> str:
        return funding_reason_text(self.activity.funding_reason)

    @property
    def tariff_euros(self) -> Decimal | None:
        return Decimal(self.product.tariff_cents) / 100 if self.product is not None else None


@dataclass(frozen=True)
class UnfundedFunderGroup:
    """The waiting activities one funder would have to pay for (funder None: no contract)."""

    funder: Funder | None
    items: list[UnfundedItem]  # the ones shown, within the queue's limit
    count: int
    total_cents: int

    @property
    def total_euros(self) -> Decimal:
        return Decimal(self.total_cents) / 100


@dataclass(frozen=True)
class UnfundedQueue:
    groups: list[UnfundedFunderGroup]
    count: int
    shown: int
    total_cents: int
    organisation_id: int | None = None

    @property
    def total_euros(self) -> Decimal:
        return Decimal(self.total_cents) / 100

    @property
    def items(self) -> list[UnfundedItem]:
        return [item for group in self.groups for item in group.items]


def _funder_order(group: UnfundedFunderGroup) -> tuple:
    # Funders by name, the activities no contract pays for last.
    if group.funder is None:
        return (1, "", 0)
    return (0, group.funder.name.casefold(), group.funder.pk)


def _all_fields(path: str, model) -> list[str]:
    return [f"{path}__{field.name}" for field in model._meta.concrete_fields]


def unfunded_queue(
    *, organisation: Organisation, limit: int = UNFUNDED_QUEUE_LIMIT
) -> UnfundedQueue:
    """The organisation's recorded unfunded activities, grouped by the funder responsible
    for them by the rules (``apps.funding.responsibility``): the law that goes first for the
    care (a Wlz indication, the Zvw from 18, the Jeugdwet or the Wmo), and under it the care
    office, the client's own insurer or the municipality that pays on the day.

    Each is valued at that funder's cheapest fitting product (the rules of
    ``allocation_refusal``, volume aside): time units per minute (minutes / minutes per unit
    x tariff), items and euros one for one (``consumption_for``). Without a fitting product
    it is worth 0, still under the responsible funder when it is known.

    Counts and totals cover every waiting activity; at most ``limit`` are returned, the
    oldest first within each funder. The valuation is the stored one
    (``apps.trajectories.waiting``; what has none yet is valued first): the counts and totals
    per funder (``unfunded_queue_summary``), then the rows shown (``unfunded_queue_rows``),
    whatever the number of activities or funders. The note is never loaded.
    """
    summary = unfunded_queue_summary(organisation=organisation, limit=limit)
    return unfunded_queue_rows(queue=summary, offset=0, size=summary.shown)


def _waiting_valuations(organisation: Organisation | int) -> QuerySet[WaitingValuation]:
    """The organisation's valued waiting activities. On PostgreSQL the rows are those of the
    waiting activities only (the trigger of ``apps.trajectories.waiting``), so no row needs
    its activity read; elsewhere each row's activity is checked."""
    valued = WaitingValuation.objects.filter(organisation=organisation, pending=False)
    if rows_kept_complete():
        return valued
    return valued.filter(activity__status=RECORDED, activity__funding_status=UNFUNDED)


def unfunded_queue_summary(
    *, organisation: Organisation, limit: int = UNFUNDED_QUEUE_LIMIT
) -> UnfundedQueue:
    """The unfunded queue's groups with their counts and totals, without items: whether any
    waiting activity lacks its valuation (valued first), the counts and totals per funder (on
    PostgreSQL the running sums, folded then read; elsewhere one aggregate), and the funders
    (three or four queries). ``shown`` is how many of the first ``limit`` a list of it shows."""
    waiting_value_missing(organisation=organisation)
    if rows_kept_complete():  # the running sums per funder: a few rows
        totals = [
            {"funder_id": funder_id, "count": count, "total": total}
            for funder_id, count, total in waiting_totals(organisation=organisation)
        ]
    else:
        totals = list(
            _waiting_valuations(organisation)
            .values("funder_id")
            .annotate(count=Count("pk"), total=Sum("value_cents"))
            .order_by()
        )
    funders = Funder.objects.in_bulk([row["funder_id"] for row in totals if row["funder_id"]])
    groups = sorted(
        (
            UnfundedFunderGroup(
                funder=funders[row["funder_id"]] if row["funder_id"] else None,
                items=[],
                count=row["count"],
                total_cents=row["total"] or 0,
            )
            for row in totals
        ),
        key=_funder_order,
    )
    count = sum(group.count for group in groups)
    return UnfundedQueue(
        groups=groups,
        count=count,
        shown=min(count, max(limit, 0)),
        total_cents=sum(group.total_cents for group in groups),
        organisation_id=organisation.pk,
    )


def _with_ids(
    rows: QuerySet[WaitingValuation], ids: QuerySet | list[int]
) -> QuerySet[WaitingValuation]:
    """The rows whose activity is among ``ids`` (a query). On PostgreSQL as ``= ANY(ARRAY(
    subquery))``: the ids are computed once (an InitPlan) and the rows read by their primary
    key; as ``IN (subquery)`` the planner hashes every stored row of the organisation instead
    (docs/performance.md, "The funding overview")."""
    if isinstance(ids, list) or connection.vendor != "postgresql":
        return rows.filter(activity_id__in=list(ids))
    sql, params = ids.query.sql_with_params()
    # The SQL is Django's own compilation of ``ids``; its values stay parameters.
    return rows.alias(
        on_page=RawSQL(  # noqa: S611
            f'"trajectories_waitingvaluation"."activity_id" = ANY(ARRAY({sql}))',
            params,
            output_field=BooleanField(),
        )
    ).filter(on_page=True)


def unfunded_queue_rows(*, queue: UnfundedQueue, offset: int, size: int) -> UnfundedQueue:
    """The queue with the items at positions ``offset`` to ``offset + size`` of its list (the
    groups in order, the oldest first within each; at most ``queue.shown``): a page.

    Cut in SQL: each group on the page gives its rows by ``LIMIT``/``OFFSET`` on the index of
    (organisation, funder, date, activity), the groups joined by ``UNION ALL`` in a subquery
    of the one query that loads those rows with their activity, client and product: one
    query, whatever the number of waiting activities; nothing beyond the page is numbered or
    built.
    """
    end = min(offset + size, queue.shown)
    wanted: list[tuple[UnfundedFunderGroup, int, int]] = []
    start = 0
    for group in queue.groups:
        lo, hi = max(offset - start, 0), min(end - start, group.count)
        if lo < hi:
            wanted.append((group, lo, hi))
        start += group.count
    shown_rows: dict[int | None, list[WaitingValuation]] = {}
    if wanted:
        valuations = _waiting_valuations(queue.organisation_id)
        parts = [
            valuations.filter(
                Q(funder__isnull=True) if group.funder is None else Q(funder=group.funder)
            )
            .order_by("date", "activity_id")
            .values_list("activity_id", flat=True)[lo:hi]
            for group, lo, hi in wanted
        ]
        if len(parts) == 1:
            ids = parts[0]
        elif connection.features.supports_slicing_ordering_in_compound:
            ids = parts[0].union(*parts[1:], all=True)
        else:  # SQLite (the demo's): no LIMIT inside a UNION, so a query per group on the page
            ids = [activity_id for part in parts for activity_id in part]
        rows = (
            _with_ids(WaitingValuation.objects.all(), ids)
            .select_related(
                "activity__trajectory__client__responsible_municipality",
                "product__contract__funder",
                "stream",
            )
            .only(
                "value_cents",
                "funder",
                *_all_fields("stream", FundingStream),
                *_all_fields("product", Product),
                *_all_fields("product__contract", Contract),
                *_all_fields("product__contract__funder", Funder),
                *(f"activity__{field}" for field in VALUED_FIELDS),
            )
            .order_by("date", "activity_id")
        )
        for row in rows:
            shown_rows.setdefault(row.funder_id, []).append(row)
    shown_groups = []
    for group in queue.groups:
        key = group.funder.pk if group.funder is not None else None
        shown_groups.append(
            UnfundedFunderGroup(
                funder=group.funder,
                items=[
                    UnfundedItem(
                        activity=row.activity,
                        product=row.product,
                        value_cents=row.value_cents,
                        responsible=group.funder,
                        stream=row.stream,
                    )
                    for row in shown_rows.get(key, [])
                ],
                count=group.count,
                total_cents=group.total_cents,
            )
        )
    return UnfundedQueue(
        groups=shown_groups,
        count=queue.count,
        shown=queue.shown,
        total_cents=queue.total_cents,
        organisation_id=queue.organisation_id,
    )


# --- caseload ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadRow:
    user_id: int
    name: str
    counts: list[int]  # distinct clients per team role, in TeamRole order
    total: int  # distinct clients over all roles


def caseload_per_worker(*, organisation: Organisation) -> list[CaseloadRow]:
    """Per worker of the organisation with an ongoing care-team membership: the number of
    distinct clients in each team role, and in all. One aggregated query."""
    per_role = {
        f"clients_{role}": Count("trajectory__client", filter=Q(role=role), distinct=True)
        for role in TeamRole.values
    }
    rows = (
        CareTeamMembership.objects.filter(
            ongoing_memberships(),
            trajectory__client__organisation=organisation,
            user__organisation=organisation,
        )
        .values("user_id", "user__username", "user__first_name", "user__last_name")
        .annotate(**per_role, clients_total=Count("trajectory__client", distinct=True))
        .order_by("user__last_name", "user__first_name", "user__username", "user_id")
    )
    return [
        CaseloadRow(
            user_id=row["user_id"],
            name=f"{row['user__first_name']} {row['user__last_name']}".strip()
            or row["user__username"],
            counts=[row[f"clients_{role}"] for role in TeamRole.values],
            total=row["clients_total"],
        )
        for row in rows
    ]
