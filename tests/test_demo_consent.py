"""The demo's consent register (apps/demo/consent.py): every teacher's and job coach's lane
rests on a consent given as the age rules require, and one withdrawn school consent closes
the teacher's education lane on one client."""

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.clients.models import Consent, ConsentRecipient
from apps.clients.representation import DecisionRule, decision_rule_for_age
from apps.demo.intake import INTAKE_BSN
from apps.trajectories.access import client_access_for
from apps.trajectories.models import CareTeamMembership, TeamRole, TrajectoryStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _seeded(seeded_demo):
    return seeded_demo


def test_every_teacher_and_job_coach_lane_rests_on_a_consent_given_by_the_right_people():
    recipient_of = {TeamRole.TEACHER: ConsentRecipient.SCHOOL, TeamRole.JOB_COACH: "employer"}
    # The new registration in intake (apps/demo/intake.py) has yet to be asked for consent.
    memberships = (
        CareTeamMembership.objects.filter(
            role__in=recipient_of, trajectory__status=TrajectoryStatus.OPEN
        )
        .exclude(trajectory__client__bsn=INTAKE_BSN)
        .select_related("trajectory__client")
    )
    assert memberships.exists()
    for membership in memberships:
        client = membership.trajectory.client
        consent = Consent.objects.get(client=client, recipient=recipient_of[membership.role])
        rule = decision_rule_for_age(consent.age_when_given)
        assert consent.given_by_young_person == (rule != DecisionRule.REPRESENTATIVES)
        authorities = consent.given_by_representatives.filter(parental_authority=True)
        assert authorities.exists() == (rule != DecisionRule.YOUNG_PERSON)
        assert consent.history.exists()


def test_one_school_consent_is_withdrawn_and_the_teacher_sees_why(client):
    withdrawn = Consent.objects.get(withdrawn_on__isnull=False)
    assert withdrawn.recipient == ConsentRecipient.SCHOOL
    docent = User.objects.get(username="docent")
    access = client_access_for(user=docent, client=withdrawn.client)
    assert "education" not in access.lanes
    assert [closed.since for closed in access.closed_lanes] == [withdrawn.withdrawn_on]
    client.force_login(docent)
    page = client.get(reverse("clients:detail", kwargs={"pk": withdrawn.client_id}))
    assert page.status_code == 200
    assert 'id="closed-lanes-title"' in page.content.decode()
