"""The demo's safety notice and corrected activity (docs/corrections.md).

A safety notice on the first demo client (by client number) with a teacher on its care team
and a treatment session by its lead caseworker, set by that caseworker, so that the teacher
("docent") sees it at the top of the client page; and that session corrected with a reason, so
that the activity's page shows both versions and why. (A client just registered in intake has
a teacher on its team but no sessions yet: it is passed over.)
"""

from datetime import date, timedelta

from django.db.models import Exists, OuterRef

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
    sessions = Activity.objects.filter(
        kind=ActivityKind.TREATMENT_SESSION,
        status=ActivityStatus.RECORDED,
        duration_minutes__lte=60,
    )
    membership = (
        CareTeamMembership.objects.filter(
            current_memberships(),
            Exists(
                sessions.filter(
                    trajectory=OuterRef("trajectory"),
                    performed_by=OuterRef("trajectory__lead_caseworker"),
                )
            ),
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
        sessions.filter(trajectory=trajectory, performed_by=lead).order_by("-date", "-pk").first()
    )
    if session is not None:
        activity_correct(
            activity=session,
            actor=lead,
            duration_minutes=session.duration_minutes + 15,
            reason=CORRECTION_REASON,
        )
    return membership
