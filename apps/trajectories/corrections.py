"""Correcting and cancelling an activity through the web: who may, and its versions.

Who may correct or cancel an activity (docs/corrections.md): whoever may log for the client
(``ClientAccess.may_log``: the care team, a caseworker under emergency access) and sees the
activity's lane, when they logged it themselves or hold the caseworker's permission to correct
(``CORRECT_ACTIVITY``, as the API asks). So a teacher corrects their own lesson, a caseworker
of the team any activity, a manager none (a manager never logs).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.formats import date_format, time_format

from apps.accounts.models import User
from apps.accounts.permissions import CORRECT_ACTIVITY, may
from apps.core.domains import ActivityKind, Attendance

from .access import ClientAccess
from .models import Activity, ActivityStatus, FundingStatus, Goal


def activity_may_change(*, user: User, access: ClientAccess, activity: Activity) -> bool:
    """Whether the user may correct or cancel this activity (see the module's docstring)."""
    return (
        access.may_log
        and activity.domain in access.lanes
        and (activity.performed_by_id == user.pk or may(user, CORRECT_ACTIVITY))
    )


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Version:
    when: datetime
    by: str
    kind: str  # "+" logged, "~" changed
    reason: str
    status: str
    funding: str  # status and reason, or "" when the viewer does not see funding
    changes: list[Change] = field(default_factory=list)


def _text(value: Any, name: str, goals: dict[int, Goal], sees_goal_text: bool) -> str:
    if value in (None, ""):
        return "—"
    if name == "kind":
        return str(ActivityKind(value).label)
    if name == "attendance":
        return str(Attendance(value).label)
    if name == "status":
        return str(ActivityStatus(value).label)
    if name == "funding_status":
        return str(FundingStatus(value).label)
    if name == "date":
        return date_format(value, "SHORT_DATE_FORMAT")
    if name == "start_time":
        return time_format(value, "H:i")
    if name == "goal":
        goal = goals.get(value)
        return goal.description if goal is not None and sees_goal_text else f"#{value}"
    return str(value)


def _shown_fields(access: ClientAccess) -> list[str]:
    names = ["kind", "date", "start_time", "duration_minutes", "units", "attendance"]
    names += ["subject", "assessment", "milestone", "goal", "status"]
    if access.sees_notes:
        names.append("note")
    if access.sees_funding:
        names += ["expected_funding", "funding_status"]
    return names


def activity_versions(*, activity: Activity, access: ClientAccess) -> list[Version]:
    """The activity's versions, oldest first: who wrote each, when, why, and what changed in
    it, as far as the viewer may see (no note for a manager, no funding for a teacher)."""
    rows = list(activity.history.select_related("history_user").order_by("history_date", "pk"))
    shown = _shown_fields(access)
    goals = {
        goal.pk: goal
        for goal in Goal.objects.filter(pk__in={row.goal_id for row in rows if row.goal_id})
    }
    versions: list[Version] = []
    previous = None
    for row in rows:
        changes = []
        if previous is not None:
            for name in shown:
                old_value = getattr(previous, f"{name}_id" if name == "goal" else name)
                new_value = getattr(row, f"{name}_id" if name == "goal" else name)
                if old_value != new_value:
                    label = str(Activity._meta.get_field(name).verbose_name)
                    changes.append(
                        Change(
                            label=label[:1].upper() + label[1:],
                            old=_text(old_value, name, goals, access.sees_goal_text),
                            new=_text(new_value, name, goals, access.sees_goal_text),
                        )
                    )
        funding = ""
        if access.sees_funding:
            instance = row.instance
            funding = f"{FundingStatus(row.funding_status).label} · {instance.funding_reason_text}"
        versions.append(
            Version(
                when=row.history_date,
                by=str(row.history_user) if row.history_user else "",
                kind=row.history_type,
                reason=row.history_change_reason or "",
                status=str(ActivityStatus(row.status).label),
                funding=funding,
                changes=changes,
            )
        )
        previous = row
    return versions
