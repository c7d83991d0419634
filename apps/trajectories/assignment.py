"""Funding: the rules that assign each activity to the allocation it draws on, and the writes
for allocations.

The rules (DESIGN.md, "Assigning funding"), in the order they are checked:

1. the allocation is the client's, active, and valid on the activity's date;
2. its stream may pay for the activity's domain and kind;
3. the client's age on that date fits the stream: the Jeugdwet stops on the 18th birthday,
   unless extended youth care is recorded (then up to the 23rd), and guidance (begeleiding) is
   never extended (it moves to the Wmo);
4. the allocation's unit fits what the activity records (a duration for time units, a number
   of units for euros, one item per activity unless a number is given);
5. volume is left in the frequency window (day, ISO week, calendar month, or the whole
   validity), counted over the funded activities in that window.

Which law pays first (apps.funding.rules.PRECEDENCE): an allocation of a lower-precedence law
is refused while one of a higher-precedence law fits (volume aside), e.g. the Jeugdwet beside
the Wlz. Among several that fit, the one that ends first wins (then the one that started first, then
the oldest registration): deterministic, and the reason is stored on the activity. An activity
is never split over two allocations. With no fit it is saved as unfunded with every
allocation's reason, and waits; registering or changing an allocation, or cancelling an
activity, matches waiting activities oldest first.

Two requests for the same client never overdraw an allocation: the client's allocations are
locked (SELECT ... FOR UPDATE, in primary-key order) before the volume left is read.

This module sits with the activities (apps.trajectories) because it writes them; the rules it
applies are the funding app's (apps.funding.rules), which know nothing of activities.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_write
from apps.clients.models import Client
from apps.core.domains import (
    NOT_CHARGEABLE_KINDS,
    SCHOOL_FUNDED_KINDS,
    SCHOOL_PROGRAMME_KINDS,
    Attendance,
)
from apps.funding.allocation_rules import (
    allocation_change_errors,
    change_reason_errors,
    size_errors,
    variant_errors,
)
from apps.funding.models import (
    ALLOCATION_FUNDING_STATUSES,
    ALLOCATION_STATUS_TRANSITIONS,
    MINUTES_PER_UNIT,
    Allocation,
    AllocationSource,
    AllocationStatus,
    AllocationVariant,
    ChangeReason,
    Contract,
    Frequency,
    FunderKind,
    IntegralPilot,
    PilotEnrolment,
    Product,
    Unit,
)
from apps.funding.reasons import refusal_text
from apps.funding.responsibility import FundingFacts, indication_refusals
from apps.funding.rules import (
    MUNICIPAL_STREAMS,
    UWV_NEEDS_EMPLOYMENT_KINDS,
    ContractProducts,
    Timeline,
    allocation_refusal,
    consumption_for,
    employment_refusal,
    precedence_rank,
    precedence_refusals,
    responsibility_timeline,
    unit_name,
    variant_priced,
)

from .leave import LEAVE_REFUSAL_CODES, is_leave_night, leave_refusal
from .models import Activity, ActivityStatus, Employment, FundingStatus
from .pool_draw import pool_draw
from .routes import funding_route_decide
from .waiting import waiting_revalue_client, waiting_value_on_commit

FUNDED, UNFUNDED = FundingStatus.FUNDED, FundingStatus.UNFUNDED
NOT_CHARGEABLE, PILOT = FundingStatus.NOT_CHARGEABLE, FundingStatus.PILOT
ROUTE = FundingStatus.ROUTE
RECORDED = ActivityStatus.RECORDED
# What the assignment decides on an activity; saved together, compared to see a change.
FUNDING_FIELDS = (
    "allocation",
    "funding_status",
    "consumed",
    "funding_reason",
    "pilot_product",
    "pilot_cents",
    "priced_product",
)


def _funding_state(activity: Activity) -> tuple:
    return (
        activity.allocation_id,
        activity.funding_status,
        activity.consumed,
        activity.funding_reason,
        activity.pilot_product_id,
        activity.pilot_cents,
        activity.priced_product_id,
    )


def allocation_used_in_window(
    *, allocation: Allocation, day: date, exclude_activity_id: int | None = None
) -> tuple[int, date, date | None]:
    """Units drawn from the allocation in the frequency window around a day, and the window."""
    first, last = allocation.window(day)
    activities = allocation.activities.filter(
        status=RECORDED, funding_status=FUNDED, date__gte=first
    )
    if last is not None:
        activities = activities.filter(date__lte=last)
    if exclude_activity_id is not None:
        activities = activities.exclude(pk=exclude_activity_id)
    used = activities.aggregate(total=Sum("consumed"))["total"] or 0
    return used, first, last


def _preference(allocation: Allocation) -> tuple:
    # Of the fitting ones; a lower-precedence law has already yielded (precedence_refusals).
    return (allocation.end or date.max, allocation.start, allocation.pk)


@dataclass
class _Fit:
    allocation: Allocation
    consumption: int
    priced_product: Product | None = None  # aspecific or generic: the product that priced it


def _timeline_for(client: Client, allocations: list[Allocation]) -> Timeline | None:
    """The client's responsibility timeline, read once, when a municipality's Jeugdwet or
    Wmo allocation is among them (the rules read it per activity otherwise)."""
    municipal = any(
        allocation.contract.stream.code in MUNICIPAL_STREAMS
        and allocation.funder.kind != FunderKind.REGION
        for allocation in allocations
    )
    return responsibility_timeline(client) if municipal else None


def _evaluate(
    *,
    activity: Activity,
    client: Client,
    allocations: list[Allocation],
    timeline: Timeline | None = None,
    everything: list[Allocation] | None = None,
    facts: FundingFacts | None = None,
) -> tuple[list[_Fit], list[dict]]:
    fits, refusals = [], []
    candidates = everything if everything is not None else allocations
    if facts is None:
        facts = _facts_for(client, candidates, timeline)
    # Which law pays first is decided among all the client's allocations that fit, volume
    # aside: a higher-precedence one refuses the others even when its volume is used up.
    first_refusals = [
        allocation_refusal(
            allocation=allocation,
            activity=activity,
            client=client,
            timeline=timeline,
            facts=facts,
        )
        for allocation in candidates
    ]
    first_refusals = _with_employment_refusals(activity, candidates, first_refusals)
    fitting = [a for a, refusal in zip(candidates, first_refusals, strict=True) if refusal is None]
    yielding = {fitting[index].pk: r for index, r in precedence_refusals(fitting).items()}
    # With a Wlz indication (and no Wlz allocation that fits) the Wlz still goes first.
    indicated = indication_refusals(fitting, activity=activity, client=client, facts=facts)
    yielding = indicated | yielding
    for allocation in allocations:
        refusal = first_refusals[candidates.index(allocation)] or yielding.get(allocation.pk)
        if refusal is None:
            refusal = leave_refusal(activity=activity, allocation=allocation)
        if refusal is None:
            priced = None
            if allocation.product_id is None:
                # Aspecific or generic: the value of the product that prices it, in cents.
                priced, needed, _refusal = variant_priced(
                    allocation=allocation,
                    activity=activity,
                    client=client,
                    timeline=timeline,
                    facts=facts,
                )
            else:
                needed = consumption_for(activity=activity, allocation=allocation)
            used, first, last = allocation_used_in_window(
                allocation=allocation, day=activity.date, exclude_activity_id=activity.pk
            )
            capacity = allocation.capacity
            if capacity is None or used + needed <= capacity:
                fits.append(_Fit(allocation, needed, priced))
                continue
            if priced is not None:
                refusal = {
                    "code": "budget_used",
                    "number": allocation.number,
                    "left": max(capacity - used, 0),
                    "budget": capacity,
                    "needed": needed,
                    "product": f"{priced.code} {priced.description}",
                }
                refusals.append(refusal)
                continue
            refusal = {
                "code": "volume_used",
                "number": allocation.number,
                "left": max(allocation.capacity - used, 0),
                "capacity": allocation.capacity,
                "unit": unit_name(allocation.unit),
                "needed": needed,
                "first": first.isoformat(),
                "last": last.isoformat() if last else None,
            }
        refusals.append(refusal)
    return fits, refusals


def _facts_for(
    client: Client, allocations: list[Allocation], timeline: Timeline | None
) -> FundingFacts:
    """The client's funding facts, read when first needed; its active Wlz allocations are
    the ones at hand."""
    wlz = [a for a in allocations if a.contract.stream.code == "wlz"]
    return FundingFacts(client, timeline=timeline, wlz_allocations=wlz)


def employed_on(*, trajectory_id: int, day: date) -> bool:
    """Whether the client of the trajectory holds a job on the day (recorded employment)."""
    return (
        Employment.objects.filter(trajectory_id=trajectory_id, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .exists()
    )


def _with_employment_refusals(
    activity: Activity, candidates: list[Allocation], refusals: list[dict | None]
) -> list[dict | None]:
    """The UWV pays job coaching only alongside employment (rules.employment_refusal): add
    that refusal to the UWV allocations that otherwise fit; one query, only when needed."""
    if activity.kind not in UWV_NEEDS_EMPLOYMENT_KINDS:
        return refusals
    employed = None
    result = []
    for allocation, refusal in zip(candidates, refusals, strict=True):
        if refusal is None and allocation.funder.kind == FunderKind.UWV:
            if employed is None:
                employed = employed_on(trajectory_id=activity.trajectory_id, day=activity.date)
            refusal = employment_refusal(
                allocation=allocation, kind=activity.kind, employed=employed
            )
        result.append(refusal)
    return result


def _funded_by(activity: Activity, fit: _Fit, reason: dict) -> None:
    allocation = fit.allocation
    activity.allocation = allocation
    activity.funding_status = FUNDED
    activity.consumed = fit.consumption
    activity.pilot_product, activity.pilot_cents = None, 0
    activity.priced_product = fit.priced_product
    activity.funding_reason = {
        **reason,
        "number": allocation.number,
        "funder": allocation.funder.name,
        "stream": allocation.contract.stream.name,
    }


def _not_funded(activity: Activity, status: str, reason: dict) -> None:
    activity.allocation = None
    activity.funding_status = status
    activity.consumed = 0
    activity.pilot_product, activity.pilot_cents = None, 0
    activity.priced_product = None
    activity.funding_reason = reason


def pilot_budget_used(*, pilot: IntegralPilot, exclude_activity_id: int | None = None) -> int:
    """Euro cents drawn from a pilot's budget by its recorded activities."""
    activities = Activity.objects.filter(
        status=RECORDED, funding_status=PILOT, pilot_product__contract_id=pilot.contract_id
    )
    if exclude_activity_id is not None:
        activities = activities.exclude(pk=exclude_activity_id)
    return activities.aggregate(total=Sum("pilot_cents"))["total"] or 0


def _pilot_decide(*, activity: Activity, pilots: list[IntegralPilot]) -> tuple[bool, list[dict]]:
    """Let the first pilot that can pay for the activity pay (True); otherwise say why none
    did.

    A pilot pays when the activity's date lies in its period, its domain is one of the
    pilot's, a product of the pilot's contract fits (stream, age and unit, as for an
    allocation; the lowest value, time units before stays) and the budget has that value
    left. The value is units x tariff, rounded half up to cents.
    """
    refusals = []
    for pilot in pilots:
        if not pilot.is_valid_on(activity.date):
            refusals.append(
                {
                    "code": "pilot_not_valid_on_date",
                    "pilot": pilot.name,
                    "start": pilot.start.isoformat(),
                    "end": pilot.end.isoformat(),
                    "date": activity.date.isoformat(),
                }
            )
            continue
        if activity.domain not in pilot.domains:
            refusals.append({"code": "pilot_domain", "pilot": pilot.name})
            continue
        product, value, consumed = ContractProducts(pilot.contract.products.all()).priced(activity)
        if product is None:
            refusals.append({"code": "pilot_no_product", "pilot": pilot.name})
            continue
        drawn, refusal = pool_draw(pilot=pilot, activity=activity, value=value)
        if refusal is not None:
            refusals.append(refusal)
            continue
        activity.allocation = None
        activity.funding_status = PILOT
        activity.consumed = consumed
        activity.pilot_product, activity.pilot_cents = product, drawn
        activity.priced_product = None
        activity.funding_reason = {
            "code": "pilot",
            "pilot": pilot.name,
            "funder": pilot.contract.funder.name,
            "product": product.code,
        }
        return True, []
    return False, refusals


def _locked_allocations(client: Client) -> list[Allocation]:
    """The client's allocations that can pay (active, or ended: for care within their
    validity), locked in primary-key order (no deadlocks)."""
    return list(
        Allocation.objects.filter(client=client, status__in=ALLOCATION_FUNDING_STATUSES)
        .select_related("contract__stream", "product", "funder")
        .order_by("pk")
        .select_for_update(of=("self",))
    )


def _pilots_of(client: Client, *, lock: bool) -> list[IntegralPilot]:
    """The pilots the client is enrolled in, the one ending first first.

    Locked before the client's allocations, in primary-key order: a pilot's budget is shared
    by its clients, so two of them never overdraw it.
    """
    pilots = (
        IntegralPilot.objects.filter(enrolments__client=client)
        .select_related("contract__funder")
        .prefetch_related(
            Prefetch(
                "contract__products",
                queryset=Product.objects.select_related("contract__funder", "contract__stream"),
            ),
            Prefetch(  # from when until when the client takes part (pool_draw)
                "enrolments",
                queryset=PilotEnrolment.objects.filter(client=client),
                to_attr="client_enrolments",
            ),
        )
        .order_by("pk")
    )
    if lock:
        pilots = pilots.select_for_update(of=("self",))
    return sorted(pilots, key=lambda pilot: (pilot.end, pilot.start, pilot.pk))


def _not_chargeable_reason(activity: Activity) -> dict | None:
    """Registrations, internal consultations and absences are recorded but never billed."""
    if activity.kind in SCHOOL_FUNDED_KINDS:
        return {"code": "school_funded"}  # schools are paid per pupil or by a lump sum
    if activity.kind in SCHOOL_PROGRAMME_KINDS:
        return {"code": "school_programme"}  # an internship is part of the school programme
    if activity.kind in NOT_CHARGEABLE_KINDS:
        return {"code": "not_chargeable_kind"}
    if activity.attendance in (Attendance.ABSENT_AUTHORISED, Attendance.ABSENT_UNAUTHORISED):
        if is_leave_night(activity):
            return None  # the contract decides (apps.trajectories.leave)
        return {"code": "absent"}
    return None


def _decide(
    *,
    activity: Activity,
    client: Client,
    allocations: list[Allocation],
    pilots: list[IntegralPilot] = (),
    timeline: Timeline | None = None,
    facts: FundingFacts | None = None,
) -> None:
    """Apply the rules to an activity in memory: pilot, funded, unfunded or not chargeable.

    A client's integral pilot pays first; the allocations when none can.
    """
    not_chargeable = _not_chargeable_reason(activity)
    if not_chargeable is not None:
        _not_funded(activity, NOT_CHARGEABLE, not_chargeable)
        return
    paid, pilot_refusals = _pilot_decide(activity=activity, pilots=pilots)
    if paid:
        return
    if not allocations and not pilot_refusals:
        if _route_decide(activity=activity, client=client, refusals=[]):
            return
        _not_funded(activity, UNFUNDED, {"code": "no_allocation"})
        return
    fits, refusals = _evaluate(
        activity=activity,
        client=client,
        allocations=allocations,
        timeline=timeline,
        facts=facts,
    )
    if not fits:
        if any(refusal["code"] in LEAVE_REFUSAL_CODES for refusal in refusals):
            # A stay allocation pays for the stay, but its contract not for this leave night:
            # the night is recorded, never billed, and does not wait in the unfunded queue.
            _not_funded(activity, NOT_CHARGEABLE, {"code": "leave", "refusals": refusals})
            return
        if _route_decide(activity=activity, client=client, refusals=pilot_refusals + refusals):
            return
        reason = {"code": "unfunded", "refusals": pilot_refusals + refusals}
        _not_funded(activity, UNFUNDED, reason)
        return
    best = min(fits, key=lambda fit: _preference(fit.allocation))
    _funded_by(activity, best, {"code": "assigned", "fitting": len(fits)})


def _route_decide(*, activity: Activity, client: Client, refusals: list[dict]) -> bool:
    """With no allocation that pays, a route without allocations (the Zvw,
    apps.trajectories.routes) decides when its law is the one for the activity: paid by the
    route, or unfunded with the route's to-do beside the allocations' refusals. True when it
    decided."""
    if any(refusal["code"] == "wlz_indication" for refusal in refusals):
        return False  # with a Wlz indication the Wlz goes first, also before the Zvw
    decision = funding_route_decide(activity=activity, client=client)
    if decision is None:
        return False
    if decision.pays:
        _not_funded(activity, ROUTE, decision.reason)
    else:
        _not_funded(activity, UNFUNDED, {**decision.reason, "refusals": refusals})
    return True


def funding_preview(*, activity: Activity) -> Activity:
    """Decide, without saving or locking, where an unsaved activity would be assigned."""
    client = activity.trajectory.client
    allocations = list(
        Allocation.objects.filter(client=client, status__in=ALLOCATION_FUNDING_STATUSES)
        .select_related("contract__stream", "product", "funder")
        .order_by("pk")
    )
    pilots = _pilots_of(client, lock=False)
    _decide(activity=activity, client=client, allocations=allocations, pilots=pilots)
    return activity


def activity_funding_assign(
    *, activity: Activity, allocation: Allocation | None = None
) -> Activity:
    """Assign an activity (not yet saved) to the allocation it draws on, under row locks.

    Call inside the transaction that saves the activity. With ``allocation`` given (a user's
    explicit choice) the same rules apply and a refusal is a ValidationError.
    """
    client = activity.trajectory.client
    if allocation is None and _not_chargeable_reason(activity) is not None:
        # Never billed (a lesson, a registration, an absence): it draws on no budget, so
        # nothing is locked or read for it (a school's whole class is logged at once).
        _decide(activity=activity, client=client, allocations=[])
        return activity
    pilots = _pilots_of(client, lock=True)
    allocations = _locked_allocations(client)
    if allocation is None:
        _decide(activity=activity, client=client, allocations=allocations, pilots=pilots)
        if activity.funding_status == UNFUNDED:  # valued for the queue once it is saved
            waiting_value_on_commit(organisation_id=client.organisation_id, activity=activity)
        return activity
    if _not_chargeable_reason(activity) is not None:
        raise ValidationError(
            {"allocation": _("This activity is never billed, so it cannot draw on an allocation.")}
        )
    chosen = next((candidate for candidate in allocations if candidate.pk == allocation.pk), None)
    if chosen is None:
        raise ValidationError(
            {"allocation": _("This allocation is not an active allocation of this client.")}
        )
    fits, refusals = _evaluate(
        activity=activity, client=client, allocations=[chosen], everything=allocations
    )
    if not fits:
        raise ValidationError(
            {
                "allocation": _("This allocation cannot pay for the activity: %(reason)s.")
                % {"reason": refusal_text(refusals[0])}
            }
        )
    _funded_by(activity, fits[0], {"code": "chosen"})
    return activity


def _save_funding(activity: Activity, actor: User | None, before: tuple) -> bool:
    if _funding_state(activity) == before:
        return False
    activity._history_user = actor
    activity.save(update_fields=list(FUNDING_FIELDS))
    return True


def unfunded_rematch(*, client: Client, actor: User | None) -> list[Activity]:
    """Match the client's waiting unfunded activities, oldest first; return those now paid
    (by an allocation or a pilot). Each records when it was absorbed."""
    pilots = _pilots_of(client, lock=True)
    allocations = _locked_allocations(client)
    waiting = (
        Activity.objects.filter(trajectory__client=client, status=RECORDED, funding_status=UNFUNDED)
        .select_related("trajectory")
        .order_by("date", "start_time", "pk")
        .select_for_update(of=("self",))
    )
    matched = []
    now = timezone.now()
    timeline = _timeline_for(client, allocations)
    facts = _facts_for(client, allocations, timeline)  # read once for all of them
    for activity in waiting:
        before = _funding_state(activity)
        _decide(
            activity=activity,
            client=client,
            allocations=allocations,
            pilots=pilots,
            timeline=timeline,
            facts=facts,
        )
        if activity.funding_status in (FUNDED, PILOT, ROUTE):
            activity.absorbed_at = now
            activity._history_user = actor
            activity.save(update_fields=[*FUNDING_FIELDS, "absorbed_at"])
            matched.append(activity)
        else:
            _save_funding(activity, actor, before)
    waiting_revalue_client(client=client)  # what the client's waiting care is worth now
    return matched


def pilot_rematch(*, pilot: IntegralPilot, actor: User | None) -> list[Activity]:
    """Budget came free in a pilot (a cancellation, a correction, a larger budget): match
    the waiting care of every client in it, the clients in primary-key order."""
    clients = (
        Client.objects.filter(
            pilot_enrolments__pilot=pilot,
            trajectories__activities__status=RECORDED,
            trajectories__activities__funding_status=UNFUNDED,
        )
        .distinct()
        .order_by("pk")
    )
    matched = []
    for client in clients:
        matched += unfunded_rematch(client=client, actor=actor)
    return matched


def allocation_activities_reassign(*, allocation: Allocation, actor: User | None) -> None:
    """Reassign every activity of an allocation after it changed, then match waiting ones.

    Its activities are released and decided again oldest first, so that a smaller volume, a
    shorter validity or a withdrawal moves exactly the activities that no longer fit.
    """
    activities = list(
        allocation.activities.filter(status=RECORDED)
        .select_related("trajectory")
        .order_by("date", "start_time", "pk")
        .select_for_update(of=("self",))
    )
    before = {activity.pk: _funding_state(activity) for activity in activities}
    # Released in one statement and saved again below; each activity that ends up elsewhere
    # gets its history row there.
    allocation.activities.filter(pk__in=before).update(
        allocation=None, funding_status=UNFUNDED, consumed=0, priced_product=None
    )
    client = allocation.client
    pilots = _pilots_of(client, lock=True)
    allocations = _locked_allocations(client)
    timeline = _timeline_for(client, allocations)
    facts = _facts_for(client, allocations, timeline)  # read once for all of them
    for activity in activities:
        _decide(
            activity=activity,
            client=client,
            allocations=allocations,
            pilots=pilots,
            timeline=timeline,
            facts=facts,
        )
        if not _save_funding(activity, actor, before[activity.pk]):
            activity.skip_history_when_saving = True
            activity.save(update_fields=list(FUNDING_FIELDS))
            del activity.skip_history_when_saving
    unfunded_rematch(client=client, actor=actor)


def _validate_allocation(allocation: Allocation) -> None:
    errors: dict[str, list[str]] = {}
    product = allocation.product
    contract = allocation.contract
    for field, messages in variant_errors(
        variant=allocation.variant,
        product=product,
        category=allocation.category,
        volume=allocation.volume,
        budget_cents=allocation.budget_cents,
        contract=contract,
    ).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if allocation.is_specific and allocation.volume < 1:
        errors.setdefault("volume", []).append(_("The volume must be at least 1."))
    if allocation.end is not None and allocation.end < allocation.start:
        errors.setdefault("end", []).append(_("The end date lies before the start date."))
    if contract.organisation_id != allocation.client.organisation_id:
        errors.setdefault("product" if product is not None else "contract", []).append(
            _("This product belongs to a contract of another organisation.")
            if product is not None
            else _("This contract is one of another organisation.")
        )
    outside_contract = allocation.start < contract.start or (
        contract.end is not None and (allocation.end is None or allocation.end > contract.end)
    )
    if outside_contract:
        errors.setdefault("start", []).append(
            _("The allocation must lie within the contract's period (%(start)s to %(end)s).")
            % {
                "start": date_format(contract.start, "SHORT_DATE_FORMAT"),
                "end": date_format(contract.end, "SHORT_DATE_FORMAT") if contract.end else "…",
            }
        )
    same_family = product is None or (
        allocation.unit == product.unit
        or (allocation.unit in MINUTES_PER_UNIT and product.unit in MINUTES_PER_UNIT)
    )
    if not same_family:
        errors.setdefault("unit", []).append(
            _("The unit %(unit)s does not fit the product, which is counted in %(product_unit)s.")
            % {"unit": Unit(allocation.unit).label, "product_unit": Unit(product.unit).label}
        )
    duplicate = Allocation.objects.filter(
        funder=allocation.funder, number=allocation.number
    ).exclude(pk=allocation.pk)
    if allocation.number and duplicate.exists():
        errors.setdefault("number", []).append(
            _("Allocation number %(number)s is already used at %(funder)s.")
            % {"number": allocation.number, "funder": allocation.funder.name}
        )
    if allocation.pk is None:  # unit x frequency as the standard has it, when registered
        size = size_errors(unit=allocation.unit, frequency=allocation.frequency, end=allocation.end)
        for field, messages in size.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _yielding_reassign(*, allocation: Allocation, actor: User | None) -> None:
    """Reassign what the client's allocations of laws that yield to this one's fund: a Wlz
    allocation registered, extended or reactivated takes over the care it pays for from the
    Jeugdwet and the Wmo (apps.funding.rules.PRECEDENCE). A municipality's Jeugdwet or Wmo
    allocation takes over, after a move, from the previous municipality's allocation of the
    same stream (apps.funding.responsibility.move_continuations)."""
    rank = precedence_rank(allocation.contract.stream.code)
    if rank is None or allocation.status != AllocationStatus.ACTIVE:
        return
    lower = (
        Allocation.objects.filter(
            client_id=allocation.client_id, status__in=ALLOCATION_FUNDING_STATUSES
        )
        .exclude(pk=allocation.pk)
        .filter(activities__funding_status=FUNDED)
        .select_related("contract__stream", "product", "funder")
        .distinct()
        .order_by("pk")
    )
    code = allocation.contract.stream.code
    takes_over = code in MUNICIPAL_STREAMS and allocation.funder.kind == FunderKind.MUNICIPALITY
    for other in lower:
        other_rank = precedence_rank(other.contract.stream.code)
        taken_over = (
            takes_over
            and other.contract.stream.code == code
            and other.funder.kind == FunderKind.MUNICIPALITY
            and other.funder_id != allocation.funder_id
        )
        if taken_over or (other_rank is not None and other_rank > rank):
            allocation_activities_reassign(allocation=other, actor=actor)


@transaction.atomic
def allocation_register(
    *,
    client: Client,
    product: Product | None,
    number: str,
    volume: int | None,
    frequency: Frequency | None,
    start: date,
    end: date | None,
    actor: User | None,
    unit: Unit | None = None,
    variant: str = AllocationVariant.SPECIFIC,
    category: str = "",
    contract: Contract | None = None,
    budget_cents: int | None = None,
    source: str = AllocationSource.MANUAL,
) -> tuple[Allocation, list[Activity]]:
    """Register a funder's allocation; it absorbs the client's waiting unfunded activities.

    A specific allocation names its product and volume; an aspecific one a product category
    of ``contract`` and maybe a budget; a generic one a ``contract`` and a budget (iJw 3.2,
    IV075). Aspecific and generic allocations are counted in euros over their validity.
    Returns the allocation and the activities it (or another allocation) now funds.
    """
    if variant == AllocationVariant.SPECIFIC or contract is None:
        contract = product.contract if product is not None else contract
    if contract is None:
        raise ValidationError({"contract": [_("Choose the contract the allocation falls under.")]})
    specific = variant == AllocationVariant.SPECIFIC
    allocation = Allocation(
        client=client,
        variant=variant,
        product=product,
        category=(category or "").strip(),
        contract=contract,
        budget_cents=budget_cents,
        funder=contract.funder,
        number=number.strip(),
        volume=volume,
        unit=(unit or product.unit) if specific and product is not None else Unit.EURO,
        frequency=frequency if specific else Frequency.TOTAL,
        start=start,
        end=end,
        source=source,
    )
    _validate_allocation(allocation)
    allocation.full_clean(validate_constraints=False)
    allocation._history_user = actor
    allocation.save()
    access_log_write(
        actor=actor,
        event=AccessEvent.CREATE,
        client=client,
        obj=allocation,
        basis=AccessBasis.ADMINISTRATION,
    )
    _yielding_reassign(allocation=allocation, actor=actor)
    matched = unfunded_rematch(client=client, actor=actor)
    return allocation, matched


# The fields a caller may name; IV066 allows only some of them to change (the others are refused
# with the advice to replace the allocation: apps.funding.allocation_rules).
ALLOCATION_CHANGEABLE_FIELDS = frozenset(
    {"volume", "frequency", "start", "end", "unit", "budget_cents"}
)


def _refuse_unless_changeable(allocation: Allocation, *, by_message: bool = False) -> None:
    if allocation.from_message and not by_message:
        raise ValidationError(
            _(
                "This allocation was received from the municipality as a message (JW301 / "
                "WMO301): only the municipality's next message changes it."
            )
        )
    if allocation.status == AllocationStatus.WITHDRAWN:
        raise ValidationError(_("A withdrawn allocation cannot be changed."))
    if allocation.status == AllocationStatus.ENDED:
        raise ValidationError(
            _(
                "An ended allocation never becomes active again and cannot be changed; "
                "register a new allocation."
            )
        )


@transaction.atomic
def allocation_change(
    *,
    allocation: Allocation,
    actor: User | None,
    reason: str,
    by_message: bool = False,
    **changes,
) -> Allocation:
    """Change an allocation as IV066 allows (its end date; its volume when the frequency is
    total within the validity), for a reason from JZ002, and reassign what it funds.

    Reason 13 (removed) with the end date set to the start date removes the allocation: it is
    withdrawn. Any other change is refused: the allocation is replaced (``allocation_replace``).
    An allocation received as a message changes only ``by_message`` (the exchange).
    """
    unknown = set(changes) - ALLOCATION_CHANGEABLE_FIELDS
    if unknown:
        raise TypeError(f"allocation_change cannot change {sorted(unknown)}")
    allocation = (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("contract", "product")
        .get(pk=allocation.pk)
    )
    _refuse_unless_changeable(allocation, by_message=by_message)
    errors = allocation_change_errors(allocation=allocation, changes=changes, reason=reason)
    if errors:
        raise ValidationError(errors)
    changed = [field for field, value in changes.items() if value != getattr(allocation, field)]
    for field in changed:
        setattr(allocation, field, changes[field])
    weekly_end = size_errors(unit=allocation.unit, frequency=allocation.frequency, end=None)
    if "end" in changed and allocation.end is None and "end" in weekly_end:
        raise ValidationError({"end": weekly_end["end"]})
    allocation.change_reason = reason
    if reason == ChangeReason.REMOVED:
        allocation.status = AllocationStatus.WITHDRAWN
    _validate_allocation(allocation)
    allocation.full_clean(validate_constraints=False)
    allocation._history_user = actor
    allocation.save(update_fields=[*changed, "change_reason", "status"])
    _allocation_changed(allocation=allocation, actor=actor)
    return allocation


def _allocation_changed(*, allocation: Allocation, actor: User | None) -> None:
    """After a change of an allocation: log it, and reassign what it funds and what the
    allocations that yield to it fund."""
    access_log_write(
        actor=actor,
        event=AccessEvent.CHANGE,
        client=allocation.client,
        obj=allocation,
        basis=AccessBasis.ADMINISTRATION,
    )
    allocation_activities_reassign(allocation=allocation, actor=actor)
    _yielding_reassign(allocation=allocation, actor=actor)


@transaction.atomic
def allocation_status_change(
    *, allocation: Allocation, status: AllocationStatus, actor: User | None, reason: str = ""
) -> Allocation:
    """End or withdraw an allocation; what it funded is reassigned.

    An allocation is ended only once its end date has passed (the nightly run does it:
    ``allocations_end_expired``); to end it sooner its end date is shortened with a JZ002
    reason (``allocation_change``). An ended allocation never becomes active again.
    """
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if status not in ALLOCATION_STATUS_TRANSITIONS[allocation.status]:
        raise ValidationError(
            _("An allocation cannot go from %(old)s to %(new)s.")
            % {
                "old": AllocationStatus(allocation.status).label,
                "new": AllocationStatus(status).label,
            }
        )
    if status == AllocationStatus.ENDED and (
        allocation.end is None or allocation.end >= timezone.localdate()
    ):
        raise ValidationError(
            _(
                "An allocation ends by itself the night after its end date. To end it sooner, "
                "shorten its end date with a reason (JZ002)."
            )
        )
    if reason:
        # A withdrawal counts as a removal (end date = start date) for the code list's rules.
        reason_errors = change_reason_errors(
            reason=reason, start=allocation.start, end=allocation.start
        )
        if reason_errors:
            raise ValidationError({"reason": reason_errors})
        allocation.change_reason = reason
    allocation.status = status
    allocation._history_user = actor
    allocation.save(update_fields=["status", "change_reason"])
    _allocation_changed(allocation=allocation, actor=actor)
    return allocation


def allocation_withdraw(
    *, allocation: Allocation, actor: User | None, reason: str = ""
) -> Allocation:
    """Withdraw an allocation (the funder revoked it); its activities are reassigned."""
    return allocation_status_change(
        allocation=allocation, status=AllocationStatus.WITHDRAWN, actor=actor, reason=reason
    )


@transaction.atomic
def pilot_enrol(
    *, pilot: IntegralPilot, client: Client, actor: User | None, start: date | None = None
) -> list[Activity]:
    """Enrol a client in a pooled budget from a day (the pool's start when not given); the
    pool absorbs the client's waiting care that it can pay for. Returns the activities it
    absorbed."""
    pilot = IntegralPilot.objects.select_for_update().select_related("contract").get(pk=pilot.pk)
    if pilot.contract.organisation_id != client.organisation_id:
        raise ValidationError(
            {"client": _("This client is not a client of the pilot's organisation.")}
        )
    if PilotEnrolment.objects.filter(pilot=pilot, client=client).exists():
        raise ValidationError({"client": _("This client already takes part in the pilot.")})
    start = start or pilot.start
    if not pilot.is_valid_on(start):
        period = {"start": date_format(pilot.start), "end": date_format(pilot.end)}
        raise ValidationError({"start": _("The pool runs from %(start)s to %(end)s.") % period})
    enrolment = PilotEnrolment(pilot=pilot, client=client, start=start)
    enrolment._history_user = actor
    enrolment.save()
    access_log_write(
        actor=actor,
        event=AccessEvent.CREATE,
        client=client,
        obj=enrolment,
        basis=AccessBasis.ADMINISTRATION,
    )
    return unfunded_rematch(client=client, actor=actor)
