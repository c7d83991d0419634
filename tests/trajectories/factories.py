import datetime

import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import Role
from apps.trajectories.models import CareTeamMembership, Goal, TeamRole, Trajectory
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory


class TrajectoryFactory(DjangoModelFactory[Trajectory]):
    class Meta:
        model = Trajectory

    client = factory.SubFactory(ClientFactory)
    start = datetime.date(2025, 1, 1)
    lead_caseworker = factory.SubFactory(
        UserFactory,
        organisation=factory.SelfAttribute("..client.organisation"),
        roles=[Role.CASEWORKER],
    )


class GoalFactory(DjangoModelFactory[Goal]):
    class Meta:
        model = Goal

    trajectory = factory.SubFactory(TrajectoryFactory)
    domain = "care"
    description = "Veilig kunnen praten over wat er gebeurd is"


class CareTeamMembershipFactory(DjangoModelFactory[CareTeamMembership]):
    class Meta:
        model = CareTeamMembership

    trajectory = factory.SubFactory(TrajectoryFactory)
    user = factory.SubFactory(
        UserFactory, organisation=factory.SelfAttribute("..trajectory.client.organisation")
    )
    role = TeamRole.CASEWORKER
    start = factory.SelfAttribute("trajectory.start")
