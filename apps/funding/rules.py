"""The funding rules that decide, without writing, whether an allocation (or a contract's
product standing in for one) can pay for an activity, what the activity draws from it, and
what it is worth at the tariff.

The services apply these rules under row locks when they assign; the selectors and reports
apply the same rules to value waiting care and to compare funding routes. Nothing here writes
or reaches the trajectories app (which depends on this one).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import Organisation
from apps.clients.models import Client, Municipality
from apps.core.domains import ActivityKind

from .models import (
    ALLOCATION_FUNDING_STATUSES,
    ITEM_UNITS,
    MINUTES_PER_UNIT,
    PRESENCE_KINDS_BY_UNIT,
    Allocation,
    AllocationStatus,
    Frequency,
    Funder,
    FunderKind,
    Product,
    Unit,
)

if TYPE_CHECKING:
    from django.db.models import Q

    from apps.trajectories.models import Activity

    from .responsibility import FundingFacts


def unit_name(unit: str) -> str:
    """The name of the units an allocation's capacity and use are counted in."""
    # Capacity of time units is counted in minutes; presence in whole nights and day parts.
    if unit in MINUTES_PER_UNIT:
        return _("minutes")
    if unit == Unit.DAY_24H:
        return _("nights")
    if unit == Unit.DAY_PART:
        return _("day parts")
    return Unit(unit).label.lower()


def unit_count_name(unit: str, count: int) -> str:
    """The name of the units an allocation's use is counted in, singular or plural by the
    count it stands beside ("1 minute", "587 minutes"; "1 etmaal", "7 etmalen")."""
    if unit in MINUTES_PER_UNIT:
        return ngettext("minute", "minutes", count)
    if unit == Unit.DAY_24H:
        return ngettext("night", "nights", count)
    if unit == Unit.DAY_PART:
        return ngettext("day part", "day parts", count)
    if unit == Unit.EURO:
        return ngettext("euro", "euros", count)
    return ngettext("item", "items", count)


def consumption_for(*, activity: Activity, allocation: Allocation) -> int | None:
    """What the activity draws from the allocation, or None when the unit does not fit.

    Time is drawn in minutes; presence (etmaal, day part) in whole units: a stay with
    ``units`` N draws N nights, a day activity N day parts (one when not given), and nothing
    else draws on presence at all (IV042: whole units).
    """
    if allocation.unit in MINUTES_PER_UNIT:
        return activity.duration_minutes or None
    if allocation.unit in PRESENCE_KINDS_BY_UNIT:
        counted = PRESENCE_KINDS_BY_UNIT[allocation.unit]
        return (activity.units or 1) if activity.kind in counted else None
    if allocation.unit in ITEM_UNITS:
        return activity.units or 1
    return activity.units or None  # euro: the activity must say how many euros


def product_refusal(*, allocation: Allocation, activity: Activity) -> dict | None:
    """The refusal when the allocation's product does not pay for the activity's kind."""
    product = allocation.product
    if product.pays_for_kind(activity.kind):
        return None
    return {
        "code": "product_does_not_pay_kind",
        "number": allocation.number,
        "product": f"{product.code} {product.description}",
        "kind": str(activity.kind),
    }


# Streams that only the client's responsible municipality pays (the woonplaatsbeginsel of the
# Jeugdwet, art. 1.1 and 2.1; the Wmo 2015 likewise puts the care on the college of the
# municipality where the client lives).
MUNICIPAL_STREAMS = frozenset({"jeugdwet", "wmo"})

# When, from one day on, which municipality was responsible: (first day, municipality), oldest
# first. Built from the client's history by ``responsibility_timeline``.
Timeline = list[tuple[date, Municipality]]


def responsibility_timeline(client: Client) -> Timeline:
    """The client's responsible municipality over time, read from its history (one query).

    A change counts from the day it was recorded (Europe/Amsterdam); several on one day: the
    last of them. Empty for a client without history rows.
    """
    return responsibility_timelines([client]).get(client.pk, [])


def responsibility_timelines(clients: Iterable[Client | int]) -> dict[int, Timeline]:
    """``responsibility_timeline`` of several clients at once (one query)."""
    client_ids = {client if isinstance(client, int) else client.pk for client in clients}
    rows = (
        Client.history.filter(id__in=client_ids)
        .select_related("responsible_municipality")
        .only("id", "history_date", "responsible_municipality")
        .order_by("history_date", "history_id")
    )
    timelines: dict[int, Timeline] = {}
    for row in rows:
        timeline = timelines.setdefault(row.id, [])
        entry = (timezone.localdate(row.history_date), row.responsible_municipality)
        if timeline and timeline[-1][0] == entry[0]:
            timeline[-1] = entry  # the last change of the day counts for the day
        elif not timeline or timeline[-1][1].pk != entry[1].pk:
            timeline.append(entry)
    return timelines


def responsible_municipality_on(
    client: Client, day: date, timeline: Timeline | None = None
) -> Municipality:
    """The municipality responsible for the client on the day (woonplaatsbeginsel).

    The latest entry of the timeline on or before the day; before the first one (care
    recorded for days before the client was registered) the first one; without a timeline
    (no history) the client's current responsible municipality. Without ``timeline`` the
    client's history is read.
    """
    if timeline is None:
        timeline = responsibility_timeline(client)
    if not timeline:
        return client.responsible_municipality
    found = timeline[0][1]
    for first_day, municipality in timeline:
        if first_day > day:
            break
        found = municipality
    return found


def is_municipality(funder: Funder, municipality: Municipality) -> bool:
    """Whether the funder is this municipality (a municipal funder's code is its CBS code)."""
    return funder.kind == FunderKind.MUNICIPALITY and funder.code == municipality.cbs_code


def pays_as_responsible_municipality(funder: Funder, municipality: Municipality) -> bool:
    """Whether the funder may pay Jeugdwet or Wmo care of a client this municipality is
    responsible for: the municipality itself, or a region (which municipalities a region
    acts for is not recorded, so a region's allocation is not checked)."""
    return funder.kind == FunderKind.REGION or is_municipality(funder, municipality)


# Which law pays first for the same care, and the article that says so: a lower rank goes
# first. The Wlz before the Zvw, and both before the Jeugdwet and the Wmo (Jeugdwet art. 1.2
# lid 1: no jeugdhulp for what the Wlz, or from 18 the Zvw, covers; Wmo 2015 art. 2.3.5 lid 6
# and art. 1.2.1: no Wmo support where the Wlz or the Zvw provides). The Jeugdwet and the Wmo
# share a rank: which of them pays is decided by age (art. 1.1 Jeugdwet, the 18th birthday).
# Streams not listed (education, work, integral pilots) do not take part.
PRECEDENCE: dict[str, tuple[int, str]] = {
    "wlz": (1, "Wlz art. 3.1.1"),
    # No article found in the sources searched for the Wlz before the Zvw: named, not cited.
    "zvw-ggz": (2, "Zvw, after the Wlz"),
    "jeugdwet": (3, "Jeugdwet art. 1.2 lid 1"),
    "wmo": (3, "Wmo 2015 art. 2.3.5 lid 6, art. 1.2.1"),
}


def precedence_rank(stream_code: str) -> int | None:
    """The stream's rank in ``PRECEDENCE`` (lower pays first); None when it takes no part."""
    entry = PRECEDENCE.get(stream_code)
    return entry[0] if entry is not None else None


def precedence_refusals(fitting: list[Allocation]) -> dict[int, dict]:
    """Of allocations that each fit an activity (volume aside), those that yield to a
    higher-precedence one among them: index in ``fitting`` -> refusal.

    The refusal names the first of the highest-precedence allocations (by position) and the
    article of the yielding stream.
    """
    ranked = [
        (precedence_rank(allocation.contract.stream.code), index)
        for index, allocation in enumerate(fitting)
    ]
    ranks = [rank for rank, _index in ranked if rank is not None]
    if not ranks:
        return {}
    top = min(ranks)
    first = fitting[next(index for rank, index in ranked if rank == top)]
    refusals = {}
    for rank, index in ranked:
        if rank is None or rank == top:
            continue
        allocation = fitting[index]
        stream = allocation.contract.stream
        refusals[index] = {
            "code": "other_law_first",
            "number": allocation.number,
            "stream": stream.name,
            "first_stream": first.contract.stream.name,
            "first_number": first.number,
            "article": PRECEDENCE[stream.code][1],
        }
    return refusals


# The age rules of a stream that stops at 18 (the Jeugdwet), each with its source; see
# docs/funding.md, "Extended youth care". From the 18th birthday to the 23rd the Jeugdwet
# pays only with extended youth care recorded for the day (art. 1.1, "jeugdige"), and never
# for what the definition of jeugdhulp limits to those under 18 (art. 1.1, "jeugdhulp" onder
# 2° and 3°: guidance, begeleiding, and personal care) or what the Zvw covers from 18 (art.
# 1.2 lid 1: GGZ treatment).
NOT_EXTENDED_KINDS: dict[str, tuple[str, str]] = {
    # activity kind: (refusal code, article)
    "guidance": ("guidance_not_extended", "Jeugdwet art. 1.1, jeugdhulp onder 2°"),
    "personal_care": ("personal_care_not_extended", "Jeugdwet art. 1.1, jeugdhulp onder 3°"),
}
# JZ020 product categories of youth GGZ (51 generalist basic, 52 specialist, 54 youth mental
# health care) and of personal care (40).
GGZ_CATEGORIES = frozenset({"51", "52", "54"})
GGZ_ARTICLE = "Jeugdwet art. 1.2 lid 1"
PERSONAL_CARE_CATEGORY = "40"


def age_limit_refusal(*, allocation: Allocation, activity: Activity, client: Client) -> dict | None:
    """Why a stream that stops at 18 does not pay for this activity on or after the 18th
    birthday; None when recorded extended youth care lets it pay."""
    stream = allocation.contract.stream
    product = allocation.product
    number = allocation.number
    day = activity.date
    birthday = client.birthday(stream.age_limit).isoformat()
    # What is not extended: a guidance or personal-care product, or such an activity on any.
    if product.is_guidance:
        not_extended = "guidance"
    elif product.category == PERSONAL_CARE_CATEGORY:
        not_extended = "personal_care"
    else:
        not_extended = activity.kind if activity.kind in NOT_EXTENDED_KINDS else None
    if not_extended is not None:
        code, article = NOT_EXTENDED_KINDS[not_extended]
        refusal = {"code": code, "number": number, "birthday": birthday, "article": article}
        if not product.is_guidance and not_extended == "guidance":
            refusal["kind"] = True  # the activity is guidance, the product is not
        return refusal
    if product.category in GGZ_CATEGORIES:
        return {
            "code": "ggz_from_18_zvw",
            "number": number,
            "birthday": birthday,
            "article": GGZ_ARTICLE,
        }
    if stream.extended_age_limit is None:
        return {
            "code": "age_limit",
            "number": number,
            "stream": stream.name,
            "age": stream.age_limit,
            "birthday": birthday,
        }
    if client.age_on(day) >= stream.extended_age_limit:
        return {
            "code": "extended_age_limit",
            "number": number,
            "stream": stream.name,
            "age": stream.extended_age_limit,
            "birthday": client.birthday(stream.extended_age_limit).isoformat(),
        }
    if client.extended_youth_care_on(day):
        return None
    if client.extended_youth_care_until is not None:
        return {
            "code": "extended_not_on_date",
            "number": number,
            "stream": stream.name,
            "birthday": birthday,
            "start": (client.extended_youth_care_from or client.birthday(18)).isoformat(),
            "until": client.extended_youth_care_until.isoformat(),
            "date": day.isoformat(),
        }
    return {
        "code": "age_limit",
        "number": number,
        "stream": stream.name,
        "age": stream.age_limit,
        "birthday": birthday,
    }


def allocation_refusal(
    *,
    allocation: Allocation,
    activity: Activity,
    client: Client,
    timeline: Timeline | None = None,
    facts: FundingFacts | None = None,
) -> dict | None:
    """The first rule the allocation fails for this activity, volume aside; None if it fits.

    ``timeline`` is the client's ``responsibility_timeline``; without it, it is read when the
    allocation's stream needs it. ``facts`` (``responsibility.FundingFacts``) says whether an
    old municipality's allocation goes on after a move and who the client's own health
    insurer is; without them they are read when needed.
    """
    number = allocation.number
    day = activity.date
    stream = allocation.contract.stream
    if allocation.client_id != client.pk or allocation.status not in ALLOCATION_FUNDING_STATUSES:
        return {"code": "not_active", "number": number}
    if not allocation.is_valid_on(day):
        return {
            "code": "not_valid_on_date",
            "number": number,
            "start": allocation.start.isoformat(),
            "end": allocation.end.isoformat() if allocation.end else None,
            "date": day.isoformat(),
        }
    if not stream.pays_for(domain=activity.domain, kind=activity.kind):
        return {"code": "stream_does_not_pay", "number": number, "stream": stream.name}
    if allocation.product_id is None:  # aspecific or generic: the contract's products price it
        return variant_priced(
            allocation=allocation, activity=activity, client=client, timeline=timeline, facts=facts
        )[2]
    kind_refusal = product_refusal(allocation=allocation, activity=activity)
    if kind_refusal is not None:
        return kind_refusal
    if stream.code in MUNICIPAL_STREAMS and allocation.funder.kind != FunderKind.REGION:
        responsible = responsible_municipality_on(client, day, timeline)
        if not pays_as_responsible_municipality(
            allocation.funder, responsible
        ) and not _continues_after_move(allocation, day, client, timeline, facts):
            return {
                "code": "not_responsible_municipality",
                "number": number,
                "funder": allocation.funder.name,
                "stream": stream.name,
                "municipality": responsible.name,
                "date": day.isoformat(),
            }
    if stream.code == "zvw-ggz" and allocation.funder.kind == FunderKind.HEALTH_INSURER:
        # The Zvw pays through the insured's own insurer (docs/funding.md): another insurer's
        # allocation does not pay; with no insurer recorded it is not checked.
        own = _facts(client, facts).insurer_on(day)
        if own is not None and own != allocation.funder.code:
            return {
                "code": "not_own_insurer",
                "number": number,
                "funder": allocation.funder.name,
                "uzovi": own,
                "date": day.isoformat(),
            }
    age = client.age_on(day)
    if stream.min_age is not None and age < stream.min_age:
        return {
            "code": "too_young",
            "number": number,
            "stream": stream.name,
            "age": stream.min_age,
            "birthday": client.birthday(stream.min_age).isoformat(),
        }
    if stream.age_limit is not None and age >= stream.age_limit:
        refusal = age_limit_refusal(allocation=allocation, activity=activity, client=client)
        if refusal is not None:
            return refusal
    if consumption_for(activity=activity, allocation=allocation) is None:
        return {"code": "unit_does_not_fit", "number": number, "unit": unit_name(allocation.unit)}
    return None


def variant_products(allocation: Allocation) -> list[Product]:
    """The products that may price care on an aspecific or generic allocation: its contract's,
    of its category when aspecific (read once per allocation object)."""
    products = getattr(allocation, "_variant_products", None)
    if products is None:
        products = [
            product
            for product in allocation.contract.products.all()
            if not allocation.category or product.category == allocation.category
        ]
        products.sort(key=lambda product: product.pk)
        allocation._variant_products = products
    return products


def variant_priced(
    *,
    allocation: Allocation,
    activity: Activity,
    client: Client,
    timeline: Timeline | None = None,
    facts: FundingFacts | None = None,
) -> tuple[Product | None, int, dict | None]:
    """How an aspecific or generic allocation prices an activity: the product of its contract
    (of its category, aspecific) that pays for the activity by the rules of a specific
    allocation, with the lowest value (time products before stay products, as
    ``ContractProducts.priced``), and that value in euro cents (units x tariff, rounded half up:
    ``amount_cents``). Returns (product, value, None), or (None, 0, the refusal).

    The standard leaves the choice of the product within the category (aspecific) or the
    contract (generic) to the provider (iJw 3.2 procesbeschrijving 3.1.1); the cheapest is the
    choice that leaves the most of the budget.
    """
    best: tuple | None = None
    best_product, first_refusal = None, None
    for product in variant_products(allocation):
        stand_in = copy.copy(allocation)
        stand_in.product = product
        stand_in.variant = "specific"
        stand_in.unit = product.unit
        stand_in.volume = 1
        refusal = allocation_refusal(
            allocation=stand_in, activity=activity, client=client, timeline=timeline, facts=facts
        )
        if refusal is not None:
            if first_refusal is None and product.pays_for_kind(activity.kind):
                first_refusal = {**refusal, "number": allocation.number}
            continue
        consumed = consumption_for(activity=activity, allocation=stand_in)
        value = amount_cents(consumed, product.unit, product.tariff_cents)
        key = (
            product.unit in (Unit.DAY_PART, Unit.DAY_24H),
            value,
            product.tariff_cents,
            product.pk,
        )
        if best is None or key < best:
            best, best_product = key, product
    if best_product is not None:
        return best_product, best[1], None
    if first_refusal is not None:
        return None, 0, first_refusal
    return (
        None,
        0,
        {
            "code": "variant_no_product",
            "number": allocation.number,
            "category": allocation.category,
            "contract": allocation.contract.reference,
            "kind": str(activity.kind),
        },
    )


def _facts(client: Client, facts: FundingFacts | None) -> FundingFacts:
    from .responsibility import FundingFacts  # it builds on this module

    return facts if facts is not None else FundingFacts(client)


def _continues_after_move(
    allocation: Allocation,
    day: date,
    client: Client,
    timeline: Timeline | None,
    facts: FundingFacts | None,
) -> bool:
    """Whether an allocation of the previous responsible municipality goes on paying on the
    day: after a move, until the new municipality's first allocation is valid
    (``responsibility.move_continuations``). Only a client who moved is looked into."""
    if allocation.pk is None or allocation.funder.kind != FunderKind.MUNICIPALITY:
        return False
    if facts is None:
        if timeline is None:
            timeline = responsibility_timeline(client)
        if len(timeline) < 2:
            return False
        from .responsibility import FundingFacts  # it builds on this module

        facts = FundingFacts(client, timeline=timeline)
    return facts.continues(allocation, day)


# The UWV pays job coaching (persoonlijke ondersteuning) for an employee at work: it is a
# provision beside a job (Reïntegratiebesluit art. 12; the UWV's Protocol Jobcoach, "eisen
# aan de dienstbetrekking"). Without a job the municipality pays it under the Participatiewet
# (art. 10da).
UWV_NEEDS_EMPLOYMENT_KINDS = frozenset({ActivityKind.JOB_COACHING})


def employment_refusal(*, allocation: Allocation, kind: str, employed: bool) -> dict | None:
    """Why a UWV allocation does not pay for job coaching without employment; None if it may.

    ``employed``: whether the client holds a job on the activity's date (the caller knows it).
    """
    if allocation.funder.kind != FunderKind.UWV or kind not in UWV_NEEDS_EMPLOYMENT_KINDS:
        return None
    if employed:
        return None
    return {"code": "uwv_needs_employment", "number": allocation.number}


def units_of(consumed: int, unit: str) -> Decimal:
    """What was delivered in a product's unit: minutes become hours; nights, day parts,
    items and euros are counted whole."""
    return Decimal(consumed) / MINUTES_PER_UNIT.get(unit, 1)


def amount_cents(consumed: int, unit: str, tariff_cents: int) -> int:
    """Units × tariff, rounded half up to whole cents: the value of one line."""
    # Multiply before dividing: consumed x tariff is exact, so an exact half stays a half.
    exact = Decimal(consumed * tariff_cents) / MINUTES_PER_UNIT.get(unit, 1)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class ContractProducts:
    """Products, each as an allocation over its contract's whole period.

    Such a stand-in lets the assignment rules (stream, age, unit) decide whether a contract
    could pay for an activity, without a query per activity. ``regular`` gives the products
    of an organisation's regular contracts (integral-pilot contracts left out: they are not a
    route an allocation can take); a pilot prices its care with its own contract's products.
    """

    def __init__(
        self, products: Iterable[Product], timelines: dict[int, Timeline] | None = None
    ) -> None:
        # The clients' responsibility timelines, read per client when not given.
        self._timelines: dict[int, Timeline] = dict(timelines or {})
        # Products the rules cannot tell apart (same stream, guidance or not, unit, contract
        # period and the activity kinds they pay for) differ only in tariff, and the value
        # grows with the tariff: only the one with the lowest (tariff, pk) of each such class
        # can be the cheapest fit.
        # The funder is part of the class: a Jeugdwet or Wmo product pays only for the clients
        # of its own municipality, so another municipality's cheaper one cannot stand for it.
        self.products = list(products)
        cheapest: dict[tuple, Product] = {}
        for product in self.products:
            contract = product.contract
            key = (contract.stream_id, product.is_guidance, product.unit, contract.start)
            key += (product.category in GGZ_CATEGORIES, product.category == PERSONAL_CARE_CATEGORY)
            key += (contract.end, contract.funder_id, tuple(sorted(product.activity_kinds or ())))
            best = cheapest.get(key)
            if best is None or (product.tariff_cents, product.pk) < (best.tariff_cents, best.pk):
                cheapest[key] = product
        products = sorted(cheapest.values(), key=lambda product: product.pk)
        # Whether some product is paid only for the clients its municipality is responsible
        # for: then the responsible municipality on the day is one of the things priced on.
        self.checks_responsibility = any(
            product.contract.stream.code in MUNICIPAL_STREAMS
            and product.contract.funder.kind != FunderKind.REGION
            for product in products
        )
        self._priced: dict[tuple, tuple[Product | None, int, int]] = {}
        self.stand_ins = [
            Allocation(
                product=product,
                contract=product.contract,
                funder=product.contract.funder,
                number=product.code,
                volume=1,
                unit=product.unit,
                frequency=Frequency.TOTAL,
                start=product.contract.start,
                end=product.contract.end,
                status=AllocationStatus.ACTIVE,
            )
            for product in products
        ]

    @classmethod
    def regular(
        cls,
        organisation: Organisation,
        funder: Funder | None = None,
        timelines: dict[int, Timeline] | None = None,
        where: Q | None = None,
    ) -> ContractProducts:
        products = Product.objects.filter(
            contract__organisation=organisation, contract__integral_pilot__isnull=True
        )
        if where is not None:  # only the products that could matter (ResponsibleRoutes)
            products = products.filter(where)
        if funder is not None:
            products = products.filter(contract__funder=funder)
        products = products.select_related("contract__funder", "contract__stream").order_by("pk")
        return cls(products, timelines)

    def of_funder(self, funder: Funder) -> ContractProducts:
        """The same products restricted to one funder's contracts (no query)."""
        products = [p for p in self.products if p.contract.funder_id == funder.pk]
        return ContractProducts(products, self._timelines)

    def load_timelines(self, client_ids: Iterable[int]) -> None:
        """Read the responsibility timelines of these clients at once (one query), if needed."""
        missing = set(client_ids) - set(self._timelines)
        if self.checks_responsibility and missing:
            timelines = responsibility_timelines(missing)
            self._timelines.update({pk: timelines.get(pk, []) for pk in missing})

    def timeline(self, client: Client) -> Timeline | None:
        """The client's responsibility timeline (loaded, or read now); None if not needed."""
        if not self.checks_responsibility:
            return None
        if client.pk not in self._timelines:
            self._timelines[client.pk] = responsibility_timeline(client)
        return self._timelines[client.pk]

    def cheapest_fit(self, activity: Activity) -> tuple[Product | None, int]:
        """The fitting product with the lowest value for the activity, and that value."""
        product, value, _consumed = self.priced(activity)
        return product, value

    def priced(self, activity: Activity) -> tuple[Product | None, int, int]:
        """The fitting product with the lowest value, its value, and what the activity
        consumes of it (minutes for time units, items or euros otherwise).

        Products counted in minutes or hours come first: a session is not valued as a share
        of a day part or an etmaal (a residential stay) when a time-based product fits.
        Remembered per everything the rules look at, so alike activities share one pass.
        """
        client = activity.trajectory.client
        day = activity.date
        timeline = self.timeline(client)
        key = (
            activity.domain,
            activity.kind,
            day,
            client.age_on(day),
            client.extended_youth_care_on(day),
            responsible_municipality_on(client, day, timeline).pk if timeline is not None else 0,
            activity.duration_minutes,
            activity.units,
            # Whether the client holds a job, where the caller knows (employment_refusal).
            getattr(activity, "employed", None),
        )
        if key not in self._priced:
            self._priced[key] = self._priced_now(activity, client, timeline)
        return self._priced[key]

    def _priced_now(
        self, activity: Activity, client: Client, timeline: Timeline | None
    ) -> tuple[Product | None, int, int]:
        stand_in, value, consumed = cheapest_stand_in(
            self.stand_ins,
            activity=activity,
            client=client,
            refusal=lambda stand_in: allocation_refusal(
                allocation=stand_in, activity=activity, client=client, timeline=timeline
            ),
        )
        return (stand_in.product if stand_in is not None else None), value, consumed


def cheapest_stand_in(
    stand_ins: Iterable[Allocation],
    *,
    activity: Activity,
    client: Client,
    refusal: Callable[[Allocation], dict | None],
) -> tuple[Allocation | None, int, int]:
    """Of the contract products standing in for allocations, the one that fits the activity
    (``refusal`` gives none, nor does the UWV's job rule where the caller knows the job) with
    the lowest value; its value and what the activity consumes of it.

    Products counted in time come first: a session is not valued as a share of a day part or
    an etmaal when a time-based product fits. Ties: the lower tariff, then the older product.
    """
    employed = getattr(activity, "employed", None)  # None: not known to the caller
    best: tuple[bool, int, int, int] | None = None
    best_stand_in, best_consumed = None, 0
    for stand_in in stand_ins:
        product = stand_in.product
        if not stand_in.is_valid_on(activity.date):
            continue
        if not product.contract.stream.pays_for(domain=activity.domain, kind=activity.kind):
            continue
        if not product.pays_for_kind(activity.kind):
            continue
        stand_in.client_id = client.pk  # the stand-in is the client's for this question
        refused = refusal(stand_in)
        if refused is None and employed is not None:
            refused = employment_refusal(allocation=stand_in, kind=activity.kind, employed=employed)
        if refused:
            continue
        consumed = consumption_for(activity=activity, allocation=stand_in)
        value = amount_cents(consumed, product.unit, product.tariff_cents)
        stay_unit = product.unit in (Unit.DAY_PART, Unit.DAY_24H)
        key = (stay_unit, value, product.tariff_cents, product.pk)
        if best is None or key < best:
            best, best_stand_in, best_consumed = key, stand_in, consumed
    return best_stand_in, (best[1] if best is not None else 0), best_consumed
