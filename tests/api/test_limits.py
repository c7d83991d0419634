"""Requests built to crash the server are refused in the API's error format: a body nested
50,000 levels deep, a body larger than the limit, a NUL byte in a bearer token."""

import json

import pytest
from rest_framework.test import APIClient

from apps.api.parsers import MAX_DEPTH, json_depth
from apps.trajectories.models import Activity


def _activities_url(world):
    return f"/api/v1/clients/{world.clients['own'].pk}/activities/"


@pytest.mark.parametrize(
    "body",
    [
        "[" * 50000 + "]" * 50000,  # the probe's example
        '{"a":' * 50000 + "1" + "}" * 50000,
        "[" * 50000,  # never closed: still refused, not parsed
    ],
)
def test_a_deeply_nested_body_is_a_parse_error_not_a_crash(api, world, body):
    before = Activity.objects.count()
    response = api("caseworker").post(_activities_url(world), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "message": f"The JSON is nested more than {MAX_DEPTH} levels deep.",
    }
    assert Activity.objects.count() == before


def test_the_nesting_refusal_is_in_dutch_by_default(api, world):
    response = api("caseworker", language="").post(
        _activities_url(world), "[" * 50000 + "]" * 50000, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["message"] == f"De JSON is meer dan {MAX_DEPTH} niveaus diep genest."


@pytest.mark.parametrize(
    ("depth", "code"), [(MAX_DEPTH, "validation_error"), (MAX_DEPTH + 1, "parse_error")]
)
def test_nesting_up_to_the_limit_is_parsed_as_before(api, world, depth, code):
    nested = "[" * (depth - 1) + "]" * (depth - 1)  # inside the body's object
    body = json.dumps({"domain": "care", "kind": "nonsense"})[:-1] + f', "note": {nested}}}'
    response = api("caseworker").post(_activities_url(world), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == code  # parsed and refused per field, or not parsed


def test_brackets_inside_strings_do_not_count(api, world):
    body = json.dumps({"domain": "care", "kind": "nonsense", "note": "[" * 1000 + '\\"{'})
    response = api("caseworker").post(_activities_url(world), body, content_type="application/json")
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[", "\\"[[", "\\\\", [[]]]', 3),
        ('"[[[', 0),  # an unterminated string: the parser stops there
        ("[[" + '"' * 6 + "[", 3),
        ("[[" + '"' * 7 + "[", 2),  # the last string is never closed
        ("[]" * 1000, 1),
    ],
)
def test_json_depth(text, depth):
    assert json_depth(text) == depth


def test_a_body_over_the_limit_is_refused_before_it_is_read(api, world, settings):
    settings.API_BODY_MAX_BYTES = 1000
    body = json.dumps({"domain": "care", "note": "x" * 1000})
    response = api("caseworker").post(_activities_url(world), body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "code": "request_too_large",
        "message": "The request body is too large.",
    }
    small = api("caseworker").post(_activities_url(world), {"domain": "care"}, format="json")
    assert small.status_code == 400  # read and validated as before


@pytest.mark.parametrize(
    "key",
    ["cm_abc\x00def_secret", "\x00", "cm_000000000000_se\x00cret", "cm_\x7f_x", "cm_é_x"],
)
def test_a_nul_or_control_byte_in_a_bearer_token_is_a_bad_request(db, key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/api/v1/me/")
    assert response.status_code == 400
    assert response.json() == {
        "code": "token_unreadable",
        "message": "The API token holds characters that no token has.",
    }


def test_the_token_service_finds_no_row_for_a_key_of_another_form(db, django_assert_num_queries):
    from apps.accounts.services import ApiTokenRefused, api_token_authenticate

    with django_assert_num_queries(1), pytest.raises(ApiTokenRefused):  # the log entry only
        api_token_authenticate(key="cm_abc\x00def_secret")
