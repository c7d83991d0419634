"""The demo's treatment plans (apps/demo/plans.py): agreed plans with history, a goal evaluated
more than once, one evaluation overdue and one trajectory older than six weeks without a plan."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from apps.demo.seed import DEMO_AGB
from apps.plans.models import Evaluation, GoalScore, TreatmentPlan
from apps.plans.selectors import evaluations_due_for
from apps.trajectories.models import Trajectory, TrajectoryStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _seeded(seeded_demo):
    return seeded_demo


def test_the_demo_plans_tell_their_stories():
    today = timezone.localdate()
    open_demo = Trajectory.objects.filter(
        status=TrajectoryStatus.OPEN, client__organisation__agb_code=DEMO_AGB
    )
    plans = TreatmentPlan.objects.filter(trajectory__in=open_demo)
    assert plans.count() >= open_demo.count() - 3
    assert not plans.filter(agreed_on__isnull=True).exists()
    for model in (TreatmentPlan, Evaluation, GoalScore):
        assert model.objects.exists()
        assert not model.history.filter(history_user__isnull=True).exists()

    overdue = plans.filter(next_evaluation_on__lt=today)
    assert overdue.count() == 1
    missing = open_demo.filter(plan__isnull=True, start__lt=today - timedelta(weeks=6))
    assert missing.count() == 1

    twice = GoalScore.objects.values("goal").annotate(n=Count("pk")).filter(n__gte=2)
    assert twice.exists()
    goal_scores = GoalScore.objects.filter(goal_id=twice[0]["goal"]).order_by("evaluation__date")
    goal = goal_scores[0].goal
    assert goal.progress == list(goal_scores)[-1].score  # the latest score is the progress

    # The day page's list for the caseworker of the overdue client names it.
    plan = overdue.get()
    lead = plan.history.earliest().history_user
    due = evaluations_due_for(user=lead, today=today)
    assert plan.trajectory.client in [item.client for item in due if not item.missing]
