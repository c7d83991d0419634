"""Reads of integral-funding pilots: the pilots of an organisation, and a pilot's report that
sets what was spent under the pilot beside what the same care would have cost on the regular
route of contracts and allocations.

The regular route of each pilot activity is found with the rules that value the unfunded
queue (``ResponsibleRoutes.regular``): the cheapest fitting product of the funder responsible
for it by the rules (the law that goes first; under it the care office, the client's own
insurer, or the municipality that pays on the day), among the organisation's regular
contracts.
On that route every client needs an allocation per product: the count of distinct (client,
product) pairs is the number of allocations the regular route would have needed, and it is
valued as a funder bills: per client, product and month, units x tariff rounded half up to
cents. Care *delivered without waiting* is pilot care for which the client
had, on the day, no regular allocation registered that could pay for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from apps.accounts.models import Organisation
from apps.core.domains import Domain
from apps.funding.models import Allocation, AllocationStatus, Funder, IntegralPilot, Product
from apps.funding.responsibility import ResponsibleRoutes
from apps.funding.rules import allocation_refusal, amount_cents
from apps.trajectories.education import activities_with_employment
from apps.trajectories.models import Activity, ActivityStatus, FundingStatus

PILOT, RECORDED = FundingStatus.PILOT, ActivityStatus.RECORDED


def pilot_list(*, organisation: Organisation) -> QuerySet[IntegralPilot]:
    """The organisation's pilots with their funder, clients and what they have spent."""
    return (
        IntegralPilot.objects.filter(contract__organisation=organisation)
        .select_related("contract__funder")
        .annotate(client_count=Count("enrolments", distinct=True))
        .order_by("-start", "pk")
    )


def pilot_get_for(*, organisation: Organisation, pk: int) -> IntegralPilot | None:
    return pilot_list(organisation=organisation).filter(pk=pk).first()


@dataclass(frozen=True)
class OtherRoutePrice:
    """An activity's price on a route that pays otherwise than by a contract's product: the
    Zvw's prestaties for GGZ treatment from the 18th birthday (apps.zvw, handed in by
    apps.pools, which sit above this module)."""

    cents: int | None  # None: no tariff prices it (counted as no regular route)
    funder: Funder | None  # who pays on that route, when known as a funder
    funder_key: str  # one declaration per key and month (the insurer's UZOVI)
    lines: int  # the declaration lines it takes (one per prestatie)


# The activities a caller prices itself: activity pk -> its price on the other route.
OtherRoute = Callable[[list[Activity]], dict[int, OtherRoutePrice]]


@dataclass
class DomainComparison:
    domain: str
    activities: int = 0
    minutes: int = 0
    pilot_cents: int = 0
    regular_cents: int = 0

    @property
    def label(self) -> str:
        return Domain(self.domain).label


@dataclass
class PilotReport:
    pilot: IntegralPilot
    clients: int
    budget_cents: int
    budget_used_cents: int = 0  # by all of the pilot's care, whatever the period shown
    activities: int = 0
    minutes: int = 0
    pilot_cents: int = 0
    regular_cents: int = 0
    regular_allocations: int = 0  # distinct (client, product) pairs on the regular route
    regular_funders: list[Funder] = field(default_factory=list)
    regular_contracts: int = 0
    regular_streams: int = 0
    no_regular_route: int = 0  # activities no regular contract could pay for
    no_regular_route_cents: int = 0  # their cost under the pilot
    without_waiting: int = 0
    without_waiting_minutes: int = 0
    without_waiting_cents: int = 0
    without_waiting_days: int = 0  # distinct (client, day) of care delivered without waiting
    regular_lines: int = 0  # declaration lines: per client, product and month
    regular_declarations: int = 0  # claims: one per funder and month
    domains: list[DomainComparison] = field(default_factory=list)

    @property
    def left_cents(self) -> int:
        return max(self.budget_cents - self.budget_used_cents, 0)

    @property
    def used_percent(self) -> int:
        return (100 * self.budget_used_cents) // self.budget_cents if self.budget_cents else 0

    @property
    def difference_cents(self) -> int:
        """Regular minus pilot: positive when the pilot cost less."""
        return self.regular_cents - self.pilot_cents


def pilot_report(
    *,
    pilot: IntegralPilot,
    period_start: date | None = None,
    period_end: date | None = None,
    other_route: OtherRoute | None = None,
) -> PilotReport:
    """The pilot's figures beside the regular route's, over the pilot's period (or a part).

    ``other_route``: prices the activities that another route pays, not a contract's product
    (the Zvw's prestaties): those need no allocation, are declared as that route says, and
    do not count as care delivered without waiting for an allocation."""
    period_start = period_start or pilot.start
    period_end = period_end or pilot.end
    organisation = pilot.contract.organisation
    # Whether each client held a job on the day: the UWV pays job coaching only beside one.
    activities = list(
        activities_with_employment(Activity.objects.all())
        .filter(
            status=RECORDED,
            funding_status=PILOT,
            pilot_product__contract=pilot.contract,
            date__gte=period_start,
            date__lte=period_end,
        )
        .select_related("trajectory__client__responsible_municipality")
        .only(
            "trajectory__client__responsible_municipality__cbs_code",
            "trajectory__client__responsible_municipality__name",
            "trajectory__client__organisation",
            "trajectory__client__date_of_birth",
            "trajectory__client__extended_youth_care_from",
            "trajectory__client__extended_youth_care_until",
            "domain",
            "kind",
            "date",
            "duration_minutes",
            "units",
            "attendance",
            "performed_by",
            "pilot_cents",
            "pilot_product",
        )
        .order_by("date", "pk")
    )
    report = PilotReport(
        pilot=pilot,
        clients=pilot.enrolments.count(),
        budget_cents=pilot.budget_cents,
    )
    # The budget is what all of the pilot's care has drawn, whatever the period shown.
    budget_used = Activity.objects.filter(
        status=RECORDED, funding_status=PILOT, pilot_product__contract=pilot.contract
    ).aggregate(total=Sum("pilot_cents"))["total"]

    clients = {activity.trajectory.client_id: activity.trajectory.client for activity in activities}
    client_ids = set(clients)
    # The regular route is the responsible funder's (apps.funding.responsibility): the law
    # that goes first, and under it the care office, the client's own insurer or the
    # municipality that pays on the day.
    regular = ResponsibleRoutes.regular(organisation, clients.values())
    allocations = defaultdict(list)
    for allocation in (
        Allocation.objects.filter(
            client__in=client_ids,
            status=AllocationStatus.ACTIVE,
        )
        .exclude(contract__integral_pilot__isnull=False)
        .select_related("contract__stream", "product", "funder")
    ):
        allocations[allocation.client_id].append(allocation)

    others = other_route(activities) if other_route is not None else {}
    other_lines = 0
    other_declarations: set[tuple[str, date]] = set()
    other_funders: dict[int, Funder] = {}
    pairs: set[tuple[int, int]] = set()
    days_without_waiting: set[tuple[int, date]] = set()
    lines: dict[tuple, int] = defaultdict(int)
    products: dict[int, Product] = {}
    domains: dict[str, DomainComparison] = {}
    for activity in activities:
        client = activity.trajectory.client
        minutes = activity.duration_minutes or 0
        report.activities += 1
        report.minutes += minutes
        report.pilot_cents += activity.pilot_cents
        comparison = domains.setdefault(activity.domain, DomainComparison(activity.domain))
        comparison.activities += 1
        comparison.minutes += minutes
        comparison.pilot_cents += activity.pilot_cents

        other = others.get(activity.pk)
        if other is not None:
            if other.cents is None:
                report.no_regular_route += 1
                report.no_regular_route_cents += activity.pilot_cents
                continue
            report.regular_cents += other.cents
            comparison.regular_cents += other.cents
            other_lines += other.lines
            if other.lines:
                other_declarations.add((other.funder_key, activity.date.replace(day=1)))
            if other.funder is not None:
                other_funders[other.funder.pk] = other.funder
            continue

        product, _value, consumed = regular.priced(activity)
        if product is None:
            report.no_regular_route += 1
            report.no_regular_route_cents += activity.pilot_cents
        else:
            month = activity.date.replace(day=1)
            lines[(client.pk, product.pk, month, activity.domain)] += consumed
            pairs.add((client.pk, product.pk))
            products[product.pk] = product

        had_allocation = any(
            timezone.localdate(allocation.created_at) <= activity.date
            and allocation_refusal(
                allocation=allocation,
                activity=activity,
                client=client,
                timeline=regular.facts_of(client).timeline,
                facts=regular.facts_of(client),
            )
            is None
            for allocation in allocations[client.pk]
        )
        if not had_allocation:
            report.without_waiting += 1
            report.without_waiting_minutes += minutes
            report.without_waiting_cents += activity.pilot_cents
            days_without_waiting.add((client.pk, activity.date))

    # As a funder bills: per client, product and month, units x tariff rounded half up.
    for (_client, product_id, _month, domain), consumed in lines.items():
        product = products[product_id]
        value = amount_cents(consumed, product.unit, product.tariff_cents)
        report.regular_cents += value
        domains[domain].regular_cents += value
    report.budget_used_cents = budget_used or 0
    report.without_waiting_days = len(days_without_waiting)
    report.regular_lines = len({key[:3] for key in lines}) + other_lines
    report.regular_declarations = len(
        {(products[key[1]].contract.funder_id, key[2]) for key in lines}
    ) + len(other_declarations)
    report.regular_allocations = len(pairs)
    funders = {product.contract.funder.pk: product.contract.funder for product in products.values()}
    funders.update(other_funders)
    report.regular_funders = sorted(funders.values(), key=lambda funder: funder.name)
    report.regular_contracts = len({product.contract_id for product in products.values()})
    report.regular_streams = len({product.contract.stream_id for product in products.values()})
    report.domains = [domains[code] for code in Domain.values if code in domains]
    return report
