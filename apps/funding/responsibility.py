"""Who is responsible for a client's care on a day, by each law's own rules, and what that
funder's tariff makes the care worth: for the unfunded queue, the pilots' regular route and a
funder's report annex (docs/funding.md, "Who is responsible").

The rule, for one activity of one client on one day:

1. Which laws cover this care for this client on this day: the stream pays for the domain and
   kind and its age rules fit; the Wlz only with a CIZ indication valid on the day (Wlz
   art. 3.2.1; an active Wlz allocation counts as one).
2. Of those, the law that goes first (``rules.PRECEDENCE``: Wlz > Zvw > Jeugdwet / Wmo).
3. The funder responsible under that law: for the Wlz the care office (with the data there is:
   the funder of a Wlz contract); for the Zvw only the client's own health insurer on the day
   (UZOVI); for the Jeugdwet and the Wmo the responsible municipality on the day
   (woonplaatsbeginsel), or, after a move, the old municipality while its running allocation
   goes on until the new municipality's first allocation is valid.
4. The care is valued at that funder's cheapest fitting product (the rules of
   ``allocation_refusal``, volume aside; time units before stays). Streams outside
   ``PRECEDENCE`` (education, work) compete on value as before.

Nothing here writes. The facts per client (history, indications, insurances, allocations) are
read for many clients at once, so that a queue or an annex costs the same number of queries
whatever the number of activities.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Q

from apps.accounts.models import Organisation
from apps.clients.models import Client, HealthInsurance, Municipality, WlzIndication

from .models import (
    Allocation,
    AllocationStatus,
    Funder,
    FunderKind,
    FundingStream,
    Product,
)
from .rules import (
    MUNICIPAL_STREAMS,
    NOT_EXTENDED_KINDS,
    PRECEDENCE,
    ContractProducts,
    Timeline,
    allocation_refusal,
    cheapest_stand_in,
    is_municipality,
    precedence_rank,
    responsibility_timelines,
    responsible_municipality_on,
)

if TYPE_CHECKING:
    from apps.trajectories.models import Activity

WLZ, ZVW = "wlz", "zvw-ggz"
# Streams whose allocations the facts read: the municipal ones (a move) and the Wlz (an
# allocation counts as an indication).
_FACT_STREAMS = (*sorted(MUNICIPAL_STREAMS), WLZ)


@dataclass(frozen=True)
class Continuation:
    """After a move, a running allocation of the previous responsible municipality pays on
    from the move until (not including) the first day an allocation of the new one (same
    stream) is valid: ``date.max`` while there is none."""

    allocation_id: int
    stream_code: str
    municipality: Municipality  # the previous responsible municipality, whose allocation it is
    start: date  # the allocation's own validity
    end: date | None
    first: date  # the day of the move
    until: date  # exclusive

    def covers(self, day: date) -> bool:
        valid = self.start <= day and (self.end is None or day <= self.end)
        return valid and self.first <= day < self.until


def move_continuations(timeline: Timeline, allocations: Iterable[Allocation]) -> list[Continuation]:
    """Which of the client's Jeugdwet and Wmo allocations go on paying after a move, and until
    when (the woonplaatsbeginsel's takeover; docs/funding.md).

    ``allocations`` are the client's allocations (withdrawn ones are ignored: a withdrawn
    allocation never took over). An allocation of the old municipality goes on when it was
    valid the day before the move; the new municipality takes over on the first day one of its
    allocations of the same stream is valid (not before the move), or at a next move.
    """
    allocations = [
        allocation
        for allocation in allocations
        if allocation.status != AllocationStatus.WITHDRAWN
        and allocation.contract.stream.code in MUNICIPAL_STREAMS
        and allocation.funder.kind == FunderKind.MUNICIPALITY
    ]
    found = []
    for index in range(1, len(timeline)):
        moved_on, new = timeline[index]
        old = timeline[index - 1][1]
        next_move = timeline[index + 1][0] if index + 1 < len(timeline) else date.max
        for stream_code in sorted(MUNICIPAL_STREAMS):
            of_stream = [a for a in allocations if a.contract.stream.code == stream_code]
            takeover = min(
                (
                    max(a.start, moved_on)
                    for a in of_stream
                    if is_municipality(a.funder, new) and (a.end is None or a.end >= moved_on)
                ),
                default=date.max,
            )
            until = min(takeover, next_move)
            if until <= moved_on:
                continue
            the_day_before = moved_on - timedelta(days=1)
            found.extend(
                Continuation(
                    allocation_id=a.pk,
                    stream_code=stream_code,
                    municipality=old,
                    start=a.start,
                    end=a.end,
                    first=moved_on,
                    until=until,
                )
                for a in of_stream
                if is_municipality(a.funder, old) and a.is_valid_on(the_day_before)
            )
    return found


Period = tuple[date, date | None]


def _covers(period: Period, day: date) -> bool:
    return period[0] <= day and (period[1] is None or day <= period[1])


class FundingFacts:
    """What the funding rules need to know of one client beyond its own row, read on first
    use (or given, when read for many clients at once by ``funding_facts``):

    - ``timeline``: the responsible municipality over time (``rules.responsibility_timeline``);
    - ``indications``: the periods of the CIZ indications and of the active Wlz allocations;
    - ``insurances``: the client's own health insurer over time, (start, end, UZOVI);
    - ``continuations``: the allocations that go on after a move (``move_continuations``).
    """

    def __init__(
        self,
        client: Client,
        *,
        timeline: Timeline | None = None,
        indications: list[Period] | None = None,
        insurances: list[tuple[date, date | None, str]] | None = None,
        allocations: list[Allocation] | None = None,
        wlz_allocations: list[Allocation] | None = None,
    ) -> None:
        self.client = client
        self._timeline = timeline
        self._indications = indications
        self._insurances = insurances
        self._allocations = allocations
        # The client's active Wlz allocations, when the caller has them at hand.
        self._wlz_allocations = wlz_allocations
        self._continuations: list[Continuation] | None = None

    @property
    def timeline(self) -> Timeline:
        if self._timeline is None:
            self._timeline = responsibility_timelines([self.client]).get(self.client.pk, [])
        return self._timeline

    def _fact_allocations(self) -> list[Allocation]:
        if self._allocations is None:
            self._allocations = list(_fact_allocations([self.client.pk]))
        return self._allocations

    @property
    def indications(self) -> list[Period]:
        if self._indications is None:
            indications = WlzIndication.objects.filter(client_id=self.client.pk)
            wlz = self._wlz_allocations
            if wlz is None:
                wlz = self._fact_allocations()
            self._indications = [(i.start, i.end) for i in indications]
            self._indications += _wlz_allocation_periods(wlz)
        return self._indications

    @property
    def insurances(self) -> list[tuple[date, date | None, str]]:
        if self._insurances is None:
            rows = HealthInsurance.objects.filter(client_id=self.client.pk)
            self._insurances = [(row.start, row.end, row.uzovi) for row in rows]
        return self._insurances

    @property
    def continuations(self) -> list[Continuation]:
        if self._continuations is None:
            timeline = self.timeline
            # Only a client who moved can have one: no allocations read otherwise.
            allocations = self._fact_allocations() if len(timeline) > 1 else []
            self._continuations = move_continuations(timeline, allocations)
        return self._continuations

    @cached_property
    def wlz_stream(self) -> FundingStream | None:
        """The Wlz stream (reference data), to know which care the Wlz covers."""
        return FundingStream.objects.filter(code=WLZ).first()

    def wlz_indicated_on(self, day: date) -> bool:
        """Whether a CIZ indication (or an active Wlz allocation) is valid on the day."""
        return any(_covers(period, day) for period in self.indications)

    def insurer_on(self, day: date) -> str | None:
        """The UZOVI code of the client's own health insurer on the day; None if not recorded."""
        return next(
            (uzovi for start, end, uzovi in self.insurances if _covers((start, end), day)), None
        )

    def continues(self, allocation: Allocation, day: date) -> bool:
        """Whether the allocation of a previous municipality goes on paying on the day."""
        if allocation.pk is None:
            return False
        return any(c.allocation_id == allocation.pk and c.covers(day) for c in self.continuations)

    def municipality_paying(self, day: date, stream_code: str) -> Municipality:
        """The municipality that pays the client's Jeugdwet or Wmo care on the day: the
        responsible one, or the previous one while its allocation goes on after a move."""
        for continuation in self.continuations:
            if continuation.stream_code == stream_code and continuation.covers(day):
                return continuation.municipality
        return responsible_municipality_on(self.client, day, self.timeline)


def _fact_allocations(client_ids: Iterable[int]):
    return (
        Allocation.objects.filter(
            client_id__in=set(client_ids), contract__stream__code__in=_FACT_STREAMS
        )
        .exclude(status=AllocationStatus.WITHDRAWN)
        .select_related("funder", "contract__stream", "product")
        .order_by("pk")
    )


def _wlz_allocation_periods(allocations: Iterable[Allocation]) -> list[Period]:
    return [
        (allocation.start, allocation.end)
        for allocation in allocations
        if allocation.status == AllocationStatus.ACTIVE and allocation.contract.stream.code == WLZ
    ]


def funding_facts(clients: Iterable[Client]) -> dict[int, FundingFacts]:
    """``FundingFacts`` of several clients, read at once: four queries whatever their number."""
    clients = {client.pk: client for client in clients}
    timelines = responsibility_timelines(clients)
    indications: dict[int, list[Period]] = {pk: [] for pk in clients}
    for row in WlzIndication.objects.filter(client_id__in=clients):
        indications[row.client_id].append((row.start, row.end))
    insurances: dict[int, list] = {pk: [] for pk in clients}
    for row in HealthInsurance.objects.filter(client_id__in=clients):
        insurances[row.client_id].append((row.start, row.end, row.uzovi))
    allocations: dict[int, list[Allocation]] = {pk: [] for pk in clients}
    for allocation in _fact_allocations(clients):
        allocations[allocation.client_id].append(allocation)
    return {
        pk: FundingFacts(
            client,
            timeline=timelines.get(pk, []),
            indications=indications[pk] + _wlz_allocation_periods(allocations[pk]),
            insurances=insurances[pk],
            allocations=allocations[pk],
        )
        for pk, client in clients.items()
    }


# --- the law that goes first, and its funder ---------------------------------------------


def indication_refusals(
    fitting: list[Allocation],
    *,
    activity: Activity,
    client: Client,
    facts: FundingFacts,
) -> dict[int, dict]:
    """Of allocations that each fit an activity (volume aside), those of a law after the Wlz
    that yield because the client has a Wlz indication valid on the day and the Wlz covers
    this care (Jeugdwet art. 1.2 lid 1; Wmo 2015 art. 2.3.5 lid 6): allocation pk -> refusal.

    Empty when a Wlz allocation is among them (``rules.precedence_refusals`` decides then).
    """
    wlz_rank = precedence_rank(WLZ)
    codes = [allocation.contract.stream.code for allocation in fitting]
    lower = [
        allocation
        for allocation, code in zip(fitting, codes, strict=True)
        if precedence_rank(code) is not None and precedence_rank(code) > wlz_rank
    ]
    if not lower or WLZ in codes or not facts.wlz_indicated_on(activity.date):
        return {}
    wlz = facts.wlz_stream
    if wlz is None or not law_covers(wlz, activity=activity, client=client, facts=facts):
        return {}
    return {
        allocation.pk: {
            "code": "wlz_indication",
            "number": allocation.number,
            "stream": allocation.contract.stream.name,
            "date": activity.date.isoformat(),
            "article": PRECEDENCE[allocation.contract.stream.code][1],
        }
        for allocation in lower
    }


def law_covers(
    stream: FundingStream, *, activity: Activity, client: Client, facts: FundingFacts
) -> bool:
    """Whether the stream's law covers this care of this client on its day, whoever the
    funder: it pays for the domain and kind, the age fits, and for the Wlz an indication is
    valid on the day."""
    day = activity.date
    if not stream.pays_for(domain=activity.domain, kind=activity.kind):
        return False
    age = client.age_on(day)
    if stream.min_age is not None and age < stream.min_age:
        return False
    if stream.age_limit is not None and age >= stream.age_limit:
        # Extended youth care (to 23) as recorded on the day; guidance and personal care are
        # never extended (apps.funding.rules.age_limit_refusal says the same per product).
        extended = (
            stream.extended_age_limit is not None
            and age < stream.extended_age_limit
            and client.extended_youth_care_on(day)
            and activity.kind not in NOT_EXTENDED_KINDS
        )
        if not extended:
            return False
    return stream.code != WLZ or facts.wlz_indicated_on(day)


def first_laws(
    streams: Iterable[FundingStream], *, activity: Activity, client: Client, facts: FundingFacts
) -> list[FundingStream]:
    """The streams of the law that goes first for this care (``PRECEDENCE``), of those that
    cover it: one, or the Jeugdwet and the Wmo together (they share a rank). Empty when no
    ranked law covers it."""
    covering = [
        stream
        for stream in streams
        if precedence_rank(stream.code) is not None
        and law_covers(stream, activity=activity, client=client, facts=facts)
    ]
    if not covering:
        return []
    top = min(precedence_rank(stream.code) for stream in covering)
    return sorted(
        (stream for stream in covering if precedence_rank(stream.code) == top),
        key=lambda stream: stream.code,
    )


@dataclass(frozen=True)
class Responsible:
    """Who is responsible for one activity, and what it is worth at their tariff."""

    stream: FundingStream | None  # the law that goes first; None: no ranked law covers it
    funder: Funder | None  # the funder responsible; None: not known (no contract, no insurer)
    product: Product | None  # the funder's cheapest fitting product; None: none fits
    value_cents: int
    consumed: int  # what the activity draws of the product (minutes for time units)


class ResponsibleRoutes:
    """The responsible funder of waiting (or pilot) care and its value, over the products of
    an organisation's regular contracts and the clients' ``FundingFacts``.

    Remembered per everything the rule looks at, so alike activities share one pass.
    """

    def __init__(
        self,
        products: ContractProducts,
        *,
        streams: Iterable[FundingStream],
        funders: Iterable[Funder],
        facts: dict[int, FundingFacts],
    ) -> None:
        self.products = products
        self.streams = list(streams)
        self.facts = facts
        self._funders = {
            (funder.kind, funder.code): funder
            for funder in funders
            if funder.kind in (FunderKind.MUNICIPALITY, FunderKind.HEALTH_INSURER)
        }
        self._memo: dict[tuple, Responsible] = {}

    @classmethod
    def regular(cls, organisation: Organisation, clients: Iterable[Client]) -> ResponsibleRoutes:
        """For the clients' activities, over the organisation's regular contracts: seven
        queries whatever the number of clients or activities."""
        clients = list(clients)
        return cls(
            ContractProducts.regular(organisation),
            streams=FundingStream.objects.order_by("code"),
            funders=Funder.objects.filter(
                kind__in=(FunderKind.MUNICIPALITY, FunderKind.HEALTH_INSURER)
            ),
            facts=funding_facts(clients),
        )

    @classmethod
    def for_activities(
        cls, organisation: Organisation, activities: list[Activity]
    ) -> ResponsibleRoutes:
        """As ``regular``, for these activities only (with their trajectory's client): of the
        organisation's regular products it reads those the rules could let stand in for one
        of them, not the whole product table. The others are refused anyway, each by a rule
        that looks at the product's contract alone: its period does not hold the day
        (``not_valid_on_date``), its stream does not pay for the domain and kind
        (``stream_does_not_pay``), or it is a Jeugdwet or Wmo product of a municipality that
        does not pay for the client on the day (``not_responsible``). So the outcome is the
        same, and logging one waiting activity reads a few products instead of all of them.
        """
        clients = {
            activity.trajectory.client_id: activity.trajectory.client for activity in activities
        }
        facts = funding_facts(clients.values())
        streams = list(FundingStream.objects.order_by("code"))
        kinds = {(activity.domain, activity.kind) for activity in activities}
        paying_streams = [
            stream.pk
            for stream in streams
            if any(stream.pays_for(domain=domain, kind=kind) for domain, kind in kinds)
        ]
        paying_codes = {
            facts[activity.trajectory.client_id].municipality_paying(activity.date, code).cbs_code
            for activity in activities
            for code in MUNICIPAL_STREAMS
        }
        days = [activity.date for activity in activities]
        where = Q(contract__stream_id__in=paying_streams) if activities else Q(pk__in=[])
        if days:
            where &= Q(contract__start__lte=max(days))
            where &= Q(contract__end__isnull=True) | Q(contract__end__gte=min(days))
        where &= (
            ~Q(contract__stream__code__in=MUNICIPAL_STREAMS)
            | ~Q(contract__funder__kind=FunderKind.MUNICIPALITY)
            | Q(contract__funder__code__in=paying_codes)
        )
        return cls(
            ContractProducts.regular(organisation, where=where),
            streams=streams,
            funders=Funder.objects.filter(
                kind__in=(FunderKind.MUNICIPALITY, FunderKind.HEALTH_INSURER)
            ),
            facts=facts,
        )

    def facts_of(self, client: Client) -> FundingFacts:
        if client.pk not in self.facts:
            self.facts[client.pk] = FundingFacts(client)
        return self.facts[client.pk]

    def responsible(self, activity: Activity) -> Responsible:
        client = activity.trajectory.client
        facts = self.facts_of(client)
        day = activity.date
        key = (
            activity.domain,
            activity.kind,
            day,
            client.age_on(day),
            client.extended_youth_care_on(day),
            facts.wlz_indicated_on(day),
            facts.insurer_on(day),
            *(facts.municipality_paying(day, code).pk for code in sorted(MUNICIPAL_STREAMS)),
            activity.duration_minutes,
            activity.units,
            # Whether the client holds a job, where the caller knows (employment_refusal).
            getattr(activity, "employed", None),
        )
        if key not in self._memo:
            self._memo[key] = self._responsible_now(activity, client, facts)
        return self._memo[key]

    def priced(self, activity: Activity) -> tuple[Product | None, int, int]:
        """As ``ContractProducts.priced``: the responsible product, its value, consumption."""
        found = self.responsible(activity)
        return found.product, found.value_cents, found.consumed

    def _responsible_funder(
        self, stream: FundingStream, funder: Funder, day: date, facts: FundingFacts
    ) -> bool:
        """Whether a contract's funder is the one responsible under the stream's law."""
        if stream.code == WLZ:
            return True  # the care office of the region: any Wlz contract's funder
        if stream.code == ZVW:
            uzovi = facts.insurer_on(day)
            return funder.kind == FunderKind.HEALTH_INSURER and funder.code == uzovi
        if stream.code in MUNICIPAL_STREAMS:
            if funder.kind == FunderKind.REGION:
                return True  # which municipalities a region acts for is not recorded
            return is_municipality(funder, facts.municipality_paying(day, stream.code))
        return True

    def _named_funder(self, stream: FundingStream, day: date, facts: FundingFacts):
        """The responsible funder when none of its products fits (it may have no contract)."""
        if stream.code == ZVW:
            uzovi = facts.insurer_on(day)
            return self._funders.get((FunderKind.HEALTH_INSURER, uzovi)) if uzovi else None
        if stream.code in MUNICIPAL_STREAMS:
            paying = facts.municipality_paying(day, stream.code)
            return self._funders.get((FunderKind.MUNICIPALITY, paying.cbs_code))
        return None

    def _responsible_now(
        self, activity: Activity, client: Client, facts: FundingFacts
    ) -> Responsible:
        day = activity.date
        first = first_laws(self.streams, activity=activity, client=client, facts=facts)
        first_codes = {stream.code for stream in first}

        def refusal(stand_in: Allocation) -> dict | None:
            contract = stand_in.product.contract
            stream = contract.stream
            if stream.code in PRECEDENCE:
                if stream.code not in first_codes:
                    return {"code": "other_law_first"}  # or this law does not cover the care
                if not self._responsible_funder(stream, contract.funder, day, facts):
                    return {"code": "not_responsible"}
            # The municipality checked is the paying one (the old one during a continuation).
            timeline = (
                [(date.min, facts.municipality_paying(day, stream.code))]
                if stream.code in MUNICIPAL_STREAMS
                else None
            )
            return allocation_refusal(
                allocation=stand_in,
                activity=activity,
                client=client,
                timeline=timeline,
                facts=facts,
            )

        best_stand_in, value, consumed = cheapest_stand_in(
            self.products.stand_ins, activity=activity, client=client, refusal=refusal
        )
        if best_stand_in is not None:
            product = best_stand_in.product
            return Responsible(
                stream=product.contract.stream,
                funder=product.contract.funder,
                product=product,
                value_cents=value,
                consumed=consumed,
            )
        stream = first[0] if first else None
        funder = self._named_funder(stream, day, facts) if stream is not None else None
        return Responsible(stream=stream, funder=funder, product=None, value_cents=0, consumed=0)
