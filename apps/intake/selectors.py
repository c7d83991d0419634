"""Reads for the registration and lifecycle pages."""

from django.db.models import Exists, OuterRef, QuerySet

from apps.accounts.models import User
from apps.clients.models import Client, LegalRepresentative, Referral
from apps.trajectories.models import (
    CareTeamMembership,
    TeamRole,
    Trajectory,
    TrajectoryPhaseChange,
    TrajectoryStatus,
)


def representatives_for_client(*, client: Client) -> list[LegalRepresentative]:
    return list(client.representatives.order_by("pk"))


def referral_for_client(*, client: Client) -> Referral | None:
    return client.referrals.order_by("-referred_on", "-pk").first()


def phase_steps_for_client(*, client: Client) -> QuerySet[TrajectoryPhaseChange]:
    """Every step of every trajectory of the client, oldest first, with who took it."""
    return (
        TrajectoryPhaseChange.objects.filter(trajectory__client=client)
        .select_related("by", "trajectory")
        .order_by("trajectory__start", "trajectory_id", "recorded_at", "pk")
    )


def closed_trajectories_for_user(*, user: User) -> QuerySet[Trajectory]:
    """Closed trajectories on whose team the user was a caseworker, of clients without an open
    trajectory: the ones the user may reopen or start anew (apps.intake.services.may_resume)."""
    was_caseworker = CareTeamMembership.objects.filter(
        trajectory=OuterRef("pk"), user=user, role=TeamRole.CASEWORKER
    )
    open_one = Trajectory.objects.filter(client=OuterRef("client"), status=TrajectoryStatus.OPEN)
    return (
        Trajectory.objects.filter(
            status=TrajectoryStatus.CLOSED, client__organisation_id=user.organisation_id
        )
        .filter(Exists(was_caseworker))
        .exclude(Exists(open_one))
        .select_related("client")
        .order_by("-end", "pk")
    )
