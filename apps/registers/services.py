"""Writes for registers: a group session for several clients, classes and their pupils, a
lesson for a class, and the report of unexcused absence.

A register is all or nothing: every participant's activity is logged through
``apps.trajectories.services.activity_log`` in one transaction; when any row is refused (a
client the worker may not log for in the lane, no open trajectory, a wrong duration) nothing is
saved and the refusal names the row. Funding is not a refusal: an activity no allocation covers
is saved and waits for funding, as everywhere.
"""

from dataclasses import dataclass, field
from datetime import date, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.audit.models import AccessEvent
from apps.audit.services import access_log_write
from apps.clients.models import Client
from apps.core.domains import DOMAIN_OF_KIND, ActivityKind, Attendance, Domain
from apps.trajectories.access import client_access_for
from apps.trajectories.selectors import trajectory_open_for_client
from apps.trajectories.services import MAX_DURATION_MINUTES, activity_log

from .models import AbsenceReport, ClassPupil, GroupSession, SchoolClass, SessionParticipant

SUBJECT_MAX_LENGTH = 100


@dataclass(frozen=True)
class ParticipantEntry:
    client: Client
    attendance: str = Attendance.PRESENT
    note: str = ""


@dataclass
class RegisterRefused(Exception):
    """The register was refused: errors of the session's fields and of rows (by index)."""

    session_errors: dict[str, list[str]] = field(default_factory=dict)
    row_errors: dict[int, list[str]] = field(default_factory=dict)

    @property
    def messages(self) -> list[str]:
        return [m for ms in self.session_errors.values() for m in ms] + [
            m for ms in self.row_errors.values() for m in ms
        ]


def may_log_in_lane(*, user: User, client: Client, lane: str) -> bool:
    """Whether the user may log for the client in the lane (apps.trajectories.access)."""
    access = client_access_for(user=user, client=client)
    return access is not None and access.may_log and lane in access.lanes


def _session_errors(
    *, domain: str, kind: str, day: date, duration_minutes: int | None, subject: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if DOMAIN_OF_KIND.get(kind) != domain:
        errors["kind"] = [
            _("%(kind)s is not an activity of the domain %(domain)s.")
            % {"kind": ActivityKind(kind).label, "domain": Domain(domain).label}
        ]
    if kind in (ActivityKind.RESIDENTIAL_STAY, ActivityKind.DAY_ACTIVITY):
        errors["kind"] = [_("Nights and day parts are recorded on the client's stays page.")]
    if duration_minutes is None or not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = [
            _("The duration must be between 1 and 1440 minutes (24 hours).")
        ]
    if day > timezone.localdate():
        errors["date"] = [
            _("The date lies in the future; log an activity once it has taken place.")
        ]
    if len(subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = [_("Write at most 100 characters.")]
    if domain == Domain.EDUCATION and not subject:
        errors["subject"] = [_("Name the subject of the lesson.")]
    return errors


@transaction.atomic
def group_session_register(
    *,
    domain: str,
    kind: str,
    date: date,
    duration_minutes: int | None,
    participants: list[ParticipantEntry],
    actor: User,
    start_time: time | None = None,
    subject: str = "",
    school_class: SchoolClass | None = None,
) -> GroupSession:
    """Register a group session: one activity per participant, each funded separately.

    Present participants get an activity of the kind; in the education lane an absent pupil
    gets one too, with the absence as its attendance (as for any lesson); absent clients of
    care or work get no activity, only their row. Raises ``RegisterRefused`` and saves nothing
    when the session or any row is refused.
    """
    subject = subject.strip()
    refusal = RegisterRefused(
        session_errors=_session_errors(
            domain=domain, kind=kind, day=date, duration_minutes=duration_minutes, subject=subject
        )
    )
    if not participants:
        refusal.session_errors.setdefault("__all__", []).append(_("Add at least one participant."))
    seen: set[int] = set()
    trajectories = {}
    for index, entry in enumerate(participants):
        row: list[str] = []
        if entry.client.pk in seen:
            row.append(_("This client is in the register twice."))
        seen.add(entry.client.pk)
        if entry.attendance not in Attendance.values:
            row.append(_("Choose present, excused or unexcused."))
        if not may_log_in_lane(user=actor, client=entry.client, lane=domain):
            row.append(_("You may not log activities for this client in this lane."))
        else:
            trajectory = trajectory_open_for_client(client=entry.client)
            if trajectory is None:
                row.append(_("This client has no open trajectory."))
            elif date < trajectory.start:
                row.append(
                    _("The date lies before the trajectory started (%(start)s).")
                    % {"start": trajectory.start.strftime("%d-%m-%Y")}
                )
            trajectories[index] = trajectory
        if row:
            refusal.row_errors[index] = row
    if refusal.session_errors or refusal.row_errors:
        raise refusal

    session = GroupSession(
        organisation_id=actor.organisation_id,
        domain=domain,
        kind=kind,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        subject=subject,
        led_by=actor,
        school_class=school_class,
    )
    session.full_clean()
    session._history_user = actor
    session.save()
    for index, entry in enumerate(participants):
        activity = None
        present = entry.attendance == Attendance.PRESENT
        if domain == Domain.EDUCATION or present:
            try:
                activity = activity_log(
                    trajectory=trajectories[index],
                    domain=domain,
                    kind=kind,
                    date=date,
                    start_time=start_time,
                    duration_minutes=duration_minutes,
                    note=entry.note,
                    attendance=entry.attendance if domain == Domain.EDUCATION else "",
                    subject=subject if domain == Domain.EDUCATION else "",
                    performed_by=actor,
                    actor=actor,
                )
            except ValidationError as error:
                refusal.row_errors[index] = list(error.messages)
                continue
        participant = SessionParticipant(
            session=session,
            client=entry.client,
            attendance=entry.attendance,
            note=entry.note.strip(),
            activity=activity,
        )
        participant.full_clean()
        participant._history_user = actor
        participant.save()
        access_log_write(
            actor=actor, event=AccessEvent.CREATE, client=entry.client, obj=participant
        )
    if refusal.row_errors:
        raise refusal  # leaving the transaction with it saves nothing
    return session


# --- classes -----------------------------------------------------------------------------


def _class_owner_only(school_class: SchoolClass, actor: User) -> None:
    if school_class.teacher_id != actor.pk:
        raise PermissionDenied("Only the class's teacher keeps its pupils and lessons.")


@transaction.atomic
def school_class_create(*, name: str, lesson_minutes: int, actor: User) -> SchoolClass:
    """A new class of the acting teacher."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the class a name.")})
    if not 1 <= lesson_minutes <= MAX_DURATION_MINUTES:
        raise ValidationError(
            {"lesson_minutes": _("The duration must be between 1 and 1440 minutes (24 hours).")}
        )
    if SchoolClass.objects.filter(teacher=actor, name=name).exists():
        raise ValidationError({"name": _("You already have a class of this name.")})
    school_class = SchoolClass(
        organisation_id=actor.organisation_id,
        name=name,
        teacher=actor,
        lesson_minutes=lesson_minutes,
    )
    school_class.full_clean()
    school_class._history_user = actor
    school_class.save()
    return school_class


@transaction.atomic
def class_pupil_add(*, school_class: SchoolClass, client: Client, actor: User) -> ClassPupil:
    """Add a pupil: a client the teacher may log for in the education lane."""
    _class_owner_only(school_class, actor)
    if not may_log_in_lane(user=actor, client=client, lane=Domain.EDUCATION):
        raise ValidationError(
            {"client": _("You may not log activities for this client in this lane.")}
        )
    if school_class.pupils.filter(client=client, removed_on__isnull=True).exists():
        raise ValidationError({"client": _("This pupil is already in the class.")})
    pupil = ClassPupil(school_class=school_class, client=client, added_on=timezone.localdate())
    pupil._history_user = actor
    pupil.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=client, obj=pupil)
    return pupil


@transaction.atomic
def class_pupil_remove(*, pupil: ClassPupil, actor: User) -> ClassPupil:
    """Remove a pupil from the class from today (the row stays, with its dates)."""
    pupil = ClassPupil.objects.select_for_update().select_related("school_class").get(pk=pupil.pk)
    _class_owner_only(pupil.school_class, actor)
    if pupil.removed_on is not None:
        raise ValidationError(_("This pupil has already left the class."))
    pupil.removed_on = timezone.localdate()
    pupil._history_user = actor
    pupil.save(update_fields=["removed_on"])
    access_log_write(actor=actor, event=AccessEvent.CHANGE, client=pupil.client, obj=pupil)
    return pupil


def class_lesson_register(
    *,
    school_class: SchoolClass,
    date: date,
    subject: str,
    duration_minutes: int | None,
    participants: list[ParticipantEntry],
    actor: User,
    start_time: time | None = None,
) -> GroupSession:
    """Register a lesson for the class: one lesson activity per pupil, with attendance."""
    _class_owner_only(school_class, actor)
    return group_session_register(
        domain=Domain.EDUCATION,
        kind=ActivityKind.LESSON,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        subject=subject,
        participants=participants,
        actor=actor,
        school_class=school_class,
    )


@transaction.atomic
def absence_report_record(
    *,
    client: Client,
    reported_on: date,
    absence_until: date,
    unexcused_minutes: int,
    actor: User,
    note: str = "",
    school_class: SchoolClass | None = None,
) -> AbsenceReport:
    """Record that the pupil's unexcused absence was reported to the leerplichtambtenaar."""
    if school_class is not None:
        _class_owner_only(school_class, actor)
    if not may_log_in_lane(user=actor, client=client, lane=Domain.EDUCATION):
        raise PermissionDenied("Only who may log lessons for the pupil records a report.")
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("The date lies in the future.")})
    report = AbsenceReport(
        client=client,
        school_class=school_class,
        reported_on=reported_on,
        reported_by=actor,
        absence_until=absence_until,
        unexcused_minutes=unexcused_minutes,
        note=note.strip(),
    )
    report.full_clean()
    report._history_user = actor
    report.save()
    access_log_write(actor=actor, event=AccessEvent.CREATE, client=client, obj=report)
    return report
