"""The daily-work pages through the test client: logging, schooling, work, goals, care team."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.funding.models import Frequency
from apps.trajectories.assignment import allocation_register
from apps.trajectories.models import Activity, CareTeamMembership, Goal
from apps.trajectories.services import care_team_join, goal_add
from tests.accounts.factories import UserFactory
from tests.funding.factories import ContractFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date


@pytest.fixture
def trajectory(db):
    trajectory = TrajectoryFactory(start=D(2025, 1, 1))
    contract = ContractFactory(
        organisation=trajectory.client.organisation, stream=stream("jeugdwet")
    )
    allocation_register(
        client=trajectory.client,
        product=ProductFactory(contract=contract),
        number="JW-77",
        volume=600,
        frequency=Frequency.TOTAL,
        start=D(2025, 1, 1),
        end=None,
        actor=trajectory.lead_caseworker,
    )
    return trajectory


def _member(trajectory, role):
    user = UserFactory(organisation=trajectory.client.organisation, roles=[Role(role)])
    care_team_join(
        trajectory=trajectory,
        user=user,
        role=role,
        start=D(2025, 1, 1),
        actor=trajectory.lead_caseworker,
    )
    return user


def _post_activity(client, trajectory, url_name="clients:activity_new", **data):
    values = {
        "domain": "care",
        "kind": "treatment_session",
        "date": timezone.localdate().isoformat(),
        "duration_minutes": "45",
        "note": "Sessie over vertrouwen",
    }
    values.update(data)
    return client.post(reverse(url_name, kwargs={"pk": trajectory.client.pk}), values)


def _initial(form) -> dict:
    return {name: form[name].value() for name in ("domain", "kind", "date")}


def test_the_form_preselects_the_lane_its_most_common_kind_and_today(client, trajectory):
    client.force_login(trajectory.lead_caseworker)
    page = client.get(reverse("clients:activity_new", kwargs={"pk": trajectory.client.pk}))
    today = timezone.localdate()
    assert _initial(page.context["form"]) == {
        "domain": "care",
        "kind": "treatment_session",
        "date": today,
    }
    teacher = _member(trajectory, "teacher")
    client.force_login(teacher)
    page = client.get(reverse("clients:activity_new", kwargs={"pk": trajectory.client.pk}))
    assert _initial(page.context["form"]) == {
        "domain": "education",
        "kind": "lesson",
        "date": today,
    }
    assert [value for value, _label in page.context["form"].fields["domain"].choices] == [
        "education"
    ]
    client.force_login(_member(trajectory, "job_coach"))
    page = client.get(reverse("clients:activity_new", kwargs={"pk": trajectory.client.pk}))
    assert _initial(page.context["form"]) == {
        "domain": "work",
        "kind": "job_coaching",
        "date": today,
    }


def _field_names(page) -> set[str]:
    return set(page.context["form"].fields)


def test_each_role_sees_the_fields_of_its_own_lane_only(client, trajectory):
    url = reverse("clients:activity_new", kwargs={"pk": trajectory.client.pk})
    common = {"domain", "kind", "date", "start_time", "duration_minutes", "goal", "note"}
    client.force_login(_member(trajectory, "teacher"))
    page = client.get(url)
    assert _field_names(page) == common | {"attendance", "subject", "assessment", "milestone"}
    assert "Aantal eenheden" not in page.text  # no "units (care only)" for a teacher
    assert "Verwachte financiering" not in page.text
    assert "Behandelsessie" not in page.text  # only the lane's kinds
    client.force_login(_member(trajectory, "job_coach"))
    page = client.get(url)
    assert _field_names(page) == common | {"attendance", "milestone"}
    assert "Onderwerp" not in page.text
    client.force_login(trajectory.lead_caseworker)
    page = client.get(url)
    assert _field_names(page) == common | {"units", "expected_funding"}
    assert "Mijlpaal" not in page.text
    assert "Lesson" not in page.text
    assert "Les</option>" not in page.text


def test_a_user_of_several_lanes_switches_lane_with_a_link_without_javascript(client, trajectory):
    client.force_login(trajectory.lead_caseworker)
    url = reverse("clients:activity_new", kwargs={"pk": trajectory.client.pk})
    lanes = client.get(url).context["lane_links"]
    if len(lanes) < 2:
        pytest.skip("the lead caseworker logs in one lane here")
    page = client.get(f"{url}?lane=education")
    assert _field_names(page) >= {"subject", "assessment"}
    assert "units" not in _field_names(page)
    assert f'href="{url}?lane=care"' in page.text
    assert 'aria-current="page">Onderwijs' in page.text
    saved = _post_activity(client, trajectory, domain="education", kind="lesson", subject="Rekenen")
    assert saved.status_code == 302
    assert Activity.objects.get().subject == "Rekenen"


def test_a_lane_the_user_may_not_log_in_is_not_offered_by_the_query(client, trajectory):
    client.force_login(_member(trajectory, "teacher"))
    url = reverse("clients:activity_new", kwargs={"pk": trajectory.client.pk})
    page = client.get(f"{url}?lane=care")
    assert page.context["form"].lane == "education"
    assert page.context["lane_links"] == []


def test_the_duration_is_marked_and_asked_for_where_the_funding_counts_it(client, trajectory):
    client.force_login(trajectory.lead_caseworker)
    url = reverse("clients:activity_new", kwargs={"pk": trajectory.client.pk})
    page = client.get(url)
    assert page.context["form"].fields["duration_minutes"].needed
    assert "Nodig voor de financiering; geef bij dagbesteding" in page.text
    assert '<span class="visually-hidden"> (verplicht)</span>' in page.text
    response = _post_activity(client, trajectory, duration_minutes="")
    assert response.status_code == 200
    assert response.context["form"].errors["duration_minutes"] == [
        "Vul de duur in: de financiering van behandelsessie telt minuten."
    ]
    # A day activity counts day parts: its units stand in for the duration.
    response = _post_activity(client, trajectory, kind="day_activity", duration_minutes="")
    assert response.context["form"].errors["duration_minutes"] == [
        "Vul de duur of het aantal eenheden in."
    ]
    assert not Activity.objects.exists()
    day = _post_activity(client, trajectory, kind="day_activity", duration_minutes="", units="2")
    assert day.status_code == 302
    assert Activity.objects.get().units == 2
    # Lessons have no units: their duration is simply required.
    client.force_login(_member(trajectory, "teacher"))
    page = client.get(url)
    assert page.context["form"].fields["duration_minutes"].required
    lesson = _post_activity(
        client, trajectory, domain="education", kind="lesson", duration_minutes=""
    )
    assert lesson.status_code == 200
    assert lesson.context["form"].errors["duration_minutes"]
    assert Activity.objects.count() == 1


def test_the_preview_says_what_to_fill_in_instead_of_unfunded(client, trajectory):
    client.force_login(trajectory.lead_caseworker)
    url = reverse("clients:activity_preview", kwargs={"pk": trajectory.client.pk})
    values = {"domain": "care", "kind": "intake", "date": timezone.localdate().isoformat()}
    fragment = client.post(url, values, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "Vul in: duur in minuten." in fragment.text
    assert "Ongefinancierd" not in fragment.text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fragment = client.post(url, values, HTTP_HX_REQUEST="true")
    assert "Fill in the duration in minutes to see which allocation" in fragment.text
    assert "Unfunded" not in fragment.text
    no_js = _post_activity(client, trajectory, kind="intake", duration_minutes="", preview="1")
    assert "Fill in the duration in minutes to see" in no_js.text


def test_a_caseworker_logs_a_treatment_step_and_sees_where_it_is_funded(client, trajectory):
    client.force_login(trajectory.lead_caseworker)
    response = _post_activity(client, trajectory)
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#activity-{activity.pk}")
    assert activity.allocation.number == "JW-77"
    page = client.get(response["Location"].split("#")[0])
    assert "JW-77" in page.text
    assert "Sessie over vertrouwen" in page.text
    assert "Toegewezen aan toewijzing JW-77" in page.text  # the message after saving


def test_the_preview_says_where_it_will_be_assigned_before_saving(client, trajectory):
    client.force_login(trajectory.lead_caseworker)
    url = reverse("clients:activity_preview", kwargs={"pk": trajectory.client.pk})
    values = {
        "domain": "care",
        "kind": "intake",
        "date": timezone.localdate().isoformat(),
        "duration_minutes": "60",
    }
    fragment = client.post(url, values, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "JW-77" in fragment.text
    assert "<html" not in fragment.text
    assert not Activity.objects.exists()
    no_js = _post_activity(client, trajectory, preview="1")
    assert no_js.status_code == 200
    assert "JW-77" in no_js.text
    assert not Activity.objects.exists()


def test_invalid_input_gets_a_clear_message_and_nothing_is_saved(client, trajectory):
    client.force_login(trajectory.lead_caseworker)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = _post_activity(client, trajectory, date=tomorrow)
    assert response.status_code == 200
    assert "in de toekomst" in response.text
    response = _post_activity(client, trajectory, duration_minutes="2000")
    assert "tussen 1 en 1440 minuten" in response.text
    response = _post_activity(client, trajectory, date="31-02-2025")
    assert response.status_code == 200
    response = _post_activity(client, trajectory, kind="lesson")
    assert response.status_code == 200
    assert not Activity.objects.exists()


def test_a_teacher_cannot_log_in_the_care_lane(client, trajectory):
    client.force_login(_member(trajectory, "teacher"))
    response = _post_activity(client, trajectory)
    assert response.status_code == 200
    assert response.context["form"].errors["domain"]
    assert not Activity.objects.exists()


def test_a_teacher_records_attendance_and_sees_the_schooling_record(client, trajectory):
    teacher = _member(trajectory, "teacher")
    client.force_login(teacher)
    response = _post_activity(
        client,
        trajectory,
        url_name="clients:education",
        domain="education",
        kind="lesson",
        attendance="absent_authorised",
        subject="Nederlands",
        assessment="",
        note="Ziek gemeld",
    )
    assert response.status_code == 302
    lesson = Activity.objects.get()
    assert (lesson.attendance, lesson.funding_status) == ("absent_authorised", "not_chargeable")
    record = client.get(reverse("clients:education", kwargs={"pk": trajectory.client.pk}))
    assert "Nederlands" in record.text
    assert "Afwezig, geoorloofd" in record.text


def test_a_job_coach_records_an_internship_day(client, trajectory):
    coach = _member(trajectory, "job_coach")
    client.force_login(coach)
    response = _post_activity(
        client,
        trajectory,
        url_name="clients:work",
        domain="work",
        kind="internship_day",
        duration_minutes="420",
        milestone="Eerste week zelfstandig",
    )
    assert response.status_code == 302
    assert Activity.objects.get().milestone == "Eerste week zelfstandig"
    assert (
        "Eerste week zelfstandig"
        in client.get(reverse("clients:work", kwargs={"pk": trajectory.client.pk})).text
    )


def test_lane_pages_refuse_those_without_the_lane_and_log_it(client, trajectory):
    coach = _member(trajectory, "job_coach")
    client.force_login(coach)
    assert (
        client.get(reverse("clients:education", kwargs={"pk": trajectory.client.pk})).status_code
        == 403
    )
    assert AccessLogEntry.objects.filter(
        user=coach, outcome="refused", client=trajectory.client
    ).exists()


def test_a_manager_may_look_but_not_log(client, trajectory):
    manager = UserFactory(organisation=trajectory.client.organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    assert _post_activity(client, trajectory).status_code == 403
    assert not Activity.objects.exists()
    assert AccessLogEntry.objects.filter(user=manager, outcome="refused").exists()


def test_goals_are_added_and_their_progress_updated(client, trajectory):
    client.force_login(trajectory.lead_caseworker)
    url = reverse("clients:goal_new", kwargs={"pk": trajectory.client.pk})
    assert (
        client.post(url, {"domain": "work", "description": "Stageplek vinden"}).status_code == 302
    )
    goal = Goal.objects.get()
    progress = reverse(
        "clients:goal_progress", kwargs={"pk": trajectory.client.pk, "goal_pk": goal.pk}
    )
    client.post(progress, {"progress": "60", "status": "open"})
    goal.refresh_from_db()
    assert goal.progress == 60
    client.post(progress, {"progress": "160", "status": "open"})
    goal.refresh_from_db()
    assert goal.progress == 60


def test_a_teacher_cannot_update_a_care_goal(client, trajectory):
    goal = goal_add(
        trajectory=trajectory,
        domain="care",
        description="Veiligheid",
        actor=trajectory.lead_caseworker,
    )
    client.force_login(_member(trajectory, "teacher"))
    url = reverse("clients:goal_progress", kwargs={"pk": trajectory.client.pk, "goal_pk": goal.pk})
    assert client.post(url, {"progress": "90", "status": "open"}).status_code == 403


def test_caseworkers_invite_and_remove_care_team_members(client, trajectory):
    teacher = UserFactory(organisation=trajectory.client.organisation, roles=[Role.TEACHER])
    client.force_login(trajectory.lead_caseworker)
    url = reverse("clients:care_team", kwargs={"pk": trajectory.client.pk})
    response = client.post(
        url, {"user": teacher.pk, "role": "teacher", "start": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    membership = CareTeamMembership.objects.get(user=teacher)
    client.force_login(teacher)
    assert (
        client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk})).status_code
        == 200
    )
    assert client.get(url).status_code == 403  # only caseworkers manage the team
    client.force_login(trajectory.lead_caseworker)
    remove = reverse(
        "clients:care_team_remove",
        kwargs={"pk": trajectory.client.pk, "membership_pk": membership.pk},
    )
    assert client.post(remove).status_code == 302
    client.force_login(teacher)
    assert (
        client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk})).status_code
        == 404
    )


def test_a_colleague_of_another_organisation_cannot_be_invited(client, trajectory):
    stranger = UserFactory(roles=[Role.TEACHER])
    client.force_login(trajectory.lead_caseworker)
    url = reverse("clients:care_team", kwargs={"pk": trajectory.client.pk})
    response = client.post(
        url, {"user": stranger.pk, "role": "teacher", "start": timezone.localdate().isoformat()}
    )
    assert response.status_code == 200
    assert not CareTeamMembership.objects.filter(user=stranger).exists()


def test_a_teacher_sees_no_funding_of_other_lanes(client, trajectory):
    teacher = _member(trajectory, "teacher")
    client.force_login(teacher)
    response = _post_activity(
        client,
        trajectory,
        url_name="clients:education",
        domain="education",
        kind="lesson",
        attendance="present",
        subject="Rekenen",
    )
    page = client.get(response["Location"].split("#")[0])
    assert "JW-77" not in page.text  # the Jeugdwet allocation is care funding
    assert "Gefinancierd" not in page.text
    assert "Ongefinancierd" not in page.text
    preview = client.post(
        reverse("clients:activity_preview", kwargs={"pk": trajectory.client.pk}),
        {
            "domain": "education",
            "kind": "lesson",
            "date": timezone.localdate().isoformat(),
            "duration_minutes": "50",
        },
    )
    assert preview.status_code == 403


def test_a_goal_of_another_client_is_refused_through_the_door_and_logged(client, trajectory):
    """The client is opened (and the attempt logged) before the goal is looked up in it."""
    other = TrajectoryFactory(
        start=D(2025, 1, 1),
        client__organisation=trajectory.client.organisation,
        lead_caseworker=trajectory.lead_caseworker,
    )
    foreign_goal = goal_add(
        trajectory=other, domain="care", description="Veiligheid", actor=other.lead_caseworker
    )
    lead = trajectory.lead_caseworker
    client.force_login(lead)
    url = reverse(
        "clients:goal_progress", kwargs={"pk": trajectory.client.pk, "goal_pk": foreign_goal.pk}
    )
    assert client.post(url, {"progress": "90", "status": "open"}).status_code == 404
    foreign_goal.refresh_from_db()
    assert foreign_goal.progress == 0
    assert AccessLogEntry.objects.filter(
        user=lead, client=trajectory.client, outcome="refused", detail="goal progress"
    ).exists()
    missing = reverse(
        "clients:goal_progress", kwargs={"pk": trajectory.client.pk, "goal_pk": 999_999}
    )
    assert client.post(missing, {"progress": "90", "status": "open"}).status_code == 404
    assert (
        AccessLogEntry.objects.filter(user=lead, outcome="refused", detail="goal progress").count()
        == 2
    )


def test_a_goal_of_another_organisations_client_is_a_logged_404(client, trajectory):
    stranger_trajectory = TrajectoryFactory(start=D(2025, 1, 1))
    goal = goal_add(
        trajectory=stranger_trajectory,
        domain="care",
        description="Veiligheid",
        actor=stranger_trajectory.lead_caseworker,
    )
    client.force_login(trajectory.lead_caseworker)
    url = reverse(
        "clients:goal_progress", kwargs={"pk": stranger_trajectory.client.pk, "goal_pk": goal.pk}
    )
    assert client.post(url, {"progress": "90", "status": "open"}).status_code == 404
    assert AccessLogEntry.objects.filter(
        user=trajectory.lead_caseworker, outcome="refused", client=stranger_trajectory.client
    ).exists()
    goal.refresh_from_db()
    assert goal.progress == 0


def test_a_100_kb_note_is_refused_with_a_message_and_nothing_is_saved(client, trajectory):
    client.force_login(trajectory.lead_caseworker)
    form_page = client.get(reverse("clients:activity_new", kwargs={"pk": trajectory.client.pk}))
    assert "Hoogstens 10.000 tekens." in form_page.text  # the limit is said in the form
    response = _post_activity(client, trajectory, note="x" * 100_000)
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    assert not Activity.objects.exists()


@pytest.mark.parametrize("target", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_a_goal_target_date_outside_a_sensible_range_is_refused_on_the_form(
    client, trajectory, target
):
    client.force_login(trajectory.lead_caseworker)
    url = reverse("clients:goal_new", kwargs={"pk": trajectory.client.pk})
    assert "Hoogstens 10 jaar vooruit." in client.get(url).text
    response = client.post(
        url, {"domain": "care", "description": "Veiligheid", "target_date": target}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["target_date"]
    assert not Goal.objects.exists()
