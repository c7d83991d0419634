"""The plan pages through the test client: who sees what, the reads logged, the forms."""

import datetime

import pytest
from django.urls import reverse

from apps.audit.models import AccessLogEntry
from apps.plans.models import Evaluation, TreatmentPlan
from apps.plans.selectors import evaluations_due_for
from apps.plans.services import evaluation_record, plan_save
from apps.trajectories.services import care_team_join
from tests.clients.factories import ClientFactory
from tests.trajectories.factories import TrajectoryFactory

D = datetime.timedelta


@pytest.fixture
def evaluated(trajectory, lead, goals, today):
    plan = plan_save(
        trajectory=trajectory,
        actor=lead,
        help_question="HULPVRAAG weer naar school",
        approach="AANPAK traumabehandeling",
        agreed_on=today - D(days=60),
        agreed_how="conversation",
        young_person_agreed=True,
        guardian_name="GUARDIAN Jansen",
        evaluation_weeks=1,
    )
    for days, score in ((40, 20), (10, 45)):
        evaluation_record(
            plan=plan,
            on=today - D(days=days),
            text=f"EVALTEXT {days}",
            scores=[(goal, score, f"COMMENT{lane.upper()}") for lane, goal in goals.items()],
            actor=lead,
        )
    plan.refresh_from_db()
    return plan


def _page(client, user, trajectory):
    client.force_login(user)
    return client.get(reverse("plans:plan", kwargs={"pk": trajectory.client.pk})).text


def test_the_caseworker_sees_everything_and_the_line_of_each_goal(
    client, trajectory, lead, evaluated
):
    page = _page(client, lead, trajectory)
    for text in ("HULPVRAAG", "AANPAK", "GUARDIAN Jansen", "EVALTEXT 40", "EVALTEXT 10"):
        assert text in page
    for lane in ("CARE", "EDUCATION", "WORK"):
        assert f"GOAL{lane}" in page
        assert f"COMMENT{lane}" in page
    assert page.count("<polyline") == 3  # two points each: a line per goal
    assert "2 scores over time, the latest 45%" in page


@pytest.mark.parametrize(("role", "lane"), [("teacher", "EDUCATION"), ("job_coach", "WORK")])
def test_a_teacher_or_job_coach_sees_only_their_lane(client, trajectory, evaluated, role, lane):
    page = _page(client, getattr(trajectory, role), trajectory)
    assert f"GOAL{lane}" in page
    assert f"COMMENT{lane}" in page
    assert page.count("<polyline") == 1
    for secret in ("HULPVRAAG", "AANPAK", "GUARDIAN", "EVALTEXT", "GOALCARE", "COMMENTCARE"):
        assert secret not in page
    other = {"EDUCATION": "WORK", "WORK": "EDUCATION"}[lane]
    assert f"GOAL{other}" not in page


def test_a_manager_sees_figures_never_a_text(client, trajectory, manager, evaluated):
    page = _page(client, manager, trajectory)
    assert page.count("<polyline") == 3
    assert "45%" in page
    for secret in ("HULPVRAAG", "AANPAK", "GUARDIAN", "EVALTEXT", "GOAL", "COMMENT"):
        assert secret not in page


def test_the_read_of_the_plan_is_logged(client, trajectory, manager, evaluated):
    _page(client, manager, trajectory)
    entry = AccessLogEntry.objects.filter(user=manager, detail="treatment plan").get()
    assert (entry.client, entry.outcome, entry.basis) == (
        trajectory.client,
        "allowed",
        "management",
    )


def test_a_caseworker_writes_agrees_adds_a_goal_and_evaluates_through_the_pages(
    client, trajectory, lead, today
):
    pk = trajectory.client.pk
    client.force_login(lead)
    response = client.post(
        reverse("plans:plan_edit", kwargs={"pk": pk}),
        {
            "help_question": "Hulpvraag",
            "approach": "Aanpak",
            "agreed_on": (today - D(days=7)).isoformat(),
            "agreed_how": "conversation",
            "young_person_agreed": "on",
            "guardian_name": "",
            "evaluation_weeks": "8",
        },
    )
    assert response.status_code == 200  # under 16 without a parent: the form again
    assert "guardian" in response.text.lower() or "ouder" in response.text.lower()
    assert not TreatmentPlan.objects.exists()
    response = client.post(
        reverse("plans:plan_edit", kwargs={"pk": pk}),
        {
            "help_question": "Hulpvraag",
            "approach": "Aanpak",
            "agreed_on": (today - D(days=7)).isoformat(),
            "agreed_how": "conversation",
            "young_person_agreed": "on",
            "guardian_name": "Vader",
            "evaluation_weeks": "8",
        },
    )
    assert response.status_code == 302
    plan = TreatmentPlan.objects.get()
    assert plan.next_evaluation_on == today - D(days=7) + D(weeks=8)
    response = client.post(
        reverse("plans:goal_new", kwargs={"pk": pk}),
        {"domain": "education", "description": "Diploma halen", "target_date": ""},
    )
    assert response.status_code == 302
    goal = trajectory.goals.get()
    for score in ("20", "35"):
        response = client.post(
            reverse("plans:evaluation_new", kwargs={"pk": pk}),
            {"date": today.isoformat(), "text": "", f"score_{goal.pk}": score},
        )
        assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.progress == 35
    assert Evaluation.objects.count() == 2


def test_an_evaluation_without_a_score_shows_the_form_again(client, trajectory, lead, evaluated):
    client.force_login(lead)
    response = client.post(
        reverse("plans:evaluation_new", kwargs={"pk": trajectory.client.pk}),
        {"date": "2020-01-01", "text": "x"},
    )
    assert response.status_code == 200
    assert Evaluation.objects.count() == 2


@pytest.mark.parametrize("role", ["teacher", "job_coach"])
def test_only_the_caseworker_opens_the_forms(client, trajectory, evaluated, role):
    client.force_login(getattr(trajectory, role))
    for name in ("plans:plan_edit", "plans:goal_new", "plans:evaluation_new"):
        response = client.get(reverse(name, kwargs={"pk": trajectory.client.pk}))
        assert response.status_code == 403


# --- the client page's panel and the day page's selector ---------------------------------


def test_the_client_page_warns_of_a_missing_plan(client, trajectory, manager):
    client.force_login(manager)
    page = client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk})).text
    assert 'id="plan-panel-title"' in page
    assert "more than six weeks ago" in page


def test_the_client_page_warns_of_an_overdue_evaluation(client, trajectory, lead, evaluated):
    client.force_login(trajectory.teacher)
    page = client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk})).text
    assert "Evaluation overdue" in page  # last evaluated 10 days ago, every week
    assert "more than six weeks ago" not in page


def test_a_young_trajectory_without_a_plan_and_a_plan_in_time_give_no_warning(
    client, trajectory, lead, evaluated, today
):
    evaluated.next_evaluation_on = today
    evaluated.save()
    client.force_login(lead)
    page = client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk})).text
    assert "Evaluation overdue" not in page
    assert "No plan yet" not in page
    young = TrajectoryFactory(
        client=ClientFactory(organisation=trajectory.client.organisation),
        start=today - D(weeks=6),
        lead_caseworker=lead,
    )
    page = client.get(reverse("clients:detail", kwargs={"pk": young.client.pk})).text
    assert "No plan yet" not in page


def _caseload(lead, today, count):
    for index in range(count):
        TrajectoryFactory(
            client=ClientFactory(organisation=lead.organisation),
            start=today - D(days=10 if index % 2 else 90),
            lead_caseworker=lead,
        )


def test_evaluations_due_for_lists_missing_and_overdue_plans_in_one_query(
    trajectory, lead, evaluated, today, django_assert_max_num_queries
):
    _caseload(lead, today, 2)
    with django_assert_max_num_queries(1):
        small = evaluations_due_for(user=lead, today=today)
    _caseload(lead, today, 8)
    with django_assert_max_num_queries(1):
        due = evaluations_due_for(user=lead, today=today)
    assert len(small) == 2  # the overdue evaluation and one plan missing
    assert len(due) == 6
    overdue = [item for item in due if not item.missing]
    assert [item.client for item in overdue] == [trajectory.client]
    assert overdue[0].since == evaluated.next_evaluation_on
    assert all(item.trajectory.start == today - D(days=90) for item in due if item.missing)
    # Another caseworker's clients are not the lead's business, nor the other way round.
    other = TrajectoryFactory(
        client=ClientFactory(organisation=lead.organisation), start=today - D(days=90)
    )
    assert other.client not in [item.client for item in evaluations_due_for(user=lead, today=today)]
    care_team_join(
        trajectory=other,
        user=lead,
        role="caseworker",
        start=other.start,
        actor=other.lead_caseworker,
    )
    assert other.client in [item.client for item in evaluations_due_for(user=lead, today=today)]
