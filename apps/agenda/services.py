"""Writes of the agenda: plan, confirm (as an activity), no-show, cancel; the calendar feed.

Every write takes the acting user, runs in one transaction, leaves history and an access-log
entry. Confirming logs the activity through ``activity_log`` (with its funding assignment) in
the same transaction, so a refused activity leaves the appointment planned.
"""

import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.services import secret_hash
from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record, access_log_write, access_log_write_many
from apps.core.domains import KINDS_BY_DOMAIN, ActivityKind, Domain
from apps.core.errors import PermissionRefused
from apps.trajectories.access import ClientAccess, client_access_for, memberships_giving_access
from apps.trajectories.models import (
    Activity,
    DayAttendance,
    DayPart,
    Trajectory,
    TrajectoryStatus,
)
from apps.trajectories.presence import day_parts_record
from apps.trajectories.services import activity_log

from . import ical
from .models import (
    PLACE_MAX_LENGTH,
    PURPOSE_MAX_LENGTH,
    Appointment,
    AppointmentStatus,
    CalendarFeed,
)

MIN_DURATION, MAX_DURATION = 5, 12 * 60
# A stay's nights follow from its dates (apps.trajectories.presence), never from a plan.
NOT_PLANNED_KINDS = frozenset({ActivityKind.RESIDENTIAL_STAY})
# The feed shows this window around today, no more.
FEED_DAYS_BACK, FEED_DAYS_AHEAD = 30, 90
# When nothing has been logged in a lane yet, the kind a new appointment starts with.
DEFAULT_KIND = {
    Domain.CARE: ActivityKind.TREATMENT_SESSION,
    Domain.EDUCATION: ActivityKind.STUDY_GUIDANCE,
    Domain.WORK: ActivityKind.JOB_COACHING,
}


def _today() -> date:
    return timezone.localdate()


def kinds_for_planning(domain: str) -> tuple[str, ...]:
    return tuple(kind for kind in KINDS_BY_DOMAIN[domain] if kind not in NOT_PLANNED_KINDS)


def default_kind(*, trajectory: Trajectory | None, domain: str) -> str:
    """The lane's most common kind in the trajectory's logged activities (a stay's nights
    left out), or the lane's usual kind when nothing has been logged there yet."""
    if trajectory is not None:
        row = (
            Activity.objects.recorded()
            .filter(trajectory=trajectory, domain=domain, kind__in=kinds_for_planning(domain))
            .values("kind")
            .annotate(n=Count("pk"))
            .order_by("-n", "kind")
            .first()
        )
        if row is not None:
            return row["kind"]
    return DEFAULT_KIND[Domain(domain)]


def may_plan(access: ClientAccess | None, domain: str | None = None) -> bool:
    """Plan with a client: who may log in the lane, on the care team (emergency access records
    what was done, it plans nothing ahead)."""
    return (
        access is not None
        and access.may_log
        and access.break_glass is None
        and (domain is None or domain in access.lanes)
    )


def _planning_access(*, actor: User, trajectory: Trajectory, domain: str) -> ClientAccess:
    access = client_access_for(user=actor, client=trajectory.client)
    if not may_plan(access, domain):
        raise PermissionRefused(
            _("Only a member of the care team who logs in this lane may plan or confirm it.")
        )
    return access


# --- appointments --------------------------------------------------------------------------


def _validate(appointment: Appointment) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    trajectory = appointment.trajectory
    if trajectory.status != TrajectoryStatus.OPEN:
        add("__all__", _("Appointments can only be planned on an open trajectory."))
    if appointment.date < trajectory.start:
        add(
            "date",
            _("The date lies before the trajectory started (%(start)s).")
            % {"start": date_format(trajectory.start, "SHORT_DATE_FORMAT")},
        )
    if appointment.kind not in kinds_for_planning(appointment.domain):
        add(
            "kind",
            _("%(kind)s is not an activity of the domain %(domain)s that can be planned.")
            % {
                "kind": ActivityKind(appointment.kind).label,
                "domain": Domain(appointment.domain).label,
            },
        )
    if not MIN_DURATION <= (appointment.duration_minutes or 0) <= MAX_DURATION:
        add("duration_minutes", _("The duration must be between 5 and 720 minutes."))
    if not appointment.purpose:
        add("purpose", _("Say in a few words what the appointment is for."))
    if len(appointment.purpose) > PURPOSE_MAX_LENGTH:
        add("purpose", _("At most 200 characters."))
    if len(appointment.place) > PLACE_MAX_LENGTH:
        add("place", _("At most 200 characters."))
    if errors:
        raise ValidationError(errors)
    appointment.full_clean(exclude=["trajectory", "worker", "activity"])


@transaction.atomic
def appointment_plan(
    *,
    trajectory: Trajectory,
    domain: str,
    kind: str,
    date: date,
    start_time: time,
    duration_minutes: int,
    purpose: str,
    actor: User,
    place: str = "",
) -> Appointment:
    """Plan an appointment of the actor with the trajectory's client, in one lane."""
    trajectory = Trajectory.objects.select_related("client").get(pk=trajectory.pk)
    _planning_access(actor=actor, trajectory=trajectory, domain=domain)
    appointment = Appointment(
        trajectory=trajectory,
        worker=actor,
        domain=domain,
        kind=kind,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        place=place.strip(),
        purpose=purpose.strip(),
    )
    _validate(appointment)
    appointment._history_user = actor
    appointment.save()
    access_log_write(
        actor=actor, event=AccessEvent.CREATE, client=trajectory.client, obj=appointment
    )
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update()
        .select_related("trajectory__client", "worker")
        .get(pk=appointment.pk)
    )


def _still_planned(appointment: Appointment, *, actor: User) -> None:
    """The refusals shared by confirming, no-show and cancelling, in the worker's words."""
    if appointment.worker_id != actor.pk:
        raise PermissionRefused(_("Only the worker of an appointment may change it."))
    refusal = {
        AppointmentStatus.DONE: _("This appointment has already been confirmed as an activity."),
        AppointmentStatus.NO_SHOW: _("This appointment has already been recorded as a no-show."),
        AppointmentStatus.CANCELLED: _("This appointment was cancelled; it cannot be changed."),
    }.get(appointment.status)
    if refusal:
        raise ValidationError(refusal)


def _taken_place(appointment: Appointment) -> None:
    if appointment.date > _today():
        raise ValidationError(
            _("This appointment is still ahead: confirm it once it has taken place.")
        )


def day_part_of(moment: time) -> str:
    """The day part an appointment starts in: morning before 12, afternoon before 18."""
    if moment < time(12):
        return DayPart.MORNING
    if moment < time(18):
        return DayPart.AFTERNOON
    return DayPart.EVENING


def _day_attendance(appointment: Appointment) -> DayAttendance | None:
    return DayAttendance.objects.filter(
        trajectory=appointment.trajectory, date=appointment.date
    ).first()


@transaction.atomic
def appointment_confirm(*, appointment: Appointment, actor: User) -> Activity:
    """It took place: log it as an activity (with its funding assignment) and mark it done.

    A day activity (dagbesteding) is recorded as the day part it starts in, added to the day
    parts already recorded that day (apps.trajectories.presence)."""
    appointment = _locked(appointment)
    _still_planned(appointment, actor=actor)
    _taken_place(appointment)
    trajectory = appointment.trajectory
    _planning_access(actor=actor, trajectory=trajectory, domain=appointment.domain)
    if appointment.kind == ActivityKind.DAY_ACTIVITY:
        attended = _day_attendance(appointment)
        parts = set(attended.day_parts if attended else []) | {day_part_of(appointment.start_time)}
        attendance = day_parts_record(
            trajectory=trajectory, date=appointment.date, day_parts=parts, actor=actor
        )
        activity = Activity.objects.get(pk=attendance.activity_id)  # as corrected just now
    else:
        activity = activity_log(
            trajectory=trajectory,
            domain=appointment.domain,
            kind=appointment.kind,
            date=appointment.date,
            start_time=appointment.start_time,
            duration_minutes=appointment.duration_minutes,
            performed_by=appointment.worker,
            actor=actor,
        )
    appointment.status = AppointmentStatus.DONE
    appointment.activity = activity
    appointment._history_user = actor
    appointment.save(update_fields=["status", "activity"])
    access_log_write(
        actor=actor, event=AccessEvent.CHANGE, client=trajectory.client, obj=appointment
    )
    return activity


@transaction.atomic
def appointment_no_show(*, appointment: Appointment, actor: User) -> Appointment:
    """The client did not come: the appointment records the absence and no activity is
    logged, so nothing is billed (docs/agenda.md). For a day activity it means no day part
    was attended that day, so day parts already recorded as attended are refused."""
    appointment = _locked(appointment)
    _still_planned(appointment, actor=actor)
    _taken_place(appointment)
    _planning_access(actor=actor, trajectory=appointment.trajectory, domain=appointment.domain)
    if appointment.kind == ActivityKind.DAY_ACTIVITY:
        attended = _day_attendance(appointment)
        if attended is not None and attended.day_parts:
            raise ValidationError(
                _(
                    "Day parts are recorded as attended on %(day)s; a no-show means none was "
                    "attended. Correct the day parts first."
                )
                % {"day": date_format(appointment.date, "SHORT_DATE_FORMAT")}
            )
    appointment.status = AppointmentStatus.NO_SHOW
    appointment._history_user = actor
    appointment.save(update_fields=["status"])
    access_log_write(
        actor=actor,
        event=AccessEvent.CHANGE,
        client=appointment.trajectory.client,
        obj=appointment,
    )
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, actor: User) -> Appointment:
    """Call a planned appointment off (kept, cancelled, for the record)."""
    appointment = _locked(appointment)
    _still_planned(appointment, actor=actor)
    appointment.status = AppointmentStatus.CANCELLED
    appointment._history_user = actor
    appointment.save(update_fields=["status"])
    access_log_write(
        actor=actor,
        event=AccessEvent.DELETE,
        client=appointment.trajectory.client,
        obj=appointment,
    )
    return appointment


def appointments_cancel_after_closing(
    *, trajectory: Trajectory, end: date, actor: User | None
) -> int:
    """A closed trajectory has no appointments after its end: cancel the planned ones (in the
    closing's transaction; the receiver of ``trajectory_closed``)."""
    planned = list(
        Appointment.objects.select_for_update().filter(
            trajectory=trajectory, status=AppointmentStatus.PLANNED, date__gt=end
        )
    )
    for appointment in planned:
        appointment.status = AppointmentStatus.CANCELLED
        appointment._history_user = actor
        appointment.save(update_fields=["status"])
    if planned:
        access_log_write_many(
            actor=actor,
            event=AccessEvent.DELETE,
            changed=[(trajectory.client, appointment) for appointment in planned],
            basis=AccessBasis.CARE_TEAM,
        )
    return len(planned)


# --- the calendar feed ---------------------------------------------------------------------


@transaction.atomic
def calendar_feed_create(*, user: User, actor: User) -> tuple[CalendarFeed, str]:
    """A new feed for the user (any earlier one is revoked); returns it and its secret, which
    is never shown again."""
    if actor != user:
        raise PermissionRefused(_("People create their own calendar feed."))
    User.objects.select_for_update().get(pk=user.pk)
    calendar_feed_revoke(user=user, actor=actor)
    secret = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, secret_hash=secret_hash(secret))
    access_log_record(
        user=actor,
        event=AccessEvent.PERMISSION_CHANGE,
        basis=AccessBasis.ADMINISTRATION,
        obj=feed,
        detail="calendar feed created",
    )
    return feed, secret


@transaction.atomic
def calendar_feed_revoke(*, user: User, actor: User) -> int:
    """Revoke the user's feed at once; its URL answers 404 from now on."""
    if actor != user:
        raise PermissionRefused(_("People revoke their own calendar feed."))
    feeds = list(CalendarFeed.objects.active().select_for_update().filter(user=user))
    for feed in feeds:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        access_log_record(
            user=actor,
            event=AccessEvent.PERMISSION_CHANGE,
            basis=AccessBasis.ADMINISTRATION,
            obj=feed,
            detail="calendar feed revoked",
        )
    return len(feeds)


def calendar_feed_find(*, secret: str) -> CalendarFeed | None:
    """The active feed of an active user with this secret, or None."""
    if not secret or len(secret) > 100:
        return None
    return (
        CalendarFeed.objects.active()
        .select_related("user")
        .filter(secret_hash=secret_hash(secret), user__is_active=True)
        .first()
    )


def calendar_feed_read(*, feed: CalendarFeed, today: date | None = None) -> str:
    """The feed's calendar: the user's appointments from 30 days back to 90 days ahead, with
    clients the user is on the care team of now, showing times, the lane and the client's
    pseudonym only (never a name, a place, a note or a purpose). The read is logged: one
    entry listing the clients shown."""
    today = today or _today()
    user = feed.user
    appointments = list(
        Appointment.objects.filter(
            worker=user,
            date__gte=today - timedelta(days=FEED_DAYS_BACK),
            date__lte=today + timedelta(days=FEED_DAYS_AHEAD),
            trajectory_id__in=memberships_giving_access(user=user).values("trajectory_id"),
        )
        .select_related("trajectory__client")
        .order_by("date", "start_time", "pk")
    )
    with translation.override(settings.LANGUAGE_CODE):  # Dutch, as the site's default
        events = [_event(appointment) for appointment in appointments]
        name = _("Agenda")
    clients = {a.trajectory.client_id: a.trajectory.client.pseudonym for a in appointments}
    access_log_record(
        user=user,
        event=AccessEvent.VIEW,
        basis=AccessBasis.CARE_TEAM,
        obj=feed,
        detail=f"calendar feed: {len(clients)} clients",
        reason="; ".join(f"{pseudonym} (#{pk})" for pk, pseudonym in sorted(clients.items())),
    )
    return ical.calendar(events, name=name, stamp=timezone.now())


def _event(appointment: Appointment) -> ical.Event:
    start = timezone.make_aware(datetime.combine(appointment.date, appointment.start_time))
    return ical.Event(
        uid=f"appointment-{appointment.pk}@casemanager",
        start=start,
        end=start + timedelta(minutes=appointment.duration_minutes),
        summary=f"{Domain(appointment.domain).label} · {appointment.trajectory.client.pseudonym}",
        cancelled=appointment.status == AppointmentStatus.CANCELLED,
    )
