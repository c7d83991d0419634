"""The plan's and evaluations' rules, tested on the services directly."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AccessLogEntry
from apps.core.errors import PermissionRefused
from apps.plans.models import Evaluation, GoalScore, TreatmentPlan
from apps.plans.services import evaluation_record, plan_save
from apps.trajectories.models import Goal

D = datetime.timedelta


def _agreed(trajectory, lead, today, **more):
    fields = {
        "help_question": "HULPVRAAG weer naar school",
        "approach": "AANPAK traumabehandeling",
        "agreed_on": today - D(days=50),
        "agreed_how": "conversation",
        "young_person_agreed": True,
        "guardian_name": "Moeder, mevrouw Jansen",
        "evaluation_weeks": 6,
    } | more
    return plan_save(trajectory=trajectory, actor=lead, **fields)


def test_an_agreed_plan_gets_its_next_evaluation_and_history_and_a_log_entry(
    trajectory, lead, today
):
    plan = _agreed(trajectory, lead, today)
    assert plan.next_evaluation_on == today - D(days=50) + D(weeks=6)
    plan = plan_save(trajectory=trajectory, actor=lead, approach="AANPAK twee")
    assert TreatmentPlan.objects.count() == 1
    assert [h.history_user for h in plan.history.all()] == [lead, lead]
    assert list(plan.history.values_list("approach", flat=True)) == [
        "AANPAK twee",
        "AANPAK traumabehandeling",
    ]
    logged = AccessLogEntry.objects.filter(object_type="plans.treatmentplan", user=lead)
    assert sorted(logged.values_list("event", flat=True)) == ["change", "create"]


def test_under_16_a_parent_or_guardian_agrees_as_well(trajectory, lead, today):
    with pytest.raises(ValidationError) as refused:
        _agreed(trajectory, lead, today, guardian_name="")
    assert "guardian_name" in refused.value.message_dict
    assert not TreatmentPlan.objects.exists()


def test_a_16_year_old_agrees_alone(trajectory, lead, today):
    client = trajectory.client
    client.date_of_birth = today.replace(year=today.year - 17)
    client.save()
    plan = _agreed(trajectory, lead, today, guardian_name="")
    assert plan.is_agreed


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("agreed_on", "future"),
        ("agreed_on", "before_start"),
        ("agreed_how", ""),
        ("next_evaluation_on", "before_agreed"),
    ],
)
def test_the_agreement_must_add_up(trajectory, lead, today, field, value):
    values = {
        "future": today + D(days=1),
        "before_start": trajectory.start - D(days=1),
        "before_agreed": today - D(days=60),
        "": "",
    }
    with pytest.raises(ValidationError) as refused:
        _agreed(trajectory, lead, today, **{field: values[value]})
    assert field in refused.value.message_dict


def test_only_a_caseworker_of_the_care_team_writes_the_plan(trajectory, manager):
    for actor in (trajectory.teacher, trajectory.job_coach, manager):
        with pytest.raises(PermissionRefused):
            plan_save(trajectory=trajectory, actor=actor, help_question="x")
    assert not TreatmentPlan.objects.exists()


def test_evaluating_a_goal_twice_gives_two_points_and_the_latest_is_its_progress(
    trajectory, lead, goals, today
):
    plan = _agreed(trajectory, lead, today)
    care = goals["care"]
    evaluation_record(
        plan=plan, on=today - D(days=20), text="EERSTE", scores=[(care, 30, "")], actor=lead
    )
    evaluation_record(
        plan=plan, on=today - D(days=2), text="TWEEDE", scores=[(care, 55, "beter")], actor=lead
    )
    assert list(GoalScore.objects.filter(goal=care).values_list("score", flat=True)) == [30, 55]
    care.refresh_from_db()
    assert care.progress == 55
    assert [h.history_user for h in care.history.all()][:2] == [lead, lead]
    plan.refresh_from_db()
    assert plan.next_evaluation_on == today - D(days=2) + D(weeks=6)

    # A late entry of an earlier evaluation adds a point, but does not overwrite the progress.
    evaluation_record(
        plan=plan, on=today - D(days=10), text="", scores=[(care, 10, "")], actor=lead
    )
    care.refresh_from_db()
    assert care.progress == 55
    plan.refresh_from_db()
    assert plan.next_evaluation_on == today - D(days=2) + D(weeks=6)
    assert GoalScore.objects.filter(goal=care).count() == 3
    assert (
        AccessLogEntry.objects.filter(object_type="plans.evaluation", event="create").count() == 3
    )


@pytest.mark.parametrize("problem", ["future", "before_agreed", "no_scores", "score_101", "other"])
def test_an_invalid_evaluation_saves_nothing(trajectory, lead, goals, today, problem):
    plan = _agreed(trajectory, lead, today)
    on, scores = today, [(goals["care"], 40, "")]
    if problem == "future":
        on = today + D(days=1)
    elif problem == "before_agreed":
        on = plan.agreed_on - D(days=1)
    elif problem == "no_scores":
        scores = []
    elif problem == "score_101":
        scores = [(goals["care"], 101, "")]
    else:
        from tests.trajectories.factories import GoalFactory

        scores = [(GoalFactory(), 40, "")]
    with pytest.raises(ValidationError):
        evaluation_record(plan=plan, on=on, text="x", scores=scores, actor=lead)
    assert not Evaluation.objects.exists()
    assert Goal.objects.get(pk=goals["care"].pk).progress == 0


def test_a_plan_not_agreed_is_not_evaluated(trajectory, lead, goals):
    plan = plan_save(trajectory=trajectory, actor=lead, help_question="concept")
    assert plan.next_evaluation_on is None
    with pytest.raises(ValidationError):
        evaluation_record(
            plan=plan, on=trajectory.start, text="", scores=[(goals["care"], 5, "")], actor=lead
        )
