"""What a pooled budget costs and who pays which part of it (docs/pools.md).

The cost comes in *charges*: one per activity when the pool pays per activity (at the pool
contract's tariffs, or from a budget per client), one per client and month (or part of a
month) when it pays a price per client (a month, or a trajectory paid in monthly
instalments). A charge is cut at the birthdays on which a funder's law starts or stops paying
(the Jeugdwet until 18, the Zvw from 18: ``PoolFunder.pays_at_age``), so that an insurer's
share starts on the 18th birthday itself.

Each charge is divided over the funders by the pool's split rule (verdeelsleutel):

- fixed shares: over the funders that pay at the client's age, by their shares;
- shares per domain: the charge is first divided over the domains (an activity's own domain;
  a price per client by the value of the client's care in each domain in that part of the
  month, at the pool contract's tariffs, or evenly over the pool's domains when there was
  none), then each domain over its funders that pay at that age;
- what each would have paid: by what the same care would have cost each funder on the
  regular route (apps.funding.responsibility).

Cents are divided by the largest remainder, so that the parts always add up to the whole;
a charge no funder pays for (no eligible funder, no regular route) stays *unattributed* and
is shown as such.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from apps.clients.models import Client
from apps.funding.models import (
    EarlyExit,
    Funder,
    IntegralPilot,
    PilotEnrolment,
    PoolPricing,
    SplitRule,
)
from apps.funding.responsibility import ResponsibleRoutes
from apps.funding.rules import amount_cents
from apps.trajectories.education import activities_with_employment
from apps.trajectories.models import Activity, ActivityStatus, FundingStatus

from .models import PoolFunder


def split_cents(total: int, weights: dict) -> dict:
    """Divide whole cents by weights, the largest remainders getting the cents left over
    (ties in the weights' order): the parts add up to the total. Empty without weight."""
    weights = {key: weight for key, weight in weights.items() if weight > 0}
    whole = sum(weights.values())
    if not weights or total == 0:
        return {}
    parts = {key: total * weight // whole for key, weight in weights.items()}
    left = total - sum(parts.values())
    order = sorted(
        enumerate(weights.items()), key=lambda item: (-(total * item[1][1] % whole), item[0])
    )
    for _index, (key, _weight) in order[:left]:
        parts[key] += 1
    return parts


def half_up(numerator: int, denominator: int) -> int:
    """A non-negative fraction rounded half up to a whole number."""
    return (2 * numerator + denominator) // (2 * denominator)


def month_first(day: date) -> date:
    return day.replace(day=1)


def month_last(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after the day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """The firsts of the months from the one of ``first`` to the one of ``last``."""
    months, month = [], month_first(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass
class Charge:
    """What the pool pays for one client over some days of one month (or for one activity)."""

    client_id: int
    month: date
    first: date
    last: date
    cents: int
    domains: dict[str, int]  # weights per domain
    regular: dict[int, int]  # what the care would have cost each funder (by id) regularly
    activity_id: int | None = None


@dataclass
class FunderMonth:
    """One funder's share of one month: what it paid for, and for which clients."""

    funder: Funder
    month: date
    cents: int = 0
    clients: dict[int, int] = field(default_factory=dict)  # client id -> cents


@dataclass
class Ledger:
    pool: IntegralPilot
    parts: list[PoolFunder]
    clients: dict[int, Client]
    enrolments: list[PilotEnrolment]
    charges: list[Charge]
    shares: dict[tuple[int, date], FunderMonth]  # (funder id, month) -> its share
    unattributed: dict[date, int]  # month -> cents no funder pays for

    @property
    def total_cents(self) -> int:
        return sum(charge.cents for charge in self.charges)

    def funders(self) -> list[Funder]:
        found = {part.funder_id: part.funder for part in self.parts}
        return sorted(found.values(), key=lambda funder: (funder.name, funder.pk))

    def months(self) -> list[date]:
        return sorted({charge.month for charge in self.charges} | set(self.unattributed))

    def of_funder(self, funder: Funder, *, year: int | None = None) -> list[FunderMonth]:
        rows = [
            share
            for (funder_id, month), share in self.shares.items()
            if funder_id == funder.pk and (year is None or month.year == year)
        ]
        return sorted(rows, key=lambda share: share.month)

    def funder_cents(self, funder: Funder, *, year: int | None = None) -> int:
        return sum(share.cents for share in self.of_funder(funder, year=year))

    def up_to(self, day: date) -> Ledger:
        """The same ledger up to a day, as ``pool_ledger(until=day)`` computes it: an
        activity's charge up to its day, a client's month up to the month begun. Divided
        again in memory: no query, so one request computes the pool's ledger once."""
        charges = [
            charge
            for charge in self.charges
            if (charge.first if charge.activity_id is not None else charge.month) <= day
        ]
        return _divide(
            pool=self.pool,
            parts=self.parts,
            clients=self.clients,
            enrolments=self.enrolments,
            charges=charges,
        )


def pool_activities(pool: IntegralPilot, *, until: date | None = None):
    """The recorded care the pool paid for, with what the regular route needs to price it."""
    activities = (
        activities_with_employment(Activity.objects.all())
        .filter(
            status=ActivityStatus.RECORDED,
            funding_status=FundingStatus.PILOT,
            pilot_product__contract_id=pool.contract_id,
        )
        .select_related(
            "pilot_product", "trajectory__client__responsible_municipality", "trajectory"
        )
        .order_by("date", "pk")
    )
    if until is not None:
        activities = activities.filter(date__lte=until)
    return activities


def _segments(client: Client, ages: set[int], first: date, last: date) -> list[tuple[date, date]]:
    """The days from first to last, cut at the birthdays on which a funder starts or stops."""
    cuts = sorted(
        birthday for birthday in (client.birthday(age) for age in ages) if first < birthday <= last
    )
    segments, start = [], first
    for cut in cuts:
        segments.append((start, cut - timedelta(days=1)))
        start = cut
    segments.append((start, last))
    return segments


class _Pricer:
    """Builds a pool's charges from its enrolments and its care."""

    def __init__(self, pool, parts, enrolments, activities, regular, until, clients):
        self.pool = pool
        self.clients = clients
        self.enrolments = enrolments
        self.until = until
        self.ages = {
            age
            for part in parts
            if part.stream is not None
            for age in (part.stream.min_age, part.stream.age_limit)
            if age is not None
        }
        self.regular = regular
        self.by_client: dict[int, list[Activity]] = defaultdict(list)
        for activity in activities:
            self.by_client[activity.trajectory.client_id].append(activity)
        self._regular_memo: dict[int, tuple[int | None, int]] = {}

    def value(self, activity: Activity) -> int:
        """The activity's value at the pool contract's tariff (units x tariff, half up)."""
        product = activity.pilot_product
        return amount_cents(activity.consumed, product.unit, product.tariff_cents)

    def regular_of(self, activity: Activity) -> tuple[int | None, int]:
        if activity.pk not in self._regular_memo:
            found = self.regular.responsible(activity)
            funder_id = found.funder.pk if found.funder is not None else None
            self._regular_memo[activity.pk] = (funder_id, found.value_cents)
        return self._regular_memo[activity.pk]

    def weights(self, client_id: int, first: date, last: date) -> tuple[dict, dict]:
        domains: dict[str, int] = defaultdict(int)
        regular: dict[int, int] = defaultdict(int)
        for activity in self.by_client.get(client_id, ()):
            if first <= activity.date <= last:
                domains[activity.domain] += self.value(activity)
                funder_id, value = self.regular_of(activity)
                if funder_id is not None:
                    regular[funder_id] += value
        if self.pool.priced_per_client and self.pool.domain_weights:
            domains = dict(self.pool.domain_weights)
        elif not any(domains.values()):
            domains = dict.fromkeys(self.pool.domains, 1)
        return dict(domains), dict(regular)

    def charges(self) -> list[Charge]:
        if self.pool.pricing in (PoolPricing.TARIFF, PoolPricing.CLIENT_BUDGET):
            return self._activity_charges()
        charges = []
        for enrolment in self.enrolments:
            charges += self._client_charges(enrolment)
        return charges

    def _activity_charges(self) -> list[Charge]:
        charges = []
        for activities in self.by_client.values():
            for activity in activities:
                if not activity.pilot_cents:
                    continue
                funder_id, value = self.regular_of(activity)
                charges.append(
                    Charge(
                        client_id=activity.trajectory.client_id,
                        month=month_first(activity.date),
                        first=activity.date,
                        last=activity.date,
                        cents=activity.pilot_cents,
                        domains={activity.domain: 1},
                        regular={funder_id: value} if funder_id is not None else {},
                        activity_id=activity.pk,
                    )
                )
        return charges

    def _client_charges(self, enrolment: PilotEnrolment) -> list[Charge]:
        """A price per client: per month, pro rata of the enrolled days; or per trajectory, in
        equal monthly instalments from the month of enrolment (the cents left over in the
        last), an early exit as the pool agreed."""
        pool = self.pool
        first = max(enrolment.start, pool.start)
        last = min(enrolment.end or pool.end, pool.end)
        month_amounts: dict[date, int] = {}
        if pool.pricing == PoolPricing.CLIENT_MONTH:
            for month in months_between(first, last):
                days = (min(month_last(month), last) - max(month, first)).days + 1
                whole = calendar.monthrange(month.year, month.month)[1]
                month_amounts[month] = half_up(pool.price_cents * days, whole)
        else:
            count = pool.trajectory_months
            instalments = [pool.price_cents // count] * count
            instalments[-1] += pool.price_cents - sum(instalments)
            start_month = month_first(enrolment.start)
            planned_last = add_months(start_month, count) - timedelta(days=1)
            months = [add_months(start_month, index) for index in range(count)]
            left_early = enrolment.end is not None and enrolment.end < planned_last
            for index, month in enumerate(months):
                if month > last:
                    if left_early and pool.early_exit == EarlyExit.FULL:
                        # the rest of the trajectory is due in the month the client left
                        exit_month = month_first(last)
                        month_amounts[exit_month] = month_amounts.get(exit_month, 0) + sum(
                            instalments[index:]
                        )
                    break
                if month_last(month) < first:
                    continue
                month_amounts[month] = instalments[index]
        charges = []
        client = self.clients[enrolment.client_id]
        for month, cents in sorted(month_amounts.items()):
            if self.until is not None and month > self.until:
                continue
            days_first, days_last = max(month, first), min(month_last(month), last)
            segments = _segments(client, self.ages, days_first, days_last)
            amounts = split_cents(
                cents, {index: (b - a).days + 1 for index, (a, b) in enumerate(segments)}
            )
            for index, (seg_first, seg_last) in enumerate(segments):
                domains, regular = self.weights(enrolment.client_id, seg_first, seg_last)
                charges.append(
                    Charge(
                        client_id=enrolment.client_id,
                        month=month,
                        first=seg_first,
                        last=seg_last,
                        cents=amounts.get(index, 0),
                        domains=domains,
                        regular=regular,
                    )
                )
        return charges


def _split(charge: Charge, client: Client, pool: IntegralPilot, parts: list[PoolFunder]) -> dict:
    """The charge divided over the funders (by id); None: the part no funder pays for."""
    age = client.age_on(charge.first)
    eligible = [part for part in parts if part.pays_at_age(age)]
    result: dict[int | None, int] = defaultdict(int)

    def add(parts_cents: dict, cents: int) -> None:
        if not parts_cents:
            result[None] += cents
        for part_id, part_cents in parts_cents.items():
            result[part_id] += part_cents

    if pool.split_rule == SplitRule.FIXED:
        weights = {part.funder_id: 0 for part in eligible}
        for part in eligible:
            weights[part.funder_id] += part.share_permille
        add(split_cents(charge.cents, weights), charge.cents)
    elif pool.split_rule == SplitRule.DOMAIN:
        for domain, cents in split_cents(charge.cents, charge.domains).items():
            weights: dict[int, int] = {}
            for part in eligible:
                for share in part.domain_shares.all():
                    if share.domain == domain:
                        weights[part.funder_id] = weights.get(part.funder_id, 0) + (
                            share.share_permille
                        )
            add(split_cents(cents, weights), cents)
    else:
        members = {part.funder_id for part in parts}
        weights = {
            funder_id: value for funder_id, value in charge.regular.items() if funder_id in members
        }
        add(split_cents(charge.cents, weights), charge.cents)
    return dict(result)


def pool_ledger(*, pool: IntegralPilot, until: date | None = None) -> Ledger:
    """The pool's charges up to a day (every planned one without it) and each funder's share
    of each month."""
    parts = list(
        PoolFunder.objects.filter(pool=pool)
        .select_related("funder", "stream")
        .prefetch_related("domain_shares")
        .order_by("pk")
    )
    enrolments = list(
        PilotEnrolment.objects.filter(pilot=pool)
        .select_related("client__responsible_municipality")
        .prefetch_related("bases")
        .order_by("start", "pk")
    )
    activities = list(pool_activities(pool, until=until))
    clients = {enrolment.client_id: enrolment.client for enrolment in enrolments}
    for activity in activities:
        clients.setdefault(activity.trajectory.client_id, activity.trajectory.client)
    regular = ResponsibleRoutes.regular(pool.contract.organisation, clients.values())
    pricer = _Pricer(pool, parts, enrolments, activities, regular, until, clients)
    return _divide(
        pool=pool, parts=parts, clients=clients, enrolments=enrolments, charges=pricer.charges()
    )


def _divide(*, pool, parts, clients, enrolments, charges) -> Ledger:
    """Each funder's share of each month: the charges divided by the split rule."""
    funders = {part.funder_id: part.funder for part in parts}
    shares: dict[tuple[int, date], FunderMonth] = {}
    unattributed: dict[date, int] = defaultdict(int)
    for charge in charges:
        for funder_id, cents in _split(charge, clients[charge.client_id], pool, parts).items():
            if funder_id is None:
                if cents:
                    unattributed[charge.month] += cents
                continue
            share = shares.setdefault(
                (funder_id, charge.month), FunderMonth(funders[funder_id], charge.month)
            )
            share.cents += cents
            share.clients[charge.client_id] = share.clients.get(charge.client_id, 0) + cents
    return Ledger(
        pool=pool,
        parts=parts,
        clients=clients,
        enrolments=enrolments,
        charges=charges,
        shares=shares,
        unattributed=dict(unattributed),
    )


def sum_by_month(charges: Iterable[Charge]) -> dict[date, int]:
    months: dict[date, int] = defaultdict(int)
    for charge in charges:
        months[charge.month] += charge.cents
    return dict(months)
