"""Writes for trajectories, goals, care teams and activities.

Every write takes the acting user, runs in one transaction and leaves history. Logging an
activity runs the funding assignment (apps.trajectories.assignment) in the same transaction.
"""

from datetime import date, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record, access_log_write
from apps.clients.models import Client
from apps.core.domains import DOMAIN_OF_KIND, ActivityKind, Attendance, Domain
from apps.core.errors import text_too_long
from apps.funding.models import Allocation
from apps.trajectories.assignment import (
    FUNDING_FIELDS,
    activity_funding_assign,
    pilot_rematch,
    unfunded_rematch,
)

from .access import client_access_for, memberships_giving_access
from .models import (
    ACTIVITY_NOTE_MAX_LENGTH,
    CHANGE_REASON_MAX_LENGTH,
    GOAL_DESCRIPTION_MAX_LENGTH,
    GOAL_TARGET_MAX_YEARS_AHEAD,
    Activity,
    ActivityStatus,
    CareTeamMembership,
    DayAttendance,
    Goal,
    GoalStatus,
    Stay,
    TeamRole,
    Trajectory,
    TrajectoryStatus,
)
from .signals import trajectory_closed

MAX_DURATION_MINUTES = 24 * 60
# Presence (nights of a stay, day parts of a day activity) records attendance as education does.
PRESENCE_ACTIVITY_KINDS = frozenset({ActivityKind.RESIDENTIAL_STAY, ActivityKind.DAY_ACTIVITY})


def _today() -> date:
    return timezone.localdate()


# --- trajectories ------------------------------------------------------------------------


@transaction.atomic
def trajectory_open(
    *, client: Client, start: date, lead_caseworker: User, actor: User
) -> Trajectory:
    """Open the client's integrated trajectory; the lead caseworker joins its care team."""
    Client.objects.select_for_update().get(pk=client.pk)  # one open trajectory per client
    if Trajectory.objects.filter(client=client, status=TrajectoryStatus.OPEN).exists():
        raise ValidationError(_("This client already has an open trajectory."))
    if lead_caseworker.organisation_id != client.organisation_id:
        raise ValidationError(
            {"lead_caseworker": _("The lead caseworker must work for the client's organisation.")}
        )
    trajectory = Trajectory(client=client, start=start, lead_caseworker=lead_caseworker)
    trajectory.full_clean(validate_constraints=False)
    trajectory._history_user = actor
    trajectory.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=client, obj=trajectory)
    care_team_join(
        trajectory=trajectory,
        user=lead_caseworker,
        role=TeamRole.CASEWORKER,
        start=start,
        actor=actor,
    )
    return trajectory


@transaction.atomic
def trajectory_close(*, trajectory: Trajectory, end: date, actor: User) -> Trajectory:
    """Close a trajectory on a day; its care-team memberships end that day."""
    trajectory = Trajectory.objects.select_for_update().get(pk=trajectory.pk)
    if trajectory.status == TrajectoryStatus.CLOSED:
        raise ValidationError(_("This trajectory is already closed."))
    if end < trajectory.start:
        raise ValidationError({"end": _("The end date lies before the start of the trajectory.")})
    # A residential stay's nights are care of this trajectory: it ends with the discharge.
    staying = trajectory.stays.filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=end))
    stay = staying.order_by("admitted_on").first()
    if stay is not None:
        raise ValidationError(
            {
                "end": _(
                    "The client is in a residential stay (admitted on %(admitted)s) that has "
                    "not ended by this day: record the discharge first."
                )
                % {"admitted": date_format(stay.admitted_on, "SHORT_DATE_FORMAT")}
            }
        )
    trajectory.status = TrajectoryStatus.CLOSED
    trajectory.end = end
    trajectory._history_user = actor
    trajectory.save(update_fields=["status", "end"])
    access_log_write(
        actor=actor, event=AccessEvent.CHANGE, client=trajectory.client, obj=trajectory
    )
    for membership in trajectory.memberships.filter(end__isnull=True):
        care_team_leave(membership=membership, end=max(end, membership.start), actor=actor)
    trajectory_closed.send(sender=Trajectory, trajectory=trajectory, end=end, actor=actor)
    return trajectory


# --- goals -------------------------------------------------------------------------------


GOAL_UPDATABLE_FIELDS = frozenset({"description", "target_date", "progress", "status"})


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _validate_goal(goal: Goal, *, changed: frozenset[str] = GOAL_UPDATABLE_FIELDS) -> None:
    """The goal's rules; the text and date limits for what is written now (``changed``)."""
    errors: dict[str, list[str]] = {}
    if not 0 <= goal.progress <= 100:
        errors["progress"] = [_("Progress is a percentage from 0 to 100.")]
    too_long = text_too_long(goal.description, GOAL_DESCRIPTION_MAX_LENGTH)
    if too_long and "description" in changed:
        errors["description"] = [too_long]
    if goal.target_date is not None and "target_date" in changed:
        born = goal.trajectory.client.date_of_birth
        latest = _years_from(_today(), GOAL_TARGET_MAX_YEARS_AHEAD)
        if goal.target_date < born:
            errors["target_date"] = [
                _("The target date lies before the client was born (%(born)s).")
                % {"born": date_format(born, "SHORT_DATE_FORMAT")}
            ]
        elif goal.target_date > latest:
            errors["target_date"] = [
                ngettext(
                    "Choose a target date at most %(years)s year ahead (until %(latest)s).",
                    "Choose a target date at most %(years)s years ahead (until %(latest)s).",
                    GOAL_TARGET_MAX_YEARS_AHEAD,
                )
                % {
                    "years": GOAL_TARGET_MAX_YEARS_AHEAD,
                    "latest": date_format(latest, "SHORT_DATE_FORMAT"),
                }
            ]
    if errors:
        raise ValidationError(errors)
    goal.full_clean(exclude=["trajectory"])


@transaction.atomic
def goal_add(
    *,
    trajectory: Trajectory,
    domain: Domain,
    description: str,
    actor: User,
    target_date: date | None = None,
) -> Goal:
    """Add a goal in one domain of an open trajectory."""
    if trajectory.status != TrajectoryStatus.OPEN:
        raise ValidationError(_("Goals can only be added to an open trajectory."))
    goal = Goal(
        trajectory=trajectory,
        domain=domain,
        description=description.strip(),
        target_date=target_date,
    )
    _validate_goal(goal)
    goal._history_user = actor
    goal.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=trajectory.client, obj=goal)
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, actor: User, **changes) -> Goal:
    """Change a goal's text, target date, progress or status."""
    unknown = set(changes) - GOAL_UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"goal_update cannot change {sorted(unknown)}")
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    for field, value in changes.items():
        setattr(goal, field, value)
    if goal.status == GoalStatus.ACHIEVED and "progress" not in changes:
        goal.progress = 100
    _validate_goal(goal, changed=frozenset(changes))
    goal._history_user = actor
    goal.save(update_fields=sorted({*changes, "progress"}))
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=goal.trajectory.client, obj=goal)
    return goal


# --- care team ---------------------------------------------------------------------------


def _care_team_change_logged(*, trajectory: Trajectory, user: User, actor: User | None) -> None:
    """Log that a membership change gave or took the user's access to the client.

    Access itself is not stored anywhere else: ``apps.trajectories.access`` reads the
    memberships at every request, so a membership whose end date has come gives nothing,
    without a grant to revoke.
    """
    on_client = (
        memberships_giving_access(user=user).filter(trajectory__client=trajectory.client).exists()
    )
    access_log_record(
        user=actor,
        event=AccessEvent.PERMISSION_CHANGE,
        basis=AccessBasis.CARE_TEAM,
        client=trajectory.client,
        obj=trajectory,
        detail=("granted to %s" if on_client else "revoked from %s") % user.get_username(),
    )


def _emergency_access_refused(*, actor: User, client: Client) -> None:
    """Emergency access reads and records care; it never changes who has access."""
    access = client_access_for(user=actor, client=client)
    if access is not None and access.basis == AccessBasis.BREAK_THE_GLASS:
        raise PermissionDenied("Emergency access does not allow changes to the care team.")


@transaction.atomic
def care_team_join(
    *, trajectory: Trajectory, user: User, role: TeamRole, start: date, actor: User
) -> CareTeamMembership:
    """Add a user to the care team of a trajectory in a role."""
    _emergency_access_refused(actor=actor, client=trajectory.client)
    if user.organisation_id != trajectory.client.organisation_id:
        raise ValidationError(
            {"user": _("Only colleagues of the same organisation can join the care team.")}
        )
    if trajectory.status != TrajectoryStatus.OPEN:
        raise ValidationError(_("Only an open trajectory has a care team to join."))
    if start < trajectory.start:
        raise ValidationError(
            {"start": _("A membership cannot start before the trajectory started.")}
        )
    current = trajectory.memberships.filter(user=user, role=role, end__isnull=True)
    if current.exists():
        raise ValidationError({"user": _("This person is already on the care team in this role.")})
    membership = CareTeamMembership(trajectory=trajectory, user=user, role=role, start=start)
    membership.full_clean(validate_constraints=False)
    membership._history_user = actor
    membership.save()
    _care_team_change_logged(trajectory=trajectory, user=user, actor=actor)
    return membership


@transaction.atomic
def care_team_leave(
    *, membership: CareTeamMembership, end: date, actor: User
) -> CareTeamMembership:
    """End a care-team membership on a day."""
    membership = (
        CareTeamMembership.objects.select_for_update()
        .select_related("trajectory__client", "user")
        .get(pk=membership.pk)
    )
    _emergency_access_refused(actor=actor, client=membership.trajectory.client)
    if membership.end is not None:
        raise ValidationError(_("This membership has already ended."))
    if end < membership.start:
        raise ValidationError({"end": _("A membership cannot end before it started.")})
    membership.end = end
    membership._history_user = actor
    membership.save(update_fields=["end"])
    _care_team_change_logged(trajectory=membership.trajectory, user=membership.user, actor=actor)
    return membership


# --- activities --------------------------------------------------------------------------


def _validate_activity(activity: Activity, *, note_written: bool = True) -> None:
    """The rules for any activity, with messages the person logging it can act on.

    ``note_written``: whether the note is written now (an old note over the limit does not
    stop a correction of something else)."""
    errors: dict[str, list[str]] = {}
    trajectory = activity.trajectory

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if trajectory.status != TrajectoryStatus.OPEN:
        add("__all__", _("Activities can only be logged on an open trajectory."))
    if activity.date < trajectory.start:
        add(
            "date",
            _("The date lies before the trajectory started (%(start)s).")
            % {"start": date_format(trajectory.start, "SHORT_DATE_FORMAT")},
        )
    if activity.date > _today():
        add("date", _("The date lies in the future; log an activity once it has taken place."))
    if activity.performed_by.organisation_id != trajectory.client.organisation_id:
        add(
            "performed_by",
            _("The activity must be performed by a colleague of the client's organisation."),
        )
    if DOMAIN_OF_KIND.get(activity.kind) != activity.domain:
        add(
            "kind",
            _("%(kind)s is not an activity of the domain %(domain)s.")
            % {"kind": ActivityKind(activity.kind).label, "domain": Domain(activity.domain).label},
        )
    if activity.duration_minutes is None and activity.units is None:
        add("duration_minutes", _("Give the duration in minutes or a number of units."))
    if (
        activity.duration_minutes is not None
        and not 1 <= activity.duration_minutes <= MAX_DURATION_MINUTES
    ):
        add("duration_minutes", _("The duration must be between 1 and 1440 minutes (24 hours)."))
    if activity.units is not None and not 1 <= activity.units <= 10_000:
        add("units", _("The number of units must be between 1 and 10,000."))
    if activity.goal is not None:
        if activity.goal.trajectory_id != trajectory.pk:
            add("goal", _("This goal belongs to another trajectory."))
        elif activity.goal.domain != activity.domain:
            add("goal", _("This goal belongs to another domain."))
    if (
        activity.attendance
        and activity.domain != Domain.EDUCATION
        and activity.kind not in PRESENCE_ACTIVITY_KINDS
    ):
        add("attendance", _("Attendance is recorded for education and presence only."))
    too_long = text_too_long(activity.note, ACTIVITY_NOTE_MAX_LENGTH)
    if too_long and note_written:
        add("note", too_long)
    if errors:
        raise ValidationError(errors)
    # The person, goal and stay the code holds are not looked up again: full_clean's query per
    # foreign key was a fifth of logging's round trips, and the foreign keys still refuse a row
    # that points nowhere (the constraints are not validated here either).
    loaded = [
        name
        for name in ("performed_by", "goal", "stay")
        if Activity._meta.get_field(name).is_cached(activity)
    ]
    activity.full_clean(
        exclude=[
            "trajectory",
            "allocation",
            "funding_status",
            "funding_reason",
            "consumed",
            *loaded,
        ],
        validate_constraints=False,
    )


def _negative_durations_refused(duration_minutes: int | None, units: int | None) -> None:
    # A PositiveIntegerField would otherwise answer with its own generic message.
    if duration_minutes is not None and duration_minutes < 1:
        raise ValidationError(
            {"duration_minutes": _("The duration must be between 1 and 1440 minutes (24 hours).")}
        )
    if units is not None and units < 1:
        raise ValidationError({"units": _("The number of units must be between 1 and 10,000.")})


@transaction.atomic
def activity_log(
    *,
    trajectory: Trajectory,
    domain: Domain,
    kind: ActivityKind,
    date: date,
    performed_by: User,
    actor: User,
    duration_minutes: int | None = None,
    units: int | None = None,
    start_time: time | None = None,
    note: str = "",
    goal: Goal | None = None,
    attendance: Attendance | str = "",
    subject: str = "",
    assessment: str = "",
    milestone: str = "",
    expected_funding: str = "",
    allocation: Allocation | None = None,
    stay: Stay | None = None,
) -> Activity:
    """Log an activity and assign it to the allocation it draws on (or keep it unfunded).

    ``allocation`` is an explicit choice; without it the funding rules choose. ``stay``: the
    residential stay a night belongs to (apps.trajectories.presence creates its nights).
    """
    _negative_durations_refused(duration_minutes, units)
    trajectory = Trajectory.objects.select_related("client").get(pk=trajectory.pk)  # current status
    activity = Activity(
        trajectory=trajectory,
        domain=domain,
        kind=kind,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        units=units,
        performed_by=performed_by,
        note=note.strip(),
        goal=goal,
        attendance=attendance,
        subject=subject.strip(),
        assessment=assessment.strip(),
        milestone=milestone.strip(),
        expected_funding=expected_funding.strip(),
        stay=stay,
    )
    _validate_activity(activity)
    activity_funding_assign(activity=activity, allocation=allocation)
    activity._history_user = actor
    activity.save()
    access_log_write(
        actor=actor,
        event=AccessEvent.CREATE,
        client=trajectory.client,
        obj=activity,
        on_behalf_of=performed_by,
    )
    return activity


def schooling_progress_record(
    *,
    trajectory: Trajectory,
    date: date,
    teacher: User,
    attendance: Attendance,
    subject: str,
    duration_minutes: int,
    assessment: str = "",
    milestone: str = "",
    note: str = "",
    kind: ActivityKind = ActivityKind.LESSON,
    goal: Goal | None = None,
) -> Activity:
    """Record a lesson (or exam) with attendance, subject, assessment and milestone."""
    if not attendance:
        raise ValidationError({"attendance": _("Record whether the student was present.")})
    if not subject.strip():
        raise ValidationError({"subject": _("Name the subject of the lesson.")})
    return activity_log(
        trajectory=trajectory,
        domain=Domain.EDUCATION,
        kind=kind,
        date=date,
        performed_by=teacher,
        actor=teacher,
        duration_minutes=duration_minutes,
        attendance=attendance,
        subject=subject,
        assessment=assessment,
        milestone=milestone,
        note=note,
        goal=goal,
    )


def change_reason_clean(reason: str) -> str | None:
    """The reason for a change as the history keeps it (spaces collapsed, None when empty), or a
    ValidationError on `reason` when it is over the column's length."""
    reason = " ".join(reason.split())
    if len(reason) > CHANGE_REASON_MAX_LENGTH:
        raise ValidationError({"reason": text_too_long(reason, CHANGE_REASON_MAX_LENGTH) or ""})
    return reason or None


ACTIVITY_CORRECTABLE_FIELDS = frozenset(
    {
        "kind",
        "date",
        "start_time",
        "duration_minutes",
        "units",
        "note",
        "goal",
        "attendance",
        "subject",
        "assessment",
        "milestone",
        "expected_funding",
    }
)


def _presence_refused(activity: Activity, *, presence: bool) -> None:
    """A night of a stay or a day of day parts changes through its stay or its day parts
    (apps.trajectories.presence, which passes ``presence=True``), never on its own."""
    if presence:
        return
    if activity.stay_id is not None:
        raise ValidationError(
            _("A night of a residential stay changes with the stay: its dates or its leave.")
        )
    if DayAttendance.objects.filter(activity_id=activity.pk).exists():
        raise ValidationError(_("A day activity changes with the day parts ticked for the day."))


@transaction.atomic
def activity_correct(
    *, activity: Activity, actor: User, presence: bool = False, reason: str = "", **changes
) -> Activity:
    """Correct a logged activity; history keeps the original, the funding is decided again.

    Units it no longer uses go back to its allocation and may fund waiting activities.
    ``reason`` (why it is corrected) is stored with the new history row
    (``history_change_reason``).
    """
    unknown = set(changes) - ACTIVITY_CORRECTABLE_FIELDS
    if unknown:
        raise TypeError(f"activity_correct cannot change {sorted(unknown)}")
    activity = (
        Activity.objects.select_for_update()
        .select_related("trajectory__client")
        .get(pk=activity.pk)
    )
    _presence_refused(activity, presence=presence)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("A cancelled activity cannot be corrected."))
    _negative_durations_refused(changes.get("duration_minutes"), changes.get("units"))
    for field, value in changes.items():
        setattr(activity, field, value.strip() if isinstance(value, str) else value)
    _validate_activity(activity, note_written="note" in changes)
    pilot_product = activity.pilot_product
    activity_funding_assign(activity=activity)
    activity._history_user = actor
    activity._change_reason = change_reason_clean(reason)
    activity.save()
    access_log_write(
        actor=actor, event=AccessEvent.CHANGE, client=activity.trajectory.client, obj=activity
    )
    unfunded_rematch(client=activity.trajectory.client, actor=actor)
    if pilot_product is not None:
        pilot_rematch(pilot=pilot_product.contract.integral_pilot, actor=actor)
    return activity


@transaction.atomic
def activity_cancel(
    *, activity: Activity, actor: User, presence: bool = False, reason: str = ""
) -> Activity:
    """Cancel an activity (nothing is deleted); its units go back and may fund waiting care.

    ``reason`` (why it is cancelled) is stored with the new history row."""
    activity = (
        Activity.objects.select_for_update()
        .select_related("trajectory__client")
        .get(pk=activity.pk)
    )
    _presence_refused(activity, presence=presence)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("This activity is already cancelled."))
    pilot_product = activity.pilot_product
    activity.status = ActivityStatus.CANCELLED
    activity.allocation = None
    activity.funding_status = "not_chargeable"
    activity.consumed = 0
    activity.pilot_product, activity.pilot_cents = None, 0
    activity.priced_product = None
    activity.funding_reason = {"code": "cancelled"}
    activity._history_user = actor
    activity._change_reason = change_reason_clean(reason)
    activity.save(update_fields=["status", *FUNDING_FIELDS])
    access_log_write(
        actor=actor, event=AccessEvent.DELETE, client=activity.trajectory.client, obj=activity
    )
    unfunded_rematch(client=activity.trajectory.client, actor=actor)
    if pilot_product is not None:
        pilot_rematch(pilot=pilot_product.contract.integral_pilot, actor=actor)
    return activity
