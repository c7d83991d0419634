"""A small organisation for the day page's tests: a caseworker, a teacher, a manager, a privacy
officer and an administrator, and ``size`` clients on the caseworker's and the teacher's care
teams, each with a treatment session waiting for funding (logged by the caseworker), a lesson
without a duration (logged by the teacher), an open funding alert, an appointment with the
caseworker today and no treatment plan (due: the trajectories started in 2025). A second
organisation with a client of its own, which nobody here may ever see."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from apps.accounts.models import Organisation, Role, User
from apps.agenda.services import appointment_plan
from apps.clients.models import Client
from apps.core.domains import ActivityKind, Domain
from apps.funding.models import AlertKind, FundingAlert
from apps.trajectories.models import TeamRole
from apps.trajectories.services import activity_log, care_team_join
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory
from tests.trajectories.factories import TrajectoryFactory

NOTE = "Qvertrouwelijke-notitie"


@dataclass
class World:
    organisation: Organisation
    caseworker: User
    teacher: User
    manager: User
    privacy_officer: User
    administrator: User
    clients: list[Client]
    foreign: Client


def alert_for(client: Client, *, today: datetime.date) -> FundingAlert:
    return FundingAlert.objects.create(
        kind=AlertKind.UNFUNDED_WAITING,
        key=f"unfunded_waiting:{client.pk}",
        client=client,
        details={"count": 1, "oldest": (today - datetime.timedelta(days=20)).isoformat()},
        raised_on=today,
    )


def build_world(size: int, *, shielded: int = 0) -> World:
    today = timezone.localdate()
    organisation = OrganisationFactory()
    users = {
        role: UserFactory(organisation=organisation, roles=[role])
        for role in (
            Role.CASEWORKER,
            Role.TEACHER,
            Role.MANAGER,
            Role.PRIVACY_OFFICER,
            Role.ADMINISTRATOR,
        )
    }
    users[Role.ADMINISTRATOR].is_staff = True
    users[Role.ADMINISTRATOR].save()
    caseworker, teacher = users[Role.CASEWORKER], users[Role.TEACHER]
    clients = []
    for n in range(size):
        client = ClientFactory(organisation=organisation, shielded=n < shielded)
        trajectory = TrajectoryFactory(
            client=client, lead_caseworker=caseworker, start=datetime.date(2025, 1, 1)
        )
        care_team_join(
            trajectory=trajectory,
            user=teacher,
            role=TeamRole.TEACHER,
            start=datetime.date(2025, 1, 1),
            actor=caseworker,
        )
        activity_log(
            trajectory=trajectory,
            domain=Domain.CARE,
            kind=ActivityKind.TREATMENT_SESSION,
            date=today - datetime.timedelta(days=20),
            performed_by=caseworker,
            actor=caseworker,
            duration_minutes=60,
            note=NOTE,
        )
        activity_log(
            trajectory=trajectory,
            domain=Domain.EDUCATION,
            kind=ActivityKind.LESSON,
            date=today - datetime.timedelta(days=20),
            performed_by=teacher,
            actor=teacher,
            units=1,
        )
        appointment_plan(
            trajectory=trajectory,
            domain=Domain.CARE,
            kind=ActivityKind.TREATMENT_SESSION,
            date=today,
            start_time=datetime.time(9 + n % 8, 0),
            duration_minutes=45,
            purpose="Gesprek over school",
            actor=caseworker,
        )
        alert_for(client, today=today)
        clients.append(client)
    foreign = ClientFactory(given_name="Qdirk", family_name="Qbuitenland", pseudonym="Buiten-1")
    TrajectoryFactory(client=foreign)
    return World(
        organisation=organisation,
        caseworker=caseworker,
        teacher=teacher,
        manager=users[Role.MANAGER],
        privacy_officer=users[Role.PRIVACY_OFFICER],
        administrator=users[Role.ADMINISTRATOR],
        clients=clients,
        foreign=foreign,
    )
