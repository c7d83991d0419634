"""The demo's registration and lifecycle (apps.intake): every demo trajectory in the phase its
client's status says, and one new registration still in intake, with a mother as legal
representative and a referral by the GP."""

from datetime import date, timedelta

from apps.accounts.models import Organisation, User
from apps.clients.models import (
    Client,
    ClientStatus,
    Municipality,
    ReferrerKind,
    RepresentativeRelation,
)
from apps.intake.services import (
    ReferralData,
    RepresentativeData,
    client_register,
    trajectory_phase_move,
)
from apps.trajectories.models import Trajectory, TrajectoryPhase, TrajectoryStatus

INTAKE_BSN = "111222333"  # passes the eleven-test; outside the range of the other demo BSNs
PHASE_OF_STATUS = {ClientStatus.ACTIVE: TrajectoryPhase.TREATMENT, ClientStatus.INTAKE: "intake"}


def demo_intake_seed(*, users: dict[str, User], organisation: Organisation, today: date):
    """Returns the new registration's trajectory (None when it exists already)."""
    # The demo's trajectories were opened by the seed before it knew phases: move each to the
    # phase of its client's status, on its start, by its lead caseworker.
    open_ones = Trajectory.objects.filter(
        status=TrajectoryStatus.OPEN, phase=TrajectoryPhase.REGISTRATION
    ).select_related("client", "lead_caseworker")
    for trajectory in open_ones.order_by("pk"):
        phase = PHASE_OF_STATUS.get(trajectory.client.status)
        if phase is not None:
            trajectory_phase_move(
                trajectory=trajectory,
                phase=TrajectoryPhase(phase),
                on=trajectory.start,
                actor=trajectory.lead_caseworker,
            )
    if Client.objects.filter(organisation=organisation, bsn=INTAKE_BSN).exists():
        return None
    caseworker = users["behandelaar"]
    start = today - timedelta(days=5)
    trajectory = client_register(
        organisation=organisation,
        actor=caseworker,
        given_name="Noor",
        family_name="Willems",
        pseudonym="Lisa",
        date_of_birth=date(today.year - 14, 2, 11),
        bsn=INTAKE_BSN,
        street_and_number="Biltstraat 120",
        postcode="3572 BK",
        place="Utrecht",
        municipality=Municipality.objects.get(cbs_code="0344"),
        lead_caseworker=caseworker,
        start=start,
        representatives=[
            RepresentativeData(
                name="Ingrid Willems",
                relation=RepresentativeRelation.PARENT,
                parental_authority=True,
                phone="06 12345678",
                email="ingrid.willems@example.invalid",
            )
        ],
        referral=ReferralData(
            kind=ReferrerKind.GENERAL_PRACTITIONER,
            referred_on=start - timedelta(days=9),
            name="Huisartsenpraktijk Wittevrouwen",
            agb_code="01054321",
        ),
    )
    return trajectory_phase_move(
        trajectory=trajectory,
        phase=TrajectoryPhase.INTAKE,
        on=today - timedelta(days=2),
        actor=caseworker,
    )
