import datetime

import pytest

from apps.accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.trajectories.factories import TrajectoryFactory


@pytest.fixture
def trajectory(db):
    """An open trajectory of a 15-year-old client that started on 1 January 2025."""
    client = ClientFactory(date_of_birth=datetime.date(2010, 5, 17))
    return TrajectoryFactory(client=client, start=datetime.date(2025, 1, 1))


@pytest.fixture
def caseworker(trajectory):
    return UserFactory(organisation=trajectory.client.organisation, roles=[Role.CASEWORKER])
