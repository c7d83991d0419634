"""Writes for presence: residential stays (admission, discharge, leave) and day parts attended.

A stay is registered once, by its dates; its nights follow from them. A night counts on the
date it starts: the day of admission is a night, the day of discharge is not (NZa, the
"verblijfsdag" of the GGZ: the day of admission and the following night are one day, the day
of discharge is none; docs/funding.md "Stays and day parts"). Every night is one activity of
kind ``residential_stay`` (care, one unit), logged and assigned by the ordinary services
(``activity_log``), so allocations, reports and declarations count whole nights. Nights exist
up to today, never ahead: ``stays_extend`` (a nightly task) adds the nights of open stays
as the days come, and every change of a stay's dates or leave brings exactly the affected
nights in line (created, cancelled with history, or their attendance corrected).

Day parts: one ``day_activity`` activity per client and day, one unit per day part attended
(morning, afternoon, evening), corrected when the day parts ticked change.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.audit.models import AccessEvent
from apps.audit.services import access_log_write
from apps.core.domains import ActivityKind, Attendance, Domain

from .models import (
    ActivityStatus,
    DayAttendance,
    DayPart,
    Stay,
    StayLeave,
    Trajectory,
    TrajectoryStatus,
)
from .services import activity_cancel, activity_correct, activity_log


def _today() -> date:
    return timezone.localdate()


def _day(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# --- stays -------------------------------------------------------------------------------


def _nights_until(stay: Stay, today: date) -> date:
    """The first date that is not a night of the stay (yet): its discharge, or tomorrow."""
    tomorrow = today + timedelta(days=1)
    if stay.discharged_on is None:
        return tomorrow
    return min(stay.discharged_on, tomorrow)


def stay_nights_planned(stay: Stay, *, today: date | None = None) -> dict[date, str]:
    """Each night of the stay up to today, with its attendance (present, or authorised
    absence on leave)."""
    today = today or _today()
    away: set[date] = set()
    for leave in stay.leaves.filter(cancelled=False):
        away.update(leave.leaves_on + timedelta(days=n) for n in range(leave.nights))
    nights: dict[date, str] = {}
    night = stay.admitted_on
    until = _nights_until(stay, today)
    while night < until:
        nights[night] = Attendance.ABSENT_AUTHORISED if night in away else Attendance.PRESENT
        night += timedelta(days=1)
    return nights


def _nights_sync(*, stay: Stay, actor: User | None) -> dict[str, int]:
    """Bring the stay's night activities in line with its dates and leave, oldest first:
    nights no longer in the stay are cancelled (history kept), new ones logged, changed ones
    corrected. Returns what it did, by count."""
    planned = stay_nights_planned(stay)
    recorded = {
        night.date: night
        for night in stay.nights.filter(status=ActivityStatus.RECORDED).order_by("date", "pk")
    }
    done = {"created": 0, "cancelled": 0, "corrected": 0}
    for day in sorted(set(recorded) - set(planned)):
        activity_cancel(activity=recorded[day], actor=actor, presence=True)
        done["cancelled"] += 1
    for day, attendance in sorted(planned.items()):
        night = recorded.get(day)
        if night is None:
            activity_log(
                trajectory=stay.trajectory,
                domain=Domain.CARE,
                kind=ActivityKind.RESIDENTIAL_STAY,
                date=day,
                units=1,
                attendance=attendance,
                performed_by=stay.registered_by,
                actor=actor,
                stay=stay,
            )
            done["created"] += 1
        elif night.attendance != attendance:
            activity_correct(activity=night, actor=actor, presence=True, attendance=attendance)
            done["corrected"] += 1
    return done


def _validate_stay(stay: Stay, *, today: date) -> None:
    """The rules for a stay's dates, with messages the caseworker can act on."""
    errors: dict[str, list[str]] = {}
    trajectory = stay.trajectory
    if trajectory.status != TrajectoryStatus.OPEN:
        errors.setdefault("__all__", []).append(
            _("A stay can only be registered on an open trajectory.")
        )
    if stay.admitted_on > today:
        errors.setdefault("admitted_on", []).append(
            _("The admission date lies in the future; register the stay once it has begun.")
        )
    if stay.admitted_on < trajectory.start:
        errors.setdefault("admitted_on", []).append(
            _("The admission date lies before the trajectory started (%(start)s).")
            % {"start": _day(trajectory.start)}
        )
    if stay.discharged_on is not None:
        if stay.discharged_on < stay.admitted_on:
            errors.setdefault("discharged_on", []).append(
                _("The discharge date lies before the admission (%(admitted)s).")
                % {"admitted": _day(stay.admitted_on)}
            )
        elif stay.discharged_on > today:
            errors.setdefault("discharged_on", []).append(
                _("The discharge date lies in the future; record the discharge once it happens.")
            )
    if errors:
        raise ValidationError(errors)
    # Nights [admitted_on, discharged_on) of two stays never overlap; a discharge on the day
    # of the next admission (a transfer) does not.
    others = Stay.objects.filter(trajectory__client_id=trajectory.client_id).exclude(pk=stay.pk)
    for other in others:
        other_end = other.discharged_on or date.max
        end = stay.discharged_on or date.max
        if other.admitted_on < end and stay.admitted_on < other_end:
            raise ValidationError(
                _("This stay overlaps the stay of %(stay)s: a client stays in one place a night.")
                % {"stay": other}
            )
    leaves = stay.leaves.filter(cancelled=False) if stay.pk else StayLeave.objects.none()
    for leave in leaves:
        if leave.leaves_on < stay.admitted_on or (
            stay.discharged_on is not None and leave.returns_on > stay.discharged_on
        ):
            raise ValidationError(
                _("The leave of %(leave)s lies outside these dates; cancel it first.")
                % {"leave": leave}
            )


@transaction.atomic
def stay_admit(
    *,
    trajectory: Trajectory,
    admitted_on: date,
    actor: User,
    discharged_on: date | None = None,
) -> Stay:
    """Admit the client to a residential stay; its nights up to today are logged and assigned."""
    trajectory = (
        Trajectory.objects.select_for_update().select_related("client").get(pk=trajectory.pk)
    )  # one stay at a time per trajectory: two admissions wait for each other
    if actor.organisation_id != trajectory.client.organisation_id:
        raise ValidationError(_("Only a colleague of the client's organisation admits a client."))
    stay = Stay(
        trajectory=trajectory,
        admitted_on=admitted_on,
        discharged_on=discharged_on,
        registered_by=actor,
    )
    _validate_stay(stay, today=_today())
    stay.full_clean(validate_constraints=False)
    stay._history_user = actor
    stay.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=trajectory.client, obj=stay)
    _nights_sync(stay=stay, actor=actor)
    return stay


STAY_CHANGEABLE_FIELDS = frozenset({"admitted_on", "discharged_on"})


@transaction.atomic
def stay_change(*, stay: Stay, actor: User, **changes) -> Stay:
    """Correct a stay's admission or discharge date; exactly the nights that change follow."""
    unknown = set(changes) - STAY_CHANGEABLE_FIELDS
    if unknown:
        raise TypeError(f"stay_change cannot change {sorted(unknown)}")
    Trajectory.objects.select_for_update().get(pk=stay.trajectory_id)
    stay = Stay.objects.select_related("trajectory__client").get(pk=stay.pk)
    for field, value in changes.items():
        setattr(stay, field, value)
    _validate_stay(stay, today=_today())
    stay._history_user = actor
    stay.save(update_fields=sorted(changes))
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=stay.trajectory.client, obj=stay)
    _nights_sync(stay=stay, actor=actor)
    return stay


def stay_discharge(*, stay: Stay, discharged_on: date, actor: User) -> Stay:
    """Discharge the client: the day of discharge is no night; later nights are cancelled."""
    if stay.discharged_on is not None:
        raise ValidationError(
            _("This stay has already ended on %(day)s.") % {"day": _day(stay.discharged_on)}
        )
    return stay_change(stay=stay, discharged_on=discharged_on, actor=actor)


@transaction.atomic
def stay_leave_record(
    *, stay: Stay, leaves_on: date, returns_on: date, actor: User, note: str = ""
) -> StayLeave:
    """Record leave within a stay (the nights from ``leaves_on`` to the night before
    ``returns_on``); those nights become authorised absence, paid as the contract says."""
    Trajectory.objects.select_for_update().get(pk=stay.trajectory_id)
    stay = Stay.objects.select_related("trajectory__client").get(pk=stay.pk)
    errors: dict[str, list[str]] = {}
    if returns_on <= leaves_on:
        errors.setdefault("returns_on", []).append(
            _("The day of return lies after the day the client leaves.")
        )
    if leaves_on > _today():
        errors.setdefault("leaves_on", []).append(
            _("The leave starts in the future; record it once the client has left.")
        )
    if leaves_on < stay.admitted_on:
        errors.setdefault("leaves_on", []).append(
            _("The leave starts before the admission (%(admitted)s).")
            % {"admitted": _day(stay.admitted_on)}
        )
    if stay.discharged_on is not None and returns_on > stay.discharged_on:
        errors.setdefault("returns_on", []).append(
            _("The leave ends after the discharge (%(discharged)s).")
            % {"discharged": _day(stay.discharged_on)}
        )
    if errors:
        raise ValidationError(errors)
    overlapping = stay.leaves.filter(
        cancelled=False, leaves_on__lt=returns_on, returns_on__gt=leaves_on
    ).first()
    if overlapping is not None:
        raise ValidationError(
            _("This leave overlaps the leave of %(leave)s.") % {"leave": overlapping}
        )
    leave = StayLeave(stay=stay, leaves_on=leaves_on, returns_on=returns_on, note=note.strip())
    leave.full_clean(validate_constraints=False)
    leave._history_user = actor
    leave.save()
    access_log_write(
        actor=actor, event=AccessEvent.CREATE, client=stay.trajectory.client, obj=leave
    )
    _nights_sync(stay=stay, actor=actor)
    return leave


@transaction.atomic
def stay_leave_cancel(*, leave: StayLeave, actor: User) -> StayLeave:
    """Cancel leave recorded by mistake: its nights are present again."""
    leave = StayLeave.objects.select_related("stay__trajectory__client").get(pk=leave.pk)
    Trajectory.objects.select_for_update().get(pk=leave.stay.trajectory_id)
    if leave.cancelled:
        raise ValidationError(_("This leave is already cancelled."))
    leave.cancelled = True
    leave._history_user = actor
    leave.save(update_fields=["cancelled"])
    access_log_write(
        actor=actor, event=AccessEvent.DELETE, client=leave.stay.trajectory.client, obj=leave
    )
    _nights_sync(stay=leave.stay, actor=actor)
    return leave


def stays_extend(*, today: date | None = None) -> dict[str, int]:
    """Add the nights that have begun to every open stay of an open trajectory (nightly).

    Each stay in its own transaction, so one that cannot be extended (a rule refuses it) does
    not hold up the others; it is counted as failed and tried again the next night.
    """
    counts = {"stays": 0, "nights": 0, "failed": 0}
    stays = Stay.objects.open().filter(trajectory__status=TrajectoryStatus.OPEN).order_by("pk")
    for stay_id in stays.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                Trajectory.objects.select_for_update().filter(stays__pk=stay_id).first()
                stay = Stay.objects.select_related("trajectory__client").get(pk=stay_id)
                done = _nights_sync(stay=stay, actor=None)
        except ValidationError:
            counts["failed"] += 1
            continue
        counts["stays"] += 1
        counts["nights"] += done["created"]
    return counts


# --- day parts ---------------------------------------------------------------------------


def _day_parts_clean(day_parts) -> list[str]:
    unknown = set(day_parts) - set(DayPart.values)
    if unknown:
        raise ValidationError({"day_parts": _("Choose from morning, afternoon and evening.")})
    return [part for part in DayPart.values if part in set(day_parts)]


@transaction.atomic
def day_parts_record(
    *, trajectory: Trajectory, date: date, day_parts, actor: User
) -> DayAttendance | None:
    """Record the day parts a client attended a day activity on one day: one activity of kind
    day_activity whose units are the day parts (3 day parts = 3 units). Ticking none cancels
    the day's activity. Returns the day's attendance (None when nothing was, or is, recorded).
    """
    parts = _day_parts_clean(day_parts)
    trajectory = (
        Trajectory.objects.select_for_update().select_related("client").get(pk=trajectory.pk)
    )
    attendance = (
        DayAttendance.objects.select_related("activity").filter(trajectory=trajectory, date=date)
    ).first()
    if attendance is None and not parts:
        return None
    if attendance is not None and attendance.day_parts == parts:
        return attendance
    activity = attendance.activity if attendance is not None else None
    recorded = activity is not None and activity.status == ActivityStatus.RECORDED
    if not parts:
        if recorded:
            activity_cancel(activity=activity, actor=actor, presence=True)
    elif recorded:
        activity_correct(activity=activity, actor=actor, presence=True, units=len(parts))
    else:
        activity = activity_log(
            trajectory=trajectory,
            domain=Domain.CARE,
            kind=ActivityKind.DAY_ACTIVITY,
            date=date,
            units=len(parts),
            attendance=Attendance.PRESENT,
            performed_by=actor,
            actor=actor,
        )
    if attendance is None:
        attendance = DayAttendance(trajectory=trajectory, date=date)
        event = AccessEvent.CREATE
    else:
        event = AccessEvent.CHANGE
    attendance.day_parts = parts
    attendance.activity = activity
    attendance._history_user = actor
    attendance.save()
    access_log_write(actor=actor, event=event, client=trajectory.client, obj=attendance)
    return attendance
