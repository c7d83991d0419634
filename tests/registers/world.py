"""A small world for the registers: a caseworker's group and a teacher's class."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from apps.accounts.models import Organisation, Role, User
from apps.clients.models import Client
from apps.funding.models import Frequency
from apps.trajectories.assignment import allocation_register
from apps.trajectories.models import TeamRole
from apps.trajectories.services import care_team_join
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.factories import ContractFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

NAMES = ["Anouk", "Bilal", "Chantal", "Daan", "Esra", "Finn"]


@dataclass
class World:
    organisation: Organisation
    caseworker: User
    teacher: User
    clients: list[Client]  # on the caseworker's and the teacher's care teams
    funded: list[Client]  # the first three, with an allocation for group sessions
    unfunded: Client  # the fourth: no allocation covers them
    shielded: Client  # the fifth
    stranger: Client  # same organisation, another team


def build_world(*, pupils: int = 6, funded: int = 3) -> World:
    today = timezone.localdate()
    start = today - datetime.timedelta(days=120)
    organisation = OrganisationFactory()
    caseworker = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    teacher = UserFactory(organisation=organisation, roles=[Role.TEACHER])
    product = ProductFactory(
        contract=ContractFactory(organisation=organisation, stream=stream("jeugdwet")),
        description="Groepsbehandeling",
    )
    clients = []
    for index in range(pupils):
        client = ClientFactory(
            organisation=organisation,
            given_name=NAMES[index],
            family_name=f"Q{NAMES[index].lower()}achternaam",
            date_of_birth=today - datetime.timedelta(days=15 * 365),
            shielded=index == 4,
        )
        trajectory = TrajectoryFactory(client=client, start=start, lead_caseworker=caseworker)
        care_team_join(
            trajectory=trajectory,
            user=teacher,
            role=TeamRole.TEACHER,
            start=start,
            actor=caseworker,
        )
        if index < funded:
            allocation_register(
                client=client,
                product=product,
                number=f"GRP-{index:03d}",
                volume=6000,
                frequency=Frequency.TOTAL,
                start=start,
                end=today + datetime.timedelta(days=200),
                actor=caseworker,
            )
        clients.append(client)
    stranger = ClientFactory(organisation=organisation, given_name="Zvreemd")
    TrajectoryFactory(client=stranger, start=start)
    return World(
        organisation=organisation,
        caseworker=caseworker,
        teacher=teacher,
        clients=clients,
        funded=clients[:funded],
        unfunded=clients[funded] if pupils > funded else None,
        shielded=clients[4] if pupils > 4 else None,
        stranger=stranger,
    )
