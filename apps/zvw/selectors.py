"""The reads of the Zvw route: the prestaties an activity yields (derived, with the reason),
and the tariff that prices a prestatie for an insurer in a year."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from apps.clients.models import Client, HealthInsurance
from apps.control.pilots import OtherRoute, OtherRoutePrice
from apps.funding.models import Funder, FunderKind
from apps.trajectories.models import Activity, ActivityStatus, FundingStatus

from .models import (
    ConsultParticipant,
    ContractTariff,
    InsurerContract,
    MaxTariff,
    PractitionerProfile,
    ZvwRoute,
)
from .prestaties import GROUP_KINDS, Derivation, Practitioner, derive
from .route import zvw_applies


def practitioners_of(activity: Activity) -> list[Practitioner]:
    """Who took part, with their professions from their profiles: who logged it, then the
    others recorded as present."""
    present = ConsultParticipant.objects.filter(activity=activity).order_by("pk")
    user_ids = [activity.performed_by_id, *present.values_list("user_id", flat=True)]
    professions = dict(
        PractitionerProfile.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "profession"
        )
    )
    return [Practitioner(user_id, professions.get(user_id, "")) for user_id in user_ids]


def group_size_of(activity: Activity) -> int | None:
    """The number of clients present at the activity's group session (every funding stream
    counts): the recorded activities of the session; None when it is not from a register."""
    session_id = (
        Activity.objects.filter(pk=activity.pk)
        .values_list("group_participation__session_id", flat=True)
        .first()
    )
    if session_id is None:
        return None
    return Activity.objects.filter(
        group_participation__session_id=session_id, status=ActivityStatus.RECORDED
    ).count()


def activity_derivation(activity: Activity) -> Derivation:
    """The prestaties one activity yields for its client, and why."""
    group_size = group_size_of(activity) if activity.kind in GROUP_KINDS else None
    return derive(
        kind=activity.kind,
        direct_minutes=activity.duration_minutes,
        practitioners=practitioners_of(activity),
        group_size=group_size,
    )


def derivations_of(activities: Iterable[Activity]) -> dict[int, Derivation]:
    """``activity_derivation`` for many activities at once, in four queries whatever their
    number (the pool comparison prices every session this way)."""
    activities = list(activities)
    ids = [activity.pk for activity in activities]
    present: dict[int, list[int]] = defaultdict(list)
    for activity_id, user_id in (
        ConsultParticipant.objects.filter(activity_id__in=ids)
        .order_by("pk")
        .values_list("activity_id", "user_id")
    ):
        present[activity_id].append(user_id)
    user_ids = {activity.performed_by_id for activity in activities}
    user_ids |= {user_id for users in present.values() for user_id in users}
    professions = dict(
        PractitionerProfile.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "profession"
        )
    )
    sessions = dict(
        Activity.objects.filter(
            pk__in=[activity.pk for activity in activities if activity.kind in GROUP_KINDS],
            group_participation__isnull=False,
        ).values_list("pk", "group_participation__session_id")
    )
    sizes = dict(
        Activity.objects.filter(
            group_participation__session_id__in=set(sessions.values()),
            status=ActivityStatus.RECORDED,
        )
        .values_list("group_participation__session_id")
        .annotate(size=Count("pk"))
        .values_list("group_participation__session_id", "size")
    )
    result = {}
    for activity in activities:
        users = [activity.performed_by_id, *present[activity.pk]]
        session = sessions.get(activity.pk)
        result[activity.pk] = derive(
            kind=activity.kind,
            direct_minutes=activity.duration_minutes,
            practitioners=[Practitioner(user, professions.get(user, "")) for user in users],
            group_size=sizes.get(session) if session is not None else None,
        )
    return result


def zvw_activities_for_client(*, client: Client):
    """The client's care paid by the insurer (the route), newest first."""
    return (
        Activity.objects.filter(
            trajectory__client=client,
            status=ActivityStatus.RECORDED,
            funding_status=FundingStatus.ROUTE,
        )
        .select_related("performed_by")
        .order_by("-date", "-pk")
    )


@dataclass(frozen=True)
class Price:
    code: str  # the NZa prestatie code
    cents: int
    contracted: bool
    contract_reference: str = ""


class TariffBook:
    """``price_for`` over an organisation's contracts and the maximum tariffs read once (three
    queries), for pricing many prestaties."""

    def __init__(self, *, organisation_id: int) -> None:
        self.maximum = {
            (tariff.year, tariff.prestatie): tariff for tariff in MaxTariff.objects.all()
        }
        self.contracts = {
            (contract.uzovi, contract.year): contract
            for contract in InsurerContract.objects.filter(organisation_id=organisation_id)
        }
        self.agreed = {
            (tariff.contract_id, tariff.prestatie): tariff.cents
            for tariff in ContractTariff.objects.filter(contract__organisation_id=organisation_id)
        }

    def price(self, *, uzovi: str, year: int, prestatie: str) -> Price | None:
        maximum = self.maximum.get((year, prestatie))
        if maximum is None:
            return None
        contract = self.contracts.get((uzovi, year))
        if contract is None:
            return Price(maximum.code, maximum.cents, contracted=False)
        cents = self.agreed.get((contract.pk, prestatie), maximum.cents)
        return Price(maximum.code, cents, contracted=True, contract_reference=contract.reference)


def price_for(*, organisation_id: int, uzovi: str, year: int, prestatie: str) -> Price | None:
    """The tariff of a prestatie for the insurer in the year: the contract tariff when the
    organisation has a contract with it that year (or the maximum tariff where the contract
    names none), otherwise the maximum tariff, marked uncontracted. None without a maximum
    tariff (the NZa's code is unknown then)."""
    maximum = MaxTariff.objects.filter(year=year, prestatie=prestatie).first()
    if maximum is None:
        return None
    contract = InsurerContract.objects.filter(
        organisation_id=organisation_id, uzovi=uzovi, year=year
    ).first()
    if contract is None:
        return Price(maximum.code, maximum.cents, contracted=False)
    agreed = ContractTariff.objects.filter(contract=contract, prestatie=prestatie).first()
    cents = agreed.cents if agreed is not None else maximum.cents
    return Price(maximum.code, cents, contracted=True, contract_reference=contract.reference)


@dataclass(frozen=True)
class PrestatieSummary:
    """Per prestatie code, a period's derived and priced prestaties for one insurer."""

    code: str
    prestatie: str
    contracted: bool
    tariff_cents: int
    clients: frozenset[int]
    count: int
    amount_cents: int
    months: dict  # first of the month -> amount in cents


def prestatie_summary_for(
    *, organisation_id: int, uzovi: str, period_start, period_end
) -> list[PrestatieSummary]:
    """The prestaties of the care the insurer pays (the route) of the organisation's clients
    insured with it, dated in the period, priced by the year's tariffs; a prestatie without a
    tariff is left out (the declaration names it)."""
    clients = ZvwRoute.objects.filter(uzovi=uzovi, client__organisation_id=organisation_id).values(
        "client_id"
    )
    activities = Activity.objects.filter(
        trajectory__client_id__in=clients,
        status=ActivityStatus.RECORDED,
        funding_status=FundingStatus.ROUTE,
        date__gte=period_start,
        date__lte=period_end,
    ).select_related("trajectory")
    entries: dict[tuple, dict] = {}
    for activity in activities.order_by("date", "pk"):
        for prestatie in activity_derivation(activity).prestaties:
            price = price_for(
                organisation_id=organisation_id,
                uzovi=uzovi,
                year=activity.date.year,
                prestatie=prestatie.key,
            )
            if price is None:
                continue
            key = (price.code, prestatie.key, price.contracted, price.cents)
            entry = entries.setdefault(key, {"clients": set(), "count": 0, "months": {}})
            entry["clients"].add(activity.trajectory.client_id)
            entry["count"] += prestatie.count
            month = activity.date.replace(day=1)
            entry["months"][month] = entry["months"].get(month, 0) + price.cents * prestatie.count
    return [
        PrestatieSummary(
            code=code,
            prestatie=key,
            contracted=contracted,
            tariff_cents=cents,
            clients=frozenset(entry["clients"]),
            count=entry["count"],
            amount_cents=sum(entry["months"].values()),
            months=entry["months"],
        )
        for (code, key, contracted, cents), entry in sorted(entries.items())
    ]


def zvw_route_prices(*, organisation_id: int) -> OtherRoute:
    """For the pool comparison (apps.pools): the regular route of GGZ treatment from the 18th
    birthday is the Zvw, which pays the prestaties derived from the sessions (not minutes):
    each at the contract tariff of the client's insurer that year, or else the maximum tariff
    (``TariffBook``). The insurer is the client's on the day (health insurance), else the one
    of the client's Zvw route. The other activities are left to the contracts' products."""

    def prices(activities: list[Activity]) -> dict[int, OtherRoutePrice]:
        zvw = [
            activity
            for activity in activities
            if zvw_applies(activity=activity, client=activity.trajectory.client)
        ]
        if not zvw:
            return {}
        client_ids = {activity.trajectory.client_id for activity in zvw}
        insurances: dict[int, list[HealthInsurance]] = defaultdict(list)
        for insurance in HealthInsurance.objects.filter(client_id__in=client_ids):
            insurances[insurance.client_id].append(insurance)
        routes = dict(
            ZvwRoute.objects.filter(client_id__in=client_ids).values_list("client_id", "uzovi")
        )
        funders = {
            funder.code: funder for funder in Funder.objects.filter(kind=FunderKind.HEALTH_INSURER)
        }
        book = TariffBook(organisation_id=organisation_id)
        derivations = derivations_of(zvw)
        result = {}
        for activity in zvw:
            client_id = activity.trajectory.client_id
            uzovi = next(
                (
                    insurance.uzovi
                    for insurance in insurances[client_id]
                    if insurance.start <= activity.date
                    and (insurance.end is None or activity.date <= insurance.end)
                ),
                routes.get(client_id, ""),
            )
            cents, lines = 0, 0
            for prestatie in derivations[activity.pk].prestaties:
                price = book.price(uzovi=uzovi, year=activity.date.year, prestatie=prestatie.key)
                if price is None:
                    cents = None
                    break
                cents += price.cents * prestatie.count
                lines += 1
            result[activity.pk] = OtherRoutePrice(
                cents=cents, funder=funders.get(uzovi), funder_key=uzovi, lines=lines
            )
        return result

    return prices


def insurer_names(codes: Iterable[str]) -> dict[str, str]:
    """The health insurers' names by UZOVI code, for the codes known as funders."""
    return dict(
        Funder.objects.filter(kind=FunderKind.HEALTH_INSURER, code__in=set(codes)).values_list(
            "code", "name"
        )
    )


def insurer_label(uzovi: str, names: dict[str, str]) -> str:
    """An insurer as people know it: its name with its UZOVI code (the code alone when the
    insurer is not recorded as a funder)."""
    name = names.get(uzovi)
    return f"{name} (UZOVI {uzovi})" if name else f"UZOVI {uzovi}"


def insurers_for(*, organisation_id: int) -> list[tuple[str, str]]:
    """The insurers a declaration of the organisation may go to: those it has a contract
    with, and those of its clients' Zvw routes; as (UZOVI, label), by label."""
    codes = set(
        InsurerContract.objects.filter(organisation_id=organisation_id).values_list(
            "uzovi", flat=True
        )
    ) | set(
        ZvwRoute.objects.filter(client__organisation_id=organisation_id)
        .exclude(uzovi="")
        .values_list("uzovi", flat=True)
    )
    names = insurer_names(codes)
    return sorted(
        ((code, insurer_label(code, names)) for code in codes), key=lambda item: item[1].lower()
    )
