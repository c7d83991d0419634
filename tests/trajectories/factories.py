import datetime

import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import Role
from apps.clients.models import ConsentRecipient
from apps.trajectories.models import CareTeamMembership, Goal, TeamRole, Trajectory
from apps.trajectories.services import care_team_join
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory, consent_given


class TrajectoryFactory(DjangoModelFactory[Trajectory]):
    class Meta:
        model = Trajectory
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    start = datetime.date(2025, 1, 1)
    lead_caseworker = factory.SubFactory(
        UserFactory,
        organisation=factory.SelfAttribute("..client.organisation"),
        roles=[Role.CASEWORKER],
    )

    @factory.post_generation
    def lead_on_care_team(self, create, extracted, **kwargs):
        """The lead caseworker joins the care team, as trajectory_open does."""
        if create and extracted is not False:
            care_team_join(
                trajectory=self,
                user=self.lead_caseworker,
                role=TeamRole.CASEWORKER,
                start=self.start,
                actor=self.lead_caseworker,
            )

    @factory.post_generation
    def lane_consents(self, create, extracted, **kwargs):
        """The client consented, from the trajectory's start, to share with the school and with
        the employer or UWV: the teachers' and job coaches' lanes rest on it. Pass
        ``lane_consents=False`` for a client who did not."""
        if create and extracted is not False:
            for recipient in (ConsentRecipient.SCHOOL, ConsentRecipient.EMPLOYER):
                consent_given(self.client, recipient, given_on=self.start)


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
