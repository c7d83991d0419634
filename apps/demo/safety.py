"""The demo's safety notice and corrected activity (docs/corrections.md).

A safety notice on the first demo client (by client number) with a teacher on its care team,
set by its lead caseworker, so that the teacher ("docent") sees it at the top of the client
page; and one of that client's treatment sessions corrected with a reason, so that the
activity's page shows both versions and why.
"""

from datetime import date, timedelta

from apps.accounts.models import User
from apps.core.domains import ActivityKind
from apps.safety.services import safety_notice_set
from apps.trajectories.access import current_memberships
from apps.trajectories.models import (
    Activity,
    ActivityStatus,
    CareTeamMembership,
    TeamRole,
    TrajectoryStatus,
)
from apps.trajectories.services import activity_correct

NOTICE = (
    "Deel nooit waar zij woont of op school is, ook niet met familie of een 'vriend' die belt. "
    "Vraagt iemand naar haar of wacht iemand bij de school: bel direct de behandelaar "
    "(of buiten kantoortijd de crisisdienst) en laat haar niet alleen vertrekken."
)
CORRECTION_REASON = "Sessie liep 15 minuten uit; duur gelijk aan de agenda."


def demo_safety_seed(*, users: dict[str, User], today: date) -> CareTeamMembership | None:
    """Set the notice and correct the session; returns the teacher's membership it is for."""
    membership = (
        CareTeamMembership.objects.filter(
            current_memberships(),
            user=users["docent"],
            role=TeamRole.TEACHER,
            trajectory__status=TrajectoryStatus.OPEN,
            trajectory__client__shielded=False,
        )
        .select_related("trajectory__client", "trajectory__lead_caseworker")
        .order_by("trajectory__client__client_number")
        .first()
    )
    if membership is None:
        return None
    trajectory = membership.trajectory
    lead = trajectory.lead_caseworker
    safety_notice_set(
        client=trajectory.client,
        text=NOTICE,
        start=today - timedelta(days=21),
        actor=lead,
    )
    session = (
        Activity.objects.filter(
            trajectory=trajectory,
            kind=ActivityKind.TREATMENT_SESSION,
            status=ActivityStatus.RECORDED,
            performed_by=lead,
            duration_minutes__lte=60,
        )
        .order_by("-date", "-pk")
        .first()
    )
    if session is not None:
        activity_correct(
            activity=session,
            actor=lead,
            duration_minutes=session.duration_minutes + 15,
            reason=CORRECTION_REASON,
        )
    return membership
