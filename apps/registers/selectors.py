"""Reads for registers: whom a worker may choose, a class's pupils and their absence."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.clients.models import Client
from apps.core.domains import ActivityKind, Attendance, Domain
from apps.trajectories.access import caseload_access_for, client_list_for_user, sees_identity_of
from apps.trajectories.models import Activity, ActivityStatus

from .absence import AbsenceWindow, LessonRecord, absence_to_report, heaviest_window
from .absence import reporting_applies as _reporting_applies
from .models import AbsenceReport, ClassPupil, GroupSession, SchoolClass

# What counts as teaching time for absence: lessons and exams (not study guidance).
TEACHING_KINDS = (ActivityKind.LESSON, ActivityKind.EXAM)


def register_name(client: Client) -> str:
    """How a client shows in a register, a list of several clients: a shielded client by
    pseudonym only, whoever reads it."""
    return client.full_name if sees_identity_of(client, on_care_team=False) else client.pseudonym


def clients_to_log_for_by_lane(*, user: User) -> dict[str, list[Client]]:
    """Per lane, the clients on the user's care teams the user may log for in it, by name
    (every lane a key, the lists possibly empty); the caseload and its access read once."""
    clients = list(client_list_for_user(user=user))
    access = caseload_access_for(user=user, clients=clients)
    clients.sort(key=lambda client: (register_name(client).lower(), client.pk))
    return {
        lane: [
            client
            for client in clients
            if client.pk in access and access[client.pk].may_log and lane in access[client.pk].lanes
        ]
        for lane in Domain.values
    }


def clients_to_log_for(*, user: User, lane: str) -> list[Client]:
    """The clients on the user's care teams the user may log for in the lane, by name."""
    return clients_to_log_for_by_lane(user=user)[lane]


def sessions_led_by(*, user: User) -> QuerySet[GroupSession]:
    return GroupSession.objects.filter(
        led_by=user, organisation_id=user.organisation_id
    ).select_related("school_class")


def classes_of(*, user: User) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(teacher=user, organisation_id=user.organisation_id)


def current_pupils(*, school_class: SchoolClass) -> list[ClassPupil]:
    pupils = school_class.pupils.filter(removed_on__isnull=True).select_related("client")
    return sorted(pupils, key=lambda pupil: (register_name(pupil.client).lower(), pupil.pk))


@dataclass(frozen=True)
class AbsenceStatus:
    client: Client
    window: AbsenceWindow | None  # the heaviest run of four school weeks since the last report
    to_report: AbsenceWindow | None  # over 16 hours: to report to the leerplichtambtenaar
    last_report: AbsenceReport | None


def absence_status_for(*, clients: Iterable[Client], today) -> dict[int, AbsenceStatus]:
    """Per pupil: unexcused absence in four consecutive school weeks since the last report
    (Leerplichtwet 1969 art. 21a; apps.registers.absence), from every recorded lesson and exam
    of the pupil, not only this class's."""
    clients = list(clients)
    last_reports: dict[int, AbsenceReport] = {}
    for report in AbsenceReport.objects.filter(client__in=clients).order_by(
        "client_id", "-absence_until", "-pk"
    ):
        last_reports.setdefault(report.client_id, report)
    lessons: dict[int, list[LessonRecord]] = {client.pk: [] for client in clients}
    rows = Activity.objects.filter(
        trajectory__client__in=clients,
        domain=Domain.EDUCATION,
        kind__in=TEACHING_KINDS,
        status=ActivityStatus.RECORDED,
        duration_minutes__isnull=False,
    ).values_list("trajectory__client_id", "date", "duration_minutes", "attendance")
    for client_id, day, minutes, attendance in rows:
        report = last_reports.get(client_id)
        if report is not None and day <= report.absence_until:
            continue  # reported: counting starts anew after it
        lessons[client_id].append(
            LessonRecord(day, minutes, attendance == Attendance.ABSENT_UNAUTHORISED)
        )
    statuses = {}
    for client in clients:
        applies = _reporting_applies(date_of_birth=client.date_of_birth, on=today)
        records = lessons[client.pk]
        statuses[client.pk] = AbsenceStatus(
            client=client,
            window=heaviest_window(records),
            to_report=absence_to_report(records) if applies else None,
            last_report=last_reports.get(client.pk),
        )
    return statuses
