import datetime

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.trajectories.services import care_team_join, goal_add
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.trajectories.factories import TrajectoryFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def trajectory(db, today):
    """An open trajectory of a 15-year-old, started 100 days ago, with a caseworker (the lead),
    a teacher and a job coach on the care team."""
    client = ClientFactory(
        date_of_birth=today.replace(year=today.year - 15) - datetime.timedelta(days=30)
    )
    trajectory = TrajectoryFactory(client=client, start=today - datetime.timedelta(days=100))
    organisation = client.organisation
    for role in ("teacher", "job_coach"):
        user = UserFactory(organisation=organisation, roles=[Role(role)])
        care_team_join(
            trajectory=trajectory, user=user, role=role, start=trajectory.start,
            actor=trajectory.lead_caseworker,
        )  # fmt: skip
        setattr(trajectory, role, user)
    return trajectory


@pytest.fixture
def lead(trajectory):
    return trajectory.lead_caseworker


@pytest.fixture
def manager(trajectory):
    return UserFactory(organisation=trajectory.client.organisation, roles=[Role.MANAGER])


@pytest.fixture
def goals(trajectory, lead):
    return {
        lane: goal_add(
            trajectory=trajectory, domain=lane, description=f"GOAL{lane.upper()} tekst", actor=lead
        )
        for lane in ("care", "education", "work")
    }


@pytest.fixture(autouse=True)
def _english(client, settings):
    """The pages in English (the language switch's cookie), so the tests read the texts as
    written; the browser test reads them in Dutch."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
