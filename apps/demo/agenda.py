"""The demo's agenda: a week of appointments around the demo's "today" for the caseworker,
the teacher and the job coach (docs/agenda.md). Past ones are confirmed as activities, one is
a no-show, the rest are planned; all through the agenda's services."""

from datetime import date, time, timedelta

from django.utils import timezone

from apps.accounts.models import User
from apps.agenda.models import Appointment
from apps.agenda.services import (
    appointment_confirm,
    appointment_no_show,
    appointment_plan,
    default_kind,
)
from apps.core.domains import ActivityKind, Domain
from apps.trajectories.access import memberships_giving_access
from apps.trajectories.models import TeamRole, Trajectory, TrajectoryStatus

# (username, their role on the care team, the lane they plan in, purposes in turn)
WORKERS = [
    (
        "behandelaar",
        TeamRole.CASEWORKER,
        Domain.CARE,
        ["Traumabehandeling, sessie", "Veiligheidsplan bijwerken", "Gesprek met ouders"],
    ),
    (
        "docent",
        TeamRole.TEACHER,
        Domain.EDUCATION,
        ["Huiswerkbegeleiding", "Toets voorbereiden", "Voortgang bespreken"],
    ),
    (
        "jobcoach",
        TeamRole.JOB_COACH,
        Domain.WORK,
        ["Sollicitatie oefenen", "Bezoek stageplek", "Werkafspraken evalueren"],
    ),
]
DAYS = range(-3, 5)  # three days back to four ahead
TIMES = [time(9, 0), time(10, 30), time(13, 30), time(15, 0)]
# Presence follows from day parts and stays, not from a planned hour.
NOT_IN_DEMO = {ActivityKind.DAY_ACTIVITY, ActivityKind.RESIDENTIAL_STAY}
FALLBACK = {
    Domain.CARE: ActivityKind.TREATMENT_SESSION,
    Domain.EDUCATION: ActivityKind.STUDY_GUIDANCE,
    Domain.WORK: ActivityKind.JOB_COACHING,
}


def _trajectories(user: User, role: str, today: date) -> list[Trajectory]:
    return list(
        Trajectory.objects.filter(
            status=TrajectoryStatus.OPEN,
            start__lte=today + timedelta(days=min(DAYS)),
            pk__in=memberships_giving_access(user=user).filter(role=role).values("trajectory"),
        )
        .select_related("client")
        .order_by("client__client_number")[:3]
    )


def demo_agenda_seed(*, users: dict[str, User], today: date | None = None) -> int:
    """Plan the week; returns the number of appointments. Idempotent: a worker who has
    appointments already gets none added."""
    today = min(today or timezone.localdate(), timezone.localdate())
    made = 0
    no_show_done = False
    for username, role, lane, purposes in WORKERS:
        user = users.get(username)
        if user is None or Appointment.objects.filter(worker=user).exists():
            continue
        trajectories = _trajectories(user, role, today)
        if not trajectories:
            continue
        for index, offset in enumerate(DAYS):
            trajectory = trajectories[index % len(trajectories)]
            kind = default_kind(trajectory=trajectory, domain=lane)
            appointment = appointment_plan(
                trajectory=trajectory,
                domain=lane,
                kind=FALLBACK[lane] if kind in NOT_IN_DEMO else kind,
                date=today + timedelta(days=offset),
                start_time=TIMES[index % len(TIMES)],
                duration_minutes=45 if lane == Domain.CARE else 60,
                purpose=purposes[index % len(purposes)],
                place="Locatie Oost" if index % 2 else "",
                actor=user,
            )
            made += 1
            if offset < 0:
                if not no_show_done and offset == -1:
                    appointment_no_show(appointment=appointment, actor=user)
                    no_show_done = True
                else:
                    appointment_confirm(appointment=appointment, actor=user)
    return made
