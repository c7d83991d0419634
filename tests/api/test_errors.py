"""One error format: a machine-readable code, a message in the language asked for
(Accept-Language nl or en, Dutch by default) and, for invalid input, errors per field."""

import datetime
import json

import pytest
from django.utils import timezone

from apps.trajectories.models import Activity


def _activities_url(world, target="own"):
    return f"/api/v1/clients/{world.clients[target].pk}/activities/"


def test_invalid_input_has_errors_per_field_in_english(api, world):
    response = api("caseworker", language="en").post(
        _activities_url(world),
        {"domain": "care", "kind": "nonsense", "date": "not a date"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"] == "The input is not valid; see the errors per field."
    assert body["errors"]["kind"] == [
        {"code": "invalid_choice", "message": '"nonsense" is not a valid choice.'}
    ]
    assert body["errors"]["date"][0]["code"] == "invalid"
    assert response["Content-Language"] == "en"


def test_invalid_input_is_answered_in_dutch_by_default(api, world):
    response = api("caseworker", language="").post(
        _activities_url(world), {"domain": "care"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert response["Content-Language"] == "nl"
    # REST framework's own messages come with its Dutch catalogue.
    assert body["errors"]["kind"] == [{"code": "required", "message": "Dit veld is vereist."}]
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize(
    ("header", "language"),
    [("nl", "nl"), ("en-GB,en;q=0.8", "en"), ("de-DE,en;q=0.5", "en"), ("fr", "nl"), ("*", "nl")],
)
def test_accept_language_decides_the_language_of_the_api(api, world, header, language):
    response = api("caseworker", language=header).get("/api/v1/clients/999999/")
    assert response.status_code == 404
    assert response["Content-Language"] == language
    assert response.json()["message"] == {"nl": "Niet gevonden.", "en": "Not found."}[language]


def test_the_web_pages_still_ignore_accept_language(client, world):
    client.force_login(world.users["caseworker"])
    response = client.get("/clients/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "nl"


def test_a_service_refusal_becomes_a_field_error(api, world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    before = Activity.objects.count()
    response = api("caseworker").post(
        _activities_url(world),
        {"domain": "care", "kind": "treatment_session", "date": tomorrow, "duration_minutes": 60},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "date": [
            {
                "code": "invalid",
                "message": "The date lies in the future; log an activity once it has taken place.",
            }
        ]
    }
    assert Activity.objects.count() == before  # nothing half-saved


def test_a_service_error_on_a_field_the_request_lacks_is_a_non_field_error(api, world):
    world.trajectories["own"].status = "closed"
    world.trajectories["own"].save(update_fields=["status"])
    response = api("caseworker").post(
        f"/api/v1/clients/{world.clients['own'].pk}/goals/",
        {"domain": "care", "description": "Een doel"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": [
            {
                "code": "no_open_trajectory",
                "message": "This client has no open trajectory: open one first.",
            }
        ]
    }


def test_malformed_json_is_a_parse_error(api, world):
    response = api("caseworker").post(
        _activities_url(world), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_another_content_type_is_refused(api, world):
    response = api("caseworker").post(_activities_url(world), {"domain": "care"})  # multipart
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_method_that_is_not_there(api, world):
    response = api("caseworker").delete(f"/api/v1/clients/{world.clients['own'].pk}/")
    assert response.status_code == 405
    assert response.json() == {
        "code": "method_not_allowed",
        "message": 'Method "DELETE" not allowed.',
    }


def test_an_unknown_url_answers_in_the_error_format(api, world):
    response = api("caseworker").get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found."}
    assert api("caseworker").get("/api/v1/clients/abc/").json()["code"] == "not_found"


def test_a_page_past_the_end(api, world):
    response = api("caseworker").get("/api/v1/clients/?page=9")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Invalid page."}


def test_an_invalid_filter_value_is_a_field_error(api, world):
    response = api("caseworker").get(_activities_url(world) + "?date_from=yesterday&domain=x")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"date_from", "domain"}
    assert errors["domain"][0]["code"] == "invalid_choice"


def test_a_crash_under_api_is_json_without_the_cause(rf, settings):
    from casemanager.views import handler500

    response = handler500(rf.get("/api/v1/clients/"))
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"
    assert handler500(rf.get("/clients/")).status_code == 500  # the web's own page


def test_throttling_answers_429_in_the_error_format(api, world, settings):
    settings.API_THROTTLE_RATES = {"user": "3/minute", "anon": "2/minute"}
    caller = api("caseworker")
    statuses = [caller.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = caller.get("/api/v1/me/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response.json()["message"].startswith("Request was throttled.")
    assert int(response["Retry-After"]) > 0
    # Per user: another user is not slowed down by the first.
    assert api("teacher").get("/api/v1/me/").status_code == 200


def test_throttling_counts_per_user_not_per_token(api, world, settings):
    from apps.accounts.services import api_token_create

    settings.API_THROTTLE_RATES = {"user": "2/minute", "anon": "2/minute"}
    user = world.users["caseworker"]
    _token, second_key = api_token_create(
        user=user,
        name="second",
        expires_on=timezone.localdate() + datetime.timedelta(days=3),
        actor=user,
    )
    assert api("caseworker").get("/api/v1/me/").status_code == 200
    assert api(key=second_key).get("/api/v1/me/").status_code == 200
    assert api("caseworker").get("/api/v1/me/").status_code == 429


def test_refused_callers_are_throttled_per_address_which_they_cannot_choose(db, settings):
    from rest_framework.test import APIClient

    settings.API_THROTTLE_RATES = {"user": "100/minute", "anon": "2/minute"}
    statuses = [
        APIClient()
        .get(
            "/api/v1/me/",
            HTTP_AUTHORIZATION=f"Bearer cm_guess{number}_x",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .status_code
        for number in range(3)
    ]
    assert statuses == [401, 401, 429]  # another X-Forwarded-For is no other caller
