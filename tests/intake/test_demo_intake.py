"""The demo's registration (apps/demo/intake.py): one client still in intake with a parent
and a GP referral; every demo trajectory in the phase its client's status says."""

import pytest

from apps.clients.models import Client, ClientStatus
from apps.clients.representation import DecisionRule, decision_makers
from apps.demo.intake import INTAKE_BSN
from apps.intake.services import CLIENT_STATUS_OF_PHASE
from apps.trajectories.models import Trajectory, TrajectoryPhase

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _seeded(seeded_demo):
    return seeded_demo


def test_the_new_registration_is_in_intake_with_a_parent_and_a_gp_referral():
    client = Client.objects.get(bsn=INTAKE_BSN)
    trajectory = Trajectory.objects.get(client=client)
    assert (trajectory.phase, client.status) == (TrajectoryPhase.INTAKE, ClientStatus.INTAKE)
    assert [step.phase for step in trajectory.phase_changes.all()] == ["registration", "intake"]
    assert all(step.by.username == "behandelaar" for step in trajectory.phase_changes.all())
    parent = client.representatives.get()
    assert (parent.relation, parent.parental_authority) == ("parent", True)
    assert client.referrals.get().kind == "02"
    assert decision_makers(client, on=trajectory.start).rule == DecisionRule.BOTH
    assert client.history.first().history_user.username == "behandelaar"


def test_every_demo_trajectory_is_in_the_phase_of_its_clients_status():
    for trajectory in Trajectory.objects.select_related("client"):
        assert CLIENT_STATUS_OF_PHASE[trajectory.phase] == trajectory.client.status, trajectory
