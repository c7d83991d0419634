"""Clients, trajectories, goals and activities through the API: the same access rules as the
client pages, object by object and field by field, and every read in the access log."""

import datetime

import pytest
from django.utils import timezone

from apps.audit.models import AccessLogEntry
from apps.trajectories.models import Activity

from .world import goal_text_of, note_of

D = datetime.date


def _client_url(world, target, suffix=""):
    return f"/api/v1/clients/{world.clients[target].pk}/{suffix}"


def _entries(user, client=None, **filters):
    entries = AccessLogEntry.objects.filter(user=user, **filters)
    if client is not None:
        entries = entries.filter(client=client)
    return entries


# --- clients -----------------------------------------------------------------------------


def test_my_clients_are_those_on_my_care_teams_and_each_shown_is_logged(api, world):
    caseworker = world.users["caseworker"]
    response = api("caseworker").get("/api/v1/clients/")
    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == [world.clients["own"].pk]
    assert body["results"][0]["name"] == "Qannelies Qeigenteam"
    entry = _entries(caseworker, world.clients["own"], event="view").get()
    assert entry.detail == "API: caseload list"


def test_the_lead_caseworker_searches_by_name_and_the_search_is_logged(api, world):
    lead_key = _key_for(world, world.lead)
    response = api(key=lead_key).get("/api/v1/clients/?search=Qverborgen")
    assert [row["id"] for row in response.json()["results"]] == []  # shielded: pseudonym only
    pseudonym = world.clients["shielded"].pseudonym
    response = api(key=lead_key).get(f"/api/v1/clients/?search={pseudonym}")
    assert [row["id"] for row in response.json()["results"]] == [world.clients["shielded"].pk]
    assert _entries(world.lead, world.clients["shielded"], event="search").exists()
    response = api(key=lead_key).get("/api/v1/clients/?search=Qbram")
    assert [row["id"] for row in response.json()["results"]] == [world.clients["other"].pk]


def test_the_client_list_pages_orders_and_filters(api, world):
    lead = api(key=_key_for(world, world.lead))
    everyone = [world.clients[t].pk for t in ("own", "other", "shielded")]
    page = lead.get("/api/v1/clients/?page_size=2&ordering=-client_number").json()
    assert page["count"] == 3
    second = lead.get(page["next"].replace("http://testserver", "")).json()
    ids = [row["id"] for row in page["results"] + second["results"]]
    assert ids == sorted(everyone, reverse=True)  # client numbers follow creation here
    assert lead.get("/api/v1/clients/?shielded=true").json()["count"] == 1
    assert lead.get("/api/v1/clients/?status=closed").json()["count"] == 0


def test_a_manager_sees_a_shielded_client_by_pseudonym_only(api, world):
    response = api("manager").get(_client_url(world, "shielded"))
    assert response.status_code == 200
    body = response.json()
    client = world.clients["shielded"]
    assert body["name"] == client.pseudonym
    for field in ("given_name", "family_name", "date_of_birth", "bsn"):
        assert field not in body
    for secret in world.secrets_of("shielded"):
        assert secret not in response.text
    assert body["access"]["basis"] == "management"
    assert body["access"]["sees_notes"] is False
    entry = _entries(world.users["manager"], client, event="view").get()
    assert (entry.outcome, entry.detail, entry.basis) == (
        "allowed",
        "API: client record",
        "management",
    )


def test_the_care_team_sees_the_whole_client(api, world):
    body = api("caseworker").get(_client_url(world, "own")).json()
    assert body["given_name"] == "Qannelies"
    assert body["date_of_birth"] == "2010-05-17"
    assert body["trajectory"]["id"] == world.trajectories["own"].pk
    assert body["access"]["lanes"] == ["care", "education", "work"]


@pytest.mark.parametrize("role", ["caseworker", "teacher", "manager", "administrator"])
def test_another_organisations_client_does_not_exist_and_the_attempt_is_logged(api, world, role):
    response = api(role).get(_client_url(world, "foreign"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    entry = _entries(world.users[role], world.clients["foreign"]).get()
    assert entry.outcome == "refused"


# --- activities ------------------------------------------------------------------------------


def _activities(api, world, role, target="own", query=""):
    response = api(role).get(_client_url(world, target, "activities/") + query)
    assert response.status_code == 200, response.json()
    return response


def test_a_teacher_never_gets_a_care_activity_or_a_treatment_note(api, world):
    response = _activities(api, world, "teacher")
    rows = response.json()["results"]
    assert {row["domain"] for row in rows} == {"education"}
    assert rows[0]["note"] == note_of("own", "education")  # their own lane's note, as on the web
    assert "funding" not in rows[0]
    for lane in ("care", "work"):
        assert note_of("own", lane) not in response.text
    detail = api("teacher").get(f"/api/v1/activities/{world.activities['own', 'care'].pk}/")
    assert detail.status_code == 404
    refused = _entries(world.users["teacher"], world.clients["own"], outcome="refused").get()
    assert refused.detail == "API: activity"


def test_a_manager_never_gets_a_note(api, world):
    response = _activities(api, world, "manager", "shielded")
    rows = response.json()["results"]
    assert {row["domain"] for row in rows} == {"care", "education", "work"}
    assert all("note" not in row for row in rows)
    assert all("funding" in row for row in rows)
    assert "NOTE" not in response.text
    for secret in world.secrets_of("shielded"):
        assert secret not in response.text


def test_the_caseworker_gets_notes_and_where_each_activity_is_funded(api, world):
    rows = _activities(api, world, "caseworker").json()["results"]
    care = next(row for row in rows if row["domain"] == "care")
    assert care["note"] == note_of("own", "care")
    assert care["funding"]["status"] == "funded"
    assert care["funding"]["allocation"]["number"] == "TW-OWN"
    assert care["funding"]["reason"]


def test_reading_activities_is_logged_once_per_request(api, world):
    _activities(api, world, "caseworker")
    entry = _entries(world.users["caseworker"], world.clients["own"], event="view").get()
    assert entry.detail == "API: activities"


def test_activity_filters(api, world):
    lead = _key_for(world, world.lead)

    def ids(query):
        response = api(key=lead).get(_client_url(world, "own", "activities/") + query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    activity = world.activities
    assert ids("?domain=education") == {activity["own", "education"].pk}
    assert ids("?kind=job_coaching") == {activity["own", "work"].pk}
    assert ids("?date_from=2025-02-04") == set()
    assert ids("?date_from=2025-02-03&date_to=2025-02-03") == {
        activity["own", lane].pk for lane in ("care", "education", "work")
    }
    assert ids("?funding_status=funded") == {activity["own", "care"].pk}
    assert ids("?status=cancelled") == set()


def test_a_role_without_funding_cannot_filter_on_it(api, world):
    response = api("teacher").get(_client_url(world, "own", "activities/?funding_status=funded"))
    assert response.status_code == 400
    assert response.json()["errors"]["funding_status"][0]["message"] == (
        "Your role does not see funding."
    )


def test_activities_are_ordered_and_paged_stably(api, world):
    lead = api(key=_key_for(world, world.lead))
    first = lead.get(_client_url(world, "own", "activities/?ordering=date&page_size=2")).json()
    second = lead.get(first["next"].replace("http://testserver", "")).json()
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert ids == sorted(world.activities["own", lane].pk for lane in ("care", "education", "work"))


def test_logging_an_activity_runs_the_funding_assignment_and_says_where_and_why(api, world):
    response = api("caseworker").post(
        _client_url(world, "own", "activities/"),
        {
            "domain": "care",
            "kind": "treatment_session",
            "date": "2025-03-03",
            "duration_minutes": 45,
            "note": "Tweede sessie",
            "goal": world.goals["own", "care"].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    activity = Activity.objects.get(pk=body["id"])
    assert activity.performed_by == world.users["caseworker"]
    assert body["funding"]["status"] == "funded"
    assert body["funding"]["allocation"]["number"] == "TW-OWN"
    assert body["funding"]["consumed"] == 45
    assert "TW-OWN" in body["funding"]["reason"]
    assert AccessLogEntry.objects.filter(
        event="create", object_type="trajectories.activity", object_id=str(activity.pk)
    ).exists()


def test_a_night_of_a_residential_stay_is_not_logged_through_the_api(api, world):
    """Nights follow from a stay's admission, discharge and leave (the stays page), as on the
    web form: the API refuses them with a reason, and saves nothing."""
    before = Activity.objects.count()
    response = api("caseworker").post(
        _client_url(world, "own", "activities/"),
        {"domain": "care", "kind": "residential_stay", "date": "2025-03-03", "units": 1},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    error = response.json()["errors"]["kind"][0]
    assert error["code"] == "stay_night"
    assert "admission, discharge and leave" in error["message"]
    assert Activity.objects.count() == before


def test_a_teacher_logs_a_lesson_but_sees_no_funding_and_no_other_lane(api, world):
    url = _client_url(world, "own", "activities/")
    lesson = {
        "domain": "education",
        "kind": "lesson",
        "date": "2025-03-04",
        "duration_minutes": 50,
        "attendance": "present",
        "subject": "Rekenen",
    }
    response = api("teacher").post(url, lesson, format="json")
    assert response.status_code == 201, response.json()
    assert "funding" not in response.json()
    care = {**lesson, "domain": "care", "kind": "treatment_session", "attendance": ""}
    refused = api("teacher").post(url, care, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["domain"][0]["code"] == "invalid_choice"
    other_lane_goal = {**lesson, "goal": world.goals["own", "care"].pk}
    refused = api("teacher").post(url, other_lane_goal, format="json")
    assert refused.json()["errors"]["goal"][0]["code"] == "does_not_exist"


@pytest.mark.parametrize(
    ("role", "target", "status"),
    [
        ("manager", "own", 403),
        ("privacy_officer", "own", 404),
        ("caseworker", "other", 404),
        ("caseworker", "foreign", 404),
    ],
)
def test_who_may_not_log_an_activity(api, world, role, target, status):
    before = Activity.objects.count()
    response = api(role).post(
        _client_url(world, target, "activities/"),
        {"domain": "care", "kind": "intake", "date": "2025-03-03", "duration_minutes": 30},
        format="json",
    )
    assert response.status_code == status
    assert Activity.objects.count() == before


def test_correcting_an_activity_decides_its_funding_again(api, world):
    activity = world.activities["own", "care"]
    response = api(key=_key_for(world, world.lead)).patch(
        f"/api/v1/activities/{activity.pk}/", {"duration_minutes": 90}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["duration_minutes"] == 90
    assert response.json()["funding"]["consumed"] == 90
    activity.refresh_from_db()
    assert activity.consumed == 90
    assert activity.history.first().duration_minutes == 90


def test_a_teacher_may_not_correct_or_cancel(api, world):
    lesson = world.activities["own", "education"]
    teacher = api("teacher")
    response = teacher.patch(
        f"/api/v1/activities/{lesson.pk}/", {"duration_minutes": 5}, format="json"
    )
    assert response.status_code == 403
    assert teacher.post(f"/api/v1/activities/{lesson.pk}/cancel/").status_code == 403
    lesson.refresh_from_db()
    assert (lesson.duration_minutes, lesson.status) == (60, "recorded")


def test_cancelling_an_activity_and_cancelling_it_again(api, world):
    activity = world.activities["own", "care"]
    caseworker = api("caseworker")
    response = caseworker.post(f"/api/v1/activities/{activity.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    again = caseworker.post(f"/api/v1/activities/{activity.pk}/cancel/")
    assert again.status_code == 400
    assert again.json()["errors"]["non_field_errors"][0]["message"] == (
        "This activity is already cancelled."
    )


def test_an_empty_correction_is_refused(api, world):
    response = api("caseworker").patch(
        f"/api/v1/activities/{world.activities['own', 'care'].pk}/", {}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"][0]["code"] == "empty"


# --- goals and trajectories --------------------------------------------------------------


def test_a_manager_sees_goals_without_their_text(api, world):
    response = api("manager").get(_client_url(world, "other", "goals/"))
    rows = response.json()["results"]
    assert len(rows) == 3
    assert all("description" not in row for row in rows)
    assert "GOAL" not in response.text


def test_a_job_coach_sees_the_work_goal_only(api, world):
    rows = api("job_coach").get(_client_url(world, "own", "goals/")).json()["results"]
    assert [(row["domain"], row["description"]) for row in rows] == [
        ("work", goal_text_of("own", "work"))
    ]
    care_goal = world.goals["own", "care"]
    assert api("job_coach").get(f"/api/v1/goals/{care_goal.pk}/").status_code == 404


def test_adding_a_goal_and_its_progress(api, world):
    caseworker = api("caseworker")
    response = caseworker.post(
        _client_url(world, "own", "goals/"),
        {"domain": "work", "description": "Een stageplek vinden", "target_date": "2026-06-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    goal_id = response.json()["id"]
    response = caseworker.patch(
        f"/api/v1/goals/{goal_id}/", {"progress": 40, "status": "open"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["progress"] == 40
    too_much = caseworker.patch(f"/api/v1/goals/{goal_id}/", {"progress": 140}, format="json")
    assert too_much.status_code == 400
    assert too_much.json()["errors"]["progress"][0]["code"] == "max_value"
    assert (
        api("manager")
        .patch(f"/api/v1/goals/{goal_id}/", {"progress": 1}, format="json")
        .status_code
        == 403
    )


def test_the_trajectory_with_its_goals_and_care_team(api, world):
    trajectory = world.trajectories["own"]
    body = api("caseworker").get(f"/api/v1/trajectories/{trajectory.pk}/").json()
    assert body["lead_caseworker"]["id"] == world.lead.pk
    assert {goal["domain"] for goal in body["goals"]} == {"care", "education", "work"}
    team = {member["user"]["id"] for member in body["care_team"]}
    assert world.users["teacher"].pk in team
    as_manager = api("manager").get(f"/api/v1/trajectories/{trajectory.pk}/").json()
    assert "care_team" not in as_manager
    assert all("description" not in goal for goal in as_manager["goals"])
    as_teacher = api("teacher").get(f"/api/v1/trajectories/{trajectory.pk}/").json()
    assert [goal["domain"] for goal in as_teacher["goals"]] == ["education"]
    foreign = world.trajectories["foreign"]
    assert api("caseworker").get(f"/api/v1/trajectories/{foreign.pk}/").status_code == 404


# --- query counts ------------------------------------------------------------------------


def test_the_activity_list_takes_a_fixed_number_of_queries(
    api, world, django_assert_max_num_queries
):
    lead = world.lead
    for day in range(1, 20):
        Activity.objects.create(
            trajectory=world.trajectories["own"],
            domain="education",
            kind="lesson",
            date=D(2025, 3, day),
            duration_minutes=30,
            performed_by=lead,
            funding_status="not_chargeable",
        )
    caller = api(key=_key_for(world, lead))
    with django_assert_max_num_queries(8):
        response = caller.get(_client_url(world, "own", "activities/?page_size=50"))
    assert response.json()["count"] == 22


def test_the_client_list_takes_a_fixed_number_of_queries(api, world, django_assert_max_num_queries):
    caller = api(key=_key_for(world, world.lead))
    with django_assert_max_num_queries(6):
        assert caller.get("/api/v1/clients/").json()["count"] == 3


def _key_for(world, user):
    from apps.accounts.services import api_token_create

    _token, key = api_token_create(
        user=user,
        name="test",
        expires_on=timezone.localdate() + datetime.timedelta(days=3),
        actor=user,
    )
    return key


@pytest.mark.parametrize(
    ("role", "sees_bsn"), [("caseworker", True), ("teacher", False), ("job_coach", False)]
)
def test_the_bsn_goes_only_to_those_who_see_the_clients_funding(api, world, role, sees_bsn):
    from apps.clients.models import Client

    Client.objects.filter(pk=world.clients["own"].pk).update(bsn="123456782")
    response = api(role).get(_client_url(world, "own"))
    assert response.status_code == 200
    assert ("bsn" in response.json()) is sees_bsn
    assert ("123456782" in response.text) is sees_bsn


def test_a_100_kb_note_is_refused_by_the_api_and_nothing_is_saved(api, world):
    before = Activity.objects.count()
    response = api("caseworker").post(
        _client_url(world, "own", "activities/"),
        {
            "domain": "care",
            "kind": "treatment_session",
            "date": "2025-03-03",
            "duration_minutes": 45,
            "note": "x" * 100_000,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "10000" in response.json()["errors"]["note"][0]["message"]
    assert Activity.objects.count() == before
    activity = world.activities["own", "care"]
    response = api(key=_key_for(world, world.lead)).patch(
        f"/api/v1/activities/{activity.pk}/", {"note": "x" * 100_000}, format="json"
    )
    assert response.status_code == 400
    assert "note" in response.json()["errors"]
    activity.refresh_from_db()
    assert len(activity.note) < 10_000


@pytest.mark.parametrize("target", ["0001-01-01", "9999-12-31"])
def test_a_goal_target_date_outside_a_sensible_range_is_refused_by_the_api(api, world, target):
    from apps.trajectories.models import Goal

    before = Goal.objects.count()
    response = api("caseworker").post(
        _client_url(world, "own", "goals/"),
        {"domain": "care", "description": "Veiligheid", "target_date": target},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["target_date"]
    assert Goal.objects.count() == before


@pytest.mark.parametrize(("role", "sees"), [("caseworker", True), ("teacher", False)])
def test_the_wlz_indication_and_insurer_go_only_to_those_who_see_the_clients_funding(
    api, world, role, sees
):
    from apps.clients.services import health_insurance_record, wlz_indication_record

    client = world.clients["own"]
    wlz_indication_record(
        client=client, care_profile="LVG 4", start=D(2025, 1, 1), end=None, actor=None
    )
    health_insurance_record(client=client, uzovi="3311", start=D(2025, 1, 1), end=None, actor=None)
    response = api(role).get(_client_url(world, "own"))
    assert response.status_code == 200
    body = response.json()
    if sees:
        assert body["wlz_indications"] == [
            {"care_profile": "LVG 4", "decision_reference": "", "start": "2025-01-01", "end": None}
        ]
        assert body["health_insurances"] == [{"uzovi": "3311", "start": "2025-01-01", "end": None}]
    else:
        assert "wlz_indications" not in body
        assert "health_insurances" not in body


# --- the consent a teacher's lane rests on (issue 18) -------------------------------------


def test_a_teacher_without_consent_to_share_with_the_school_gets_nothing_of_the_lane(api, world):
    """The API asks the same access decision as the pages: once the client withdrew the
    consent to share with the school (WGBO 7:457 lid 1, Jeugdwet 7.3.11 lid 1), the teacher's
    education lane is closed there too, and a read of one of its activities is refused."""
    from apps.clients.models import Consent

    own = world.clients["own"]
    teacher = api("teacher")
    assert note_of("own", "education") in teacher.get(_client_url(world, "own", "activities/")).text
    Consent.objects.filter(client=own, recipient="school").update(withdrawn_on=timezone.localdate())
    listed = teacher.get(_client_url(world, "own", "activities/"))
    assert note_of("own", "education") not in listed.text
    lesson = world.activities[("own", "education")]
    response = teacher.get(f"/api/v1/activities/{lesson.pk}/")
    assert response.status_code in (403, 404)
    assert _entries(world.users["teacher"], own, outcome="refused").exists()
