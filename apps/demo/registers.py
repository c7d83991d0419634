"""The registers of the demo: a class of the demo teacher with a few weeks of lessons (one pupil
nearing the 16 hours of unexcused absence that must be reported, Leerplichtwet 1969 art. 21a)
and a group session of the demo caseworker. Deterministic, through the registers' services."""

from datetime import date, timedelta

from apps.accounts.models import User
from apps.core.domains import ActivityKind, Attendance, Domain
from apps.registers.absence import monday_of
from apps.registers.selectors import clients_to_log_for
from apps.registers.services import (
    ParticipantEntry,
    class_lesson_register,
    class_pupil_add,
    group_session_register,
    school_class_create,
)
from apps.trajectories.selectors import trajectory_open_for_client

CLASS_NAME = "Entree 2B"
LESSON_MINUTES = 180
SCHOOL_WEEKS = 4
SUBJECTS = ("Nederlands", "Rekenen")


def _open_since(clients, day: date):
    """The clients whose open trajectory started on or before the day."""
    chosen = []
    for client in clients:
        trajectory = trajectory_open_for_client(client=client)
        if trajectory is not None and trajectory.start <= day:
            chosen.append(client)
    return chosen


def demo_registers_seed(*, users: dict[str, User], today: date) -> None:
    """A class with lessons on Tuesdays and Thursdays of the last four weeks, and a group."""
    teacher = users["docent"]
    first_week = monday_of(today) - timedelta(weeks=SCHOOL_WEEKS)
    pupils = _open_since(clients_to_log_for(user=teacher, lane=Domain.EDUCATION), first_week)[:6]
    if pupils:
        school_class = school_class_create(
            name=CLASS_NAME, lesson_minutes=LESSON_MINUTES, actor=teacher
        )
        for pupil in pupils:
            class_pupil_add(school_class=school_class, client=pupil, actor=teacher)
        # Four Tuesdays of 3 hours unexcused: 12 hours, with the demo's own lessons a little
        # more, short of the 16 hours that must be reported.
        nearing = pupils[0]
        excused = pupils[1] if len(pupils) > 1 else None
        for week in range(SCHOOL_WEEKS):
            monday = first_week + timedelta(weeks=week)
            for offset, subject in zip((1, 3), SUBJECTS, strict=True):
                day = monday + timedelta(days=offset)
                entries = []
                for pupil in pupils:
                    attendance = Attendance.PRESENT
                    if pupil == nearing and offset == 1:
                        attendance = Attendance.ABSENT_UNAUTHORISED
                    elif pupil == excused and offset == 3 and week == 1:
                        attendance = Attendance.ABSENT_AUTHORISED
                    note = "Ziek gemeld door moeder" if attendance == "absent_authorised" else ""
                    entries.append(ParticipantEntry(pupil, attendance, note))
                class_lesson_register(
                    school_class=school_class,
                    date=day,
                    subject=subject,
                    duration_minutes=LESSON_MINUTES,
                    participants=entries,
                    actor=teacher,
                )

    caseworker = users["behandelaar"]
    day = today - timedelta(days=2)
    group = _open_since(clients_to_log_for(user=caseworker, lane=Domain.CARE), day)[:4]
    if group:
        group_session_register(
            domain=Domain.CARE,
            kind=ActivityKind.GROUP_SESSION,
            date=day,
            start_time=None,
            duration_minutes=90,
            subject="Weerbaarheidstraining",
            participants=[ParticipantEntry(client, Attendance.PRESENT, "") for client in group[:-1]]
            + [ParticipantEntry(group[-1], Attendance.ABSENT_AUTHORISED, "Afgemeld: ziek")],
            actor=caseworker,
        )
