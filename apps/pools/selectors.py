"""Reads of pooled budgets for the manager: the organisation's pools, a pool's use and
forecast, each funder's share per month, the year-end settlement, and the comparison with
the regular route (docs/pools.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, QuerySet, Sum

from apps.accounts.models import Organisation
from apps.control.pilots import pilot_report
from apps.funding.models import Funder, IntegralPilot, PoolPricing, SplitRule
from apps.zvw.selectors import zvw_route_prices

from .ledger import Ledger, add_months, month_first, months_between, pool_ledger
from .models import (
    PoolBasis,
    PoolDomainShare,
    PoolPayment,
    domain_share_message,
    domain_share_totals,
)


def pool_list(*, organisation: Organisation) -> QuerySet[IntegralPilot]:
    """The organisation's pools with their lead funder and number of clients."""
    return (
        IntegralPilot.objects.filter(contract__organisation=organisation)
        .select_related("contract__funder")
        .annotate(client_count=Count("enrolments", distinct=True))
        .order_by("-start", "pk")
    )


def pool_get_for(*, organisation: Organisation, pk: int) -> IntegralPilot | None:
    """One pool of the organisation, or None (the caller answers 404)."""
    return pool_list(organisation=organisation).filter(pk=pk).first()


def pool_funder_get(*, pool: IntegralPilot, pk: int) -> Funder | None:
    """A funder of the pool, or None."""
    return Funder.objects.filter(pk=pk, pool_parts__pool=pool).distinct().first()


def pool_share_problems(*, pool: IntegralPilot) -> list[str]:
    """Under shares per domain: each domain whose funders that pay at one age do not make the
    whole (1000 per mille) together. A domain no funder pays for at an age is not listed: the
    pool's page shows that cost as "No funder"."""
    if pool.split_rule != SplitRule.DOMAIN:
        return []
    shares = [
        (share.part, share.domain, share.share_permille)
        for share in PoolDomainShare.objects.filter(part__pool=pool).select_related("part__stream")
    ]
    # One object per part, so that the ages are read once per part.
    parts = {share[0].pk: share[0] for share in shares}
    shares = [(parts[part.pk], domain, permille) for part, domain, permille in shares]
    return [
        domain_share_message(domain, age, total)
        for (domain, age), total in sorted(domain_share_totals(shares).items())
        if total != 1000
    ]


# --- use and forecast ---------------------------------------------------------------------


@dataclass
class PoolUse:
    budget_cents: int
    used_cents: int  # charged up to the day
    forecast_cents: int  # at the pool's end, as things stand
    contributions_cents: int  # what the funders agreed to put in
    paid_cents: int  # what they paid in so far
    months: list[tuple[date, int]]  # charged per month up to the day

    @property
    def used_percent(self) -> int:
        return 100 * self.used_cents // self.budget_cents if self.budget_cents else 0

    @property
    def forecast_percent(self) -> int:
        return 100 * self.forecast_cents // self.budget_cents if self.budget_cents else 0

    @property
    def forecast_over_cents(self) -> int:
        return max(self.forecast_cents - self.budget_cents, 0)


def pool_use(*, pool: IntegralPilot, today: date, ledger: Ledger | None = None) -> PoolUse:
    """What the pool has charged up to today and what it will have charged at its end.

    Priced per client, the forecast is every planned month's price of the clients enrolled
    now (until their end or the pool's). Priced per activity, it is the average of the months
    charged so far (the current month not counted) carried on to the pool's end. ``ledger``:
    the pool's whole ledger (``pool_ledger(pool=pool)``), when the caller has it already.
    """
    whole = ledger or pool_ledger(pool=pool)
    ledger = whole.up_to(today)
    by_month: dict[date, int] = {}
    for charge in ledger.charges:
        by_month[charge.month] = by_month.get(charge.month, 0) + charge.cents
    used = sum(by_month.values())
    if pool.pricing in (PoolPricing.CLIENT_MONTH, PoolPricing.TRAJECTORY):
        forecast = whole.total_cents
    else:
        current = month_first(today)
        done = [
            month for month in months_between(pool.start, min(today, pool.end)) if month < current
        ]
        average = sum(by_month.get(month, 0) for month in done) // len(done) if done else 0
        left = len(months_between(current, pool.end)) if today <= pool.end else 0
        forecast = used + average * left
    return PoolUse(
        budget_cents=pool.budget_cents,
        used_cents=used,
        forecast_cents=forecast,
        contributions_cents=sum(part.contribution_cents for part in whole.parts),
        paid_cents=PoolPayment.objects.filter(part__pool=pool).aggregate(total=Sum("amount_cents"))[
            "total"
        ]
        or 0,
        months=sorted(by_month.items()),
    )


# --- each funder's share ------------------------------------------------------------------


@dataclass
class ClientLine:
    """A client in a funder's report: the identification its own regime uses."""

    client_id: int
    bsn: str
    bases: list[PoolBasis]
    cents: int


@dataclass
class FunderShareMonth:
    month: date
    cents: int
    clients: list[ClientLine]


@dataclass
class FunderReport:
    pool: IntegralPilot
    funder: Funder
    year: int | None
    months: list[FunderShareMonth] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(month.cents for month in self.months)


def funder_share_report(
    *, pool: IntegralPilot, funder: Funder, year: int | None = None, ledger: Ledger | None = None
) -> FunderReport:
    """Per month, what the funder's share of the pool paid for and for which clients: only
    those it paid a part for, each by BSN and the funder's own legal basis (its allocation
    number, referral or TLV), which is what its regime identifies a client by."""
    ledger = ledger or pool_ledger(pool=pool)
    bases: dict[int, list[PoolBasis]] = {}
    for enrolment in ledger.enrolments:
        bases[enrolment.client_id] = [
            basis for basis in enrolment.bases.all() if basis.funder_id == funder.pk
        ]
    report = FunderReport(pool=pool, funder=funder, year=year)
    for share in ledger.of_funder(funder, year=year):
        lines = [
            ClientLine(
                client_id=client_id,
                bsn=ledger.clients[client_id].bsn,
                bases=[
                    basis
                    for basis in bases.get(client_id, [])
                    if basis.start < add_months(share.month, 1)
                    and (basis.end is None or basis.end >= share.month)
                ],
                cents=cents,
            )
            for client_id, cents in sorted(share.clients.items())
            if cents
        ]
        report.months.append(FunderShareMonth(month=share.month, cents=share.cents, clients=lines))
    return report


@dataclass
class SettlementLine:
    funder: Funder
    owed_cents: int  # its share of the year's cost
    paid_cents: int  # what it paid in for the year

    @property
    def balance_cents(self) -> int:
        """Paid minus owed: positive, the pool pays it back; negative, the funder pays more."""
        return self.paid_cents - self.owed_cents


@dataclass
class Settlement:
    pool: IntegralPilot
    year: int
    lines: list[SettlementLine]
    unattributed_cents: int

    @property
    def owed_cents(self) -> int:
        return sum(line.owed_cents for line in self.lines)

    @property
    def paid_cents(self) -> int:
        return sum(line.paid_cents for line in self.lines)


def pool_settlement(*, pool: IntegralPilot, year: int, ledger: Ledger | None = None) -> Settlement:
    """The year-end settlement: per funder, its share of the year's cost beside what it
    paid in for the year, and the balance either way. ``ledger``: one that holds the whole
    year (the pool's whole ledger will do: only the year's months are counted)."""
    ledger = ledger or pool_ledger(pool=pool, until=date(year, 12, 31))
    paid: dict[int, int] = {}
    for row in (
        PoolPayment.objects.filter(part__pool=pool, year=year)
        .values("part__funder_id")
        .annotate(total=Sum("amount_cents"))
    ):
        paid[row["part__funder_id"]] = row["total"]
    lines = [
        SettlementLine(
            funder=funder,
            owed_cents=ledger.funder_cents(funder, year=year),
            paid_cents=paid.get(funder.pk, 0),
        )
        for funder in ledger.funders()
    ]
    unattributed = sum(cents for month, cents in ledger.unattributed.items() if month.year == year)
    return Settlement(pool=pool, year=year, lines=lines, unattributed_cents=unattributed)


# --- the comparison -----------------------------------------------------------------------


@dataclass
class Comparison:
    """The pool beside the regular route for the same care, with its assumptions."""

    pool_cents: int
    regular_cents: int
    activities: int
    allocations: int  # one per client and product on the regular route
    requests: int  # one request (JW315 or its like) per allocation
    declaration_lines: int  # per client, product and month
    declarations: int  # one claim per funder and month
    rejections: int  # declaration lines x the assumed rejection rate, half up
    rejection_percent: int
    days_without_waiting: int  # days of care no allocation had been registered for yet
    without_waiting: int  # activities likewise
    no_regular_route: int  # activities no regular contract could pay for
    regular_funders: list[Funder]

    @property
    def difference_cents(self) -> int:
        """Regular minus pool: positive when the pool cost less."""
        return self.regular_cents - self.pool_cents


def pool_comparison(
    *, pool: IntegralPilot, until: date | None = None, ledger: Ledger | None = None
) -> Comparison:
    """What the pool cost beside what the regular route would have cost for the same care,
    priced at the responsible funders' own contracts (apps.funding.responsibility), GGZ
    treatment from the 18th birthday at the Zvw's prestaties (apps.zvw), and the paperwork
    that route would have taken. ``ledger``: the pool's whole ledger, when the
    caller has it already."""
    until = min(until or pool.end, pool.end)
    ledger = (ledger or pool_ledger(pool=pool)).up_to(until)
    # GGZ treatment from the 18th birthday is priced as the insurer pays it: the prestaties
    # derived from the sessions (apps.zvw), not a contract's price per minute.
    regular = pilot_report(
        pilot=pool,
        period_start=pool.start,
        period_end=until,
        other_route=zvw_route_prices(organisation_id=pool.contract.organisation_id),
    )
    rejections = (2 * regular.regular_lines * pool.assumed_rejection_percent + 100) // 200
    return Comparison(
        pool_cents=ledger.total_cents,
        regular_cents=regular.regular_cents,
        activities=regular.activities,
        allocations=regular.regular_allocations,
        requests=regular.regular_allocations,
        declaration_lines=regular.regular_lines,
        declarations=regular.regular_declarations,
        rejections=rejections,
        rejection_percent=pool.assumed_rejection_percent,
        days_without_waiting=regular.without_waiting_days,
        without_waiting=regular.without_waiting,
        no_regular_route=regular.no_regular_route,
        regular_funders=regular.regular_funders,
    )
