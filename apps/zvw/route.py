"""The client's Zvw route: what the insurer needs before it pays GGZ treatment from the 18th
birthday, what is still missing (the to-do shown from 17½), and the decision the funding
assignment asks for (registered in apps.trajectories.routes by ZvwConfig.ready).

The rules (docs/zvw.md, with sources):

- the Zvw pays GGZ treatment from the 18th birthday (Jeugdwet art. 1.2 lid 1; extended youth
  care never covers it: apps.funding.rules.GGZ_CATEGORIES);
- the insured's own insurer pays (UZOVI code), with the policy number and the date the
  insurance was checked;
- specialist ggz needs a referral (Zvw art. 14 lid 2: in any case by the GP; acute care is the
  exception), dated on or before the care;
- a regiebehandelaar of a profession that may be one (zorgprestatiemodel, "Beroepscategorie en
  beroepen"); for a young person whose treatment started under the Jeugdwet the list of
  professions is waived (ontheffingsregeling regiebehandelaarschap bij overgang vanuit de
  Jeugdwet);
- treatment after diagnostics needs a care-demand typing (zorgvraagtypering), repeated at least
  once a year ("Zorgvraagtypering": "minimaal een keer per jaar"); diagnostic consults come
  before it and do not need one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from apps.clients.models import Client
from apps.trajectories.models import Activity, ActivityStatus
from apps.trajectories.routes import RouteDecision

from .models import PROFESSIONS, REFERRALS_GIVING_ACCESS, CareDemandTyping, ZvwRoute
from .prestaties import CONSULTATION_KINDS, DIAGNOSTIC_KINDS, ZVW_GGZ_KINDS

ADULT_AGE = 18
TODO_FROM_MONTHS = 6  # the to-do shows from 17½: half a year before the birthday
TYPING_VALID_MONTHS = 12


@dataclass(frozen=True)
class RouteCheck:
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def route_of(client: Client) -> ZvwRoute | None:
    return (
        ZvwRoute.objects.select_related("regiebehandelaar__practitioner_profile")
        .filter(client=client)
        .first()
    )


def started_under_jeugdwet(client: Client) -> bool:
    """Whether the client's GGZ treatment started before the 18th birthday (in this system)."""
    return Activity.objects.filter(
        trajectory__client=client,
        status=ActivityStatus.RECORDED,
        kind__in=ZVW_GGZ_KINDS - CONSULTATION_KINDS,
        date__lt=client.birthday(ADULT_AGE),
    ).exists()


def route_check(
    *, client: Client, day: date, kind: str | None = None, route: ZvwRoute | None = None
) -> RouteCheck:
    """What the client's route misses for GGZ care of this kind on this day (every piece, when
    no kind is given: the to-do)."""
    if route is None:
        route = route_of(client)
    missing = []
    if route is None or not route.uzovi:
        missing.append("insurer")
    if route is None or not route.policy_number:
        missing.append("policy")
    if route is None or route.insurance_checked_on is None:
        missing.append("insurance_checked")
    if route is None or route.referral_type not in REFERRALS_GIVING_ACCESS:
        missing.append("referral")
    elif route.referral_date is None or route.referral_date > day:
        missing.append("referral_after")
    if route is None or route.regiebehandelaar_id is None:
        missing.append("regiebehandelaar")
    elif not _may_be_regiebehandelaar(route) and not started_under_jeugdwet(client):
        missing.append("regiebehandelaar_profession")
    if kind is None or kind not in DIAGNOSTIC_KINDS:
        earliest = day - relativedelta(months=TYPING_VALID_MONTHS)
        typed = CareDemandTyping.objects.filter(
            client=client, measured_on__lte=day, measured_on__gt=earliest
        ).exists()
        if not typed:
            missing.append("typing")
    return RouteCheck(tuple(missing))


def _may_be_regiebehandelaar(route: ZvwRoute) -> bool:
    profile = getattr(route.regiebehandelaar, "practitioner_profile", None)
    return profile is not None and PROFESSIONS[profile.profession][1]


def zvw_applies(*, activity: Activity, client: Client) -> bool:
    """Whether the Zvw is the law for this activity: GGZ treatment in the care lane on or after
    the 18th birthday. A consultation between colleagues is not a prestatie of its own here."""
    return (
        activity.domain == "care"
        and activity.kind in ZVW_GGZ_KINDS - CONSULTATION_KINDS
        and client.age_on(activity.date) >= ADULT_AGE
    )


def zvw_route_decide(activity: Activity, client: Client) -> RouteDecision | None:
    """The funding assignment's question (apps.trajectories.routes): paid by the insurer when
    the route is complete for the activity's date and kind, otherwise unfunded with the to-do."""
    if not zvw_applies(activity=activity, client=client):
        return None
    route = route_of(client)
    check = route_check(client=client, day=activity.date, kind=activity.kind, route=route)
    birthday = client.birthday(ADULT_AGE).isoformat()
    if check.complete:
        return RouteDecision(
            pays=True,
            reason={"code": "zvw_route", "uzovi": route.uzovi, "birthday": birthday},
        )
    return RouteDecision(
        pays=False,
        reason={
            "code": "zvw_route_incomplete",
            "missing": list(check.missing),
            "birthday": birthday,
        },
    )


def todo_shows(*, client: Client, today: date) -> bool:
    """The route's to-do shows from 17½ (and stays while something is missing)."""
    return today >= client.birthday(ADULT_AGE) - relativedelta(months=TODO_FROM_MONTHS)
