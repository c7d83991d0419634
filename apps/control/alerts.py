"""Funding alerts: early warnings computed every night (and on demand) from the funding data.

The causes, each with a key that names it, so that an alert is raised once and resolved by
itself when its cause has gone:

- ``allocation_80`` / ``allocation_100``: an active allocation has used 80% / 100% of its
  volume: over its whole validity where that is known, otherwise in the current window
  (``AllocationUse.budget_percent``); a total allocation whose rest is too small for care
  that now waits (it refused that care for lack of volume) counts as used up;
- ``allocation_ending``: an active allocation ends within ``ENDS_SOON_DAYS`` days and no other
  active allocation of the same client and stream is valid on the day after it ends;
- ``turns_18``: the client turns 18 within ``TURNS_18_DAYS`` days, has care paid under the
  Jeugdwet (an active allocation of a stream that stops at 18, not ended), no extended youth
  care recorded past the birthday, and no allocation of another stream for the same domain
  (the Wmo, the Zvw, the Wlz) valid on the birthday; with youth GGZ always (it moves to the
  Zvw, apps.zvw); it says whether guidance goes on under the Wmo or stops;
- ``unfunded_waiting``: the client has care that has waited unfunded for more than
  ``UNFUNDED_WAITING_DAYS`` days (one alert per client).

Who sees them (``funding_alert_list_for_user``): a caseworker the alerts of the clients on
whose care team they are a caseworker, a manager those of the organisation. Everything else
sees none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.db.models import Count, F, Min, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from apps.accounts.models import Role, User
from apps.accounts.permissions import VIEW_ALERTS, VIEW_ORGANISATION_ALERTS, holds_role, may
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_write
from apps.clients.models import Client
from apps.funding.figures import current_q, ends_soon_q
from apps.funding.models import AlertKind, Allocation, FundingAlert
from apps.funding.rules import GGZ_CATEGORIES
from apps.trajectories.access import current_memberships
from apps.trajectories.models import Activity, CareTeamMembership
from apps.trajectories.use import allocation_use

TURNS_18_DAYS = 90
UNFUNDED_WAITING_DAYS = 14
ADULT_AGE = 18
ALERT_LOCK_ID = 7_300_0001  # the advisory lock that keeps two runs from overlapping


@dataclass
class _Cause:
    kind: str
    client_id: int
    allocation_id: int | None = None
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AlertRun:
    """What one run of the check did."""

    raised: list[FundingAlert]
    resolved: int
    open: int


# --- the causes --------------------------------------------------------------------------


def _current_allocations(today: date) -> QuerySet[Allocation]:
    return Allocation.objects.filter(current_q(today))


def _refused_for_volume() -> set[tuple[int, str]]:
    """(client, allocation number) of allocations that refused waiting care for lack of volume."""
    refused = set()
    for client_id, reason in (
        Activity.objects.unfunded()
        # An adult's GGZ care waiting for the Zvw route keeps the allocations' refusals too.
        .filter(funding_reason__code__in=("unfunded", "zvw_route_incomplete"))
        .values_list("trajectory__client_id", "funding_reason")
    ):
        for refusal in reason.get("refusals", []):
            if refusal.get("code") in ("volume_used", "budget_used"):  # a budget too
                refused.add((client_id, refusal["number"]))
    return refused


def _use_causes(today: date) -> dict[str, _Cause]:
    """80% and 100%: used up is 100% or more, or too little left for care that now waits."""
    causes = {}
    allocations = list(_current_allocations(today).filter(start__lte=today))
    refused = _refused_for_volume()
    for use in allocation_use(allocations=allocations, today=today).values():
        allocation = use.allocation
        percent = use.budget_percent
        details = {"number": allocation.number, "percent": percent, "windowed": use.windowed}
        used_up = percent >= 100 or (
            (allocation.client_id, allocation.number) in refused and not use.windowed
        )
        if used_up or use.mostly_used:
            causes[f"allocation_80:{allocation.pk}"] = _Cause(
                AlertKind.ALLOCATION_80, allocation.client_id, allocation.pk, details
            )
        if used_up:
            causes[f"allocation_100:{allocation.pk}"] = _Cause(
                AlertKind.ALLOCATION_100, allocation.client_id, allocation.pk, details
            )
    return causes


def _ending_causes(today: date) -> dict[str, _Cause]:
    ending = list(
        _current_allocations(today).filter(ends_soon_q(today)).select_related("contract", "product")
    )
    if not ending:
        return {}
    others = defaultdict(list)
    for other in (
        Allocation.objects.active()
        .filter(client__in={allocation.client_id for allocation in ending})
        .select_related("contract", "product")
    ):
        others[other.client_id].append(other)
    causes = {}
    for allocation in ending:
        day_after = allocation.end + timedelta(days=1)
        stream_id = allocation.contract.stream_id
        follow_up = any(
            other.pk != allocation.pk
            and other.contract.stream_id == stream_id
            and other.is_valid_on(day_after)
            for other in others[allocation.client_id]
        )
        if not follow_up:
            causes[f"allocation_ending:{allocation.pk}"] = _Cause(
                AlertKind.ALLOCATION_ENDING,
                allocation.client_id,
                allocation.pk,
                {"number": allocation.number, "end": allocation.end.isoformat()},
            )
    return causes


def _turns_18_causes(today: date) -> dict[str, _Cause]:
    horizon = today + timedelta(days=TURNS_18_DAYS)
    # Born between 18 years before today and 18 years before the horizon (a day's margin for
    # 29 February); the exact birthday is checked below.
    earliest = _years_before(today, ADULT_AGE) - timedelta(days=1)
    latest = _years_before(horizon, ADULT_AGE) + timedelta(days=1)
    candidates = Client.objects.filter(date_of_birth__gte=earliest, date_of_birth__lte=latest)
    allocations = defaultdict(list)
    for allocation in (
        _current_allocations(today)
        .filter(client__in=candidates)
        .select_related("contract__stream", "product")
    ):
        allocations[allocation.client_id].append(allocation)
    if not allocations:
        return {}
    causes = {}
    for client in Client.objects.filter(pk__in=allocations):
        birthday = client.birthday(ADULT_AGE)
        if not today <= birthday <= horizon:
            continue
        youth = [
            allocation
            for allocation in allocations[client.pk]
            if allocation.contract.stream.age_limit == ADULT_AGE
        ]
        if not youth:
            continue
        extended = client.extended_youth_care_on(birthday)
        youth_domains = {
            domain for allocation in youth for domain in allocation.contract.stream.domains
        }
        follow_up = any(
            allocation.contract.stream.age_limit != ADULT_AGE
            and youth_domains & set(allocation.contract.stream.domains)
            and allocation.is_valid_on(birthday)
            for allocation in allocations[client.pk]
        )
        # GGZ treatment is never extended and no allocation follows it: the Zvw pays it per
        # prestatie from the birthday (apps.zvw), so youth GGZ always raises the alert.
        ggz = any(
            allocation.product is not None and allocation.product.category in GGZ_CATEGORIES
            for allocation in youth
        )
        if (extended or follow_up) and not ggz:
            continue
        guidance = any(
            allocation.product is not None and allocation.product.is_guidance
            for allocation in youth
        )
        details = {
            "birthday": birthday.isoformat(),
            "numbers": sorted(allocation.number for allocation in youth),
            "guidance": guidance,
        }
        if ggz:
            details["ggz"] = True
        if guidance:
            # Whether guidance goes on under the Wmo on the birthday, or stops.
            details["wmo_guidance"] = sorted(
                allocation.number
                for allocation in allocations[client.pk]
                if allocation.contract.stream.code == "wmo"
                and allocation.product is not None
                and allocation.product.is_guidance
                and allocation.is_valid_on(birthday)
            )
        causes[f"turns_18:{client.pk}"] = _Cause(AlertKind.TURNS_18, client.pk, None, details)
    return causes


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _unfunded_causes(today: date) -> dict[str, _Cause]:
    rows = (
        Activity.objects.unfunded()
        .filter(date__lt=today - timedelta(days=UNFUNDED_WAITING_DAYS))
        .values("trajectory__client_id")
        .annotate(count=Count("pk"), oldest=Min("date"))
        .order_by()
    )
    return {
        f"unfunded_waiting:{row['trajectory__client_id']}": _Cause(
            AlertKind.UNFUNDED_WAITING,
            row["trajectory__client_id"],
            None,
            {"count": row["count"], "oldest": row["oldest"].isoformat()},
        )
        for row in rows
    }


def funding_alert_causes(*, today: date) -> dict[str, _Cause]:
    """Every cause for an alert that holds today, keyed by what it is about."""
    return {
        **_use_causes(today),
        **_ending_causes(today),
        **_turns_18_causes(today),
        **_unfunded_causes(today),
    }


# --- the nightly run -----------------------------------------------------------------------


@transaction.atomic
def funding_alerts_refresh(*, today: date | None = None) -> AlertRun:
    """Raise an alert for every new cause, resolve the alerts whose cause has gone, and keep
    the details of the others current. Running it twice raises nothing twice."""
    today = today or timezone.localdate()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ALERT_LOCK_ID])
    causes = funding_alert_causes(today=today)
    open_alerts = {alert.key: alert for alert in FundingAlert.objects.open().select_for_update()}
    now = timezone.now()

    resolved = [alert for key, alert in open_alerts.items() if key not in causes]
    for alert in resolved:
        alert.resolved_at = now
    changed = []
    for key, alert in open_alerts.items():
        if key in causes and alert.details != causes[key].details:
            alert.details = causes[key].details
            changed.append(alert)
    if resolved:
        bulk_update_with_history(resolved, FundingAlert, ["resolved_at"], batch_size=500)
    if changed:
        bulk_update_with_history(changed, FundingAlert, ["details"], batch_size=500)

    fresh = {key: cause for key, cause in causes.items() if key not in open_alerts}
    organisation_of = dict(
        Client.objects.filter(pk__in={cause.client_id for cause in fresh.values()}).values_list(
            "pk", "organisation_id"
        )
    )
    new = [
        FundingAlert(
            kind=cause.kind,
            key=key,
            client_id=cause.client_id,
            organisation_id=organisation_of[cause.client_id],
            allocation_id=cause.allocation_id,
            details=cause.details,
            raised_on=today,
            raised_at=now,
        )
        for key, cause in fresh.items()
    ]
    raised = bulk_create_with_history(new, FundingAlert, batch_size=500) if new else []
    if raised and settings.FUNDING_ALERT_MAIL:
        keys = [alert.key for alert in raised]
        transaction.on_commit(lambda: funding_alerts_mail(keys=keys))
    return AlertRun(
        raised=raised, resolved=len(resolved), open=len(open_alerts) - len(resolved) + len(raised)
    )


# --- what to do about them ----------------------------------------------------------------

# Where a caseworker of the care team deals with the cause of an alert: a URL name that takes
# the client's pk. A client turning 18 under the Jeugdwet: record extended youth care.
ALERT_ACTION_URLS = {AlertKind.TURNS_18: "clients:extended_youth_care"}


def funding_alert_action_url(alert: FundingAlert) -> str | None:
    """The page where the alert's cause is dealt with, or None."""
    name = ALERT_ACTION_URLS.get(alert.kind)
    return reverse(name, kwargs={"pk": alert.client_id}) if name else None


# --- who sees them, and acknowledging -----------------------------------------------------


def funding_alert_list_for_user(
    *, user: User, include_closed: bool = False
) -> QuerySet[FundingAlert]:
    """The alerts a user may see: a caseworker's own clients', a manager's organisation's.

    The newest first; the client and allocation loaded.
    """
    alerts = FundingAlert.objects.filter(organisation_id=user.organisation_id)
    if not include_closed:
        alerts = alerts.open()
    if user.organisation_id is None:
        return alerts.none()
    if may(user, VIEW_ORGANISATION_ALERTS):
        visible = alerts
    elif may(user, VIEW_ALERTS):
        visible = alerts.filter(client__in=clients_as_caseworker(user))
    else:
        return alerts.none()
    return visible.select_related("client", "allocation__funder", "acknowledged_by").order_by(
        F("acknowledged_at").asc(nulls_first=True), "-raised_on", "kind", "pk"
    )


def clients_as_caseworker(user: User) -> QuerySet[Client]:
    """Clients on whose care team the user is a caseworker now (one membership that has
    started and not ended)."""
    memberships = CareTeamMembership.objects.filter(
        current_memberships(), user=user, role="caseworker"
    )
    return Client.objects.filter(pk__in=memberships.values("trajectory__client"))


def funding_alert_get_for(*, user: User, pk: int) -> FundingAlert | None:
    """One alert the user may see, or None (the view answers 404)."""
    return funding_alert_list_for_user(user=user, include_closed=True).filter(pk=pk).first()


@transaction.atomic
def funding_alert_acknowledge(*, alert: FundingAlert, actor: User) -> FundingAlert:
    """Mark an alert as seen and being dealt with; it stays open until its cause has gone."""
    alert = FundingAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.resolved_at is not None:
        raise ValidationError(_("This alert is already resolved."))
    if alert.acknowledged_at is not None:
        raise ValidationError(_("This alert is already acknowledged."))
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert._history_user = actor
    alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    access_log_write(
        actor=actor,
        event=AccessEvent.CHANGE,
        client=alert.client,
        obj=alert,
        basis=AccessBasis.MANAGEMENT
        if holds_role(actor, Role.MANAGER)
        and not clients_as_caseworker(actor).filter(pk=alert.client_id).exists()
        else AccessBasis.CARE_TEAM,
    )
    return alert


# --- mail -----------------------------------------------------------------------------------


def funding_alerts_mail(*, keys: list[str]) -> int:
    """Mail each recipient one message listing their new alerts, by client number only (a
    mail leaves the system: no names, no reasons). Returns the number of messages."""
    alerts = list(
        FundingAlert.objects.open().filter(key__in=keys).select_related("client__organisation")
    )
    by_user: dict[User, list[FundingAlert]] = defaultdict(list)
    organisations = {alert.client.organisation_id for alert in alerts}
    managers = User.objects.filter(
        organisation_id__in=organisations, groups__name=Role.MANAGER, is_active=True
    ).exclude(email="")
    for manager in managers:
        for alert in alerts:
            if alert.client.organisation_id == manager.organisation_id:
                by_user[manager].append(alert)
    # The current caseworkers of the alerts' clients, with an email address: one query.
    memberships = CareTeamMembership.objects.filter(
        current_memberships(),
        role="caseworker",
        trajectory__client__in={alert.client_id for alert in alerts},
        user__is_active=True,
    ).exclude(user__email="")
    caseworkers_of = defaultdict(set)
    for membership in memberships.select_related("user", "trajectory"):
        caseworkers_of[membership.trajectory.client_id].add(membership.user)
    for alert in alerts:
        for caseworker in caseworkers_of[alert.client_id]:
            if alert not in by_user[caseworker]:
                by_user[caseworker].append(alert)
    link = settings.SITE_URL.rstrip("/") + reverse("funding:alerts")
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for user, own_alerts in by_user.items():
            lines = [
                f"- {alert.client.client_number}: {AlertKind(alert.kind).label}"
                for alert in own_alerts
            ]
            body = "\n".join(
                [_("New funding alerts for your clients:"), "", *lines, "", _("See: %s") % link]
            )
            messages.append((_("Funding alerts"), body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    return send_mass_mail(messages, fail_silently=False) if messages else 0
