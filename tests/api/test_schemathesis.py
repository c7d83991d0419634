"""A schema-driven run: Schemathesis generates requests from the OpenAPI description and sends
each, in-process through the WSGI application, with a token of every role.

It must find no server error, no answer that breaks the description (status, content type,
body), and nothing a role may never see: another organisation's data, a shielded client's
identity, a note or a goal's text for a manager, another lane for a teacher or a job coach.
Half of the generated ids are replaced by ids of the world's real objects, so that the
answers are not only 404s. Bounded (a few examples per operation, no shrinking), so that it
adds well under three minutes to the suite.
"""

import json
import re

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.suite import examples

from .world import ROLES, build_world, raise_world_alerts

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = max(12, examples(12))  # 12, more under the deep Hypothesis profile (tests/suite.py)


def _openapi() -> dict:
    """The description as served at /api/v1/schema/, generated here without a request."""
    with translation.override("en"):
        generated = SchemaGenerator().get_schema(request=None, public=True)
        return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_openapi())
schema.config.generation.update(
    modes=["positive"], max_examples=EXAMPLES, deterministic=True, no_shrink=True
)
schema.config.phases.update(phases=["examples", "fuzzing"])

APP = WSGIHandler()

# What each role may never find in an answer, beyond another organisation's data and a
# shielded client's identity (tests/api/world.py writes these texts).
NEVER = {
    "caseworker": [],
    "teacher": [
        "NOTECARE",
        "NOTEWORK",
        "GOALCARE",
        "GOALWORK",
        '"domain":"care"',
        '"domain":"work"',
    ],
    "job_coach": [
        "NOTECARE",
        "NOTEEDUCATION",
        "GOALCARE",
        "GOALEDUCATION",
        '"domain":"care"',
        '"domain":"education"',
    ],
    "manager": ["NOTE", "GOAL", '"note":', '"description":'],
    "privacy_officer": ["NOTE", "GOAL", '"note":'],
    "administrator": ["NOTE", "GOAL", '"note":'],
}


@pytest.fixture(scope="module")
def _connections_kept_open():
    """As Django's test client does: a request must not close the test's database connection
    (in its transaction) when it finishes."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def st_world(django_db_setup, django_db_blocker, tmp_path_factory, _connections_kept_open):
    """One world for all operations, rolled back at the end; each operation's writes are
    rolled back after it (the ``db`` fixture)."""
    media_root = tmp_path_factory.mktemp("media")
    media = override_settings(
        MEDIA_ROOT=media_root,
        API_THROTTLE_RATES={"user": "1000000/minute", "anon": "1000000/minute"},
    )
    with django_db_blocker.unblock():
        media.enable()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            raise_world_alerts(world)
            world.media_root = media_root
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media.disable()


def _known_ids(world) -> dict[str, list[int]]:
    return {
        "clients": [client.pk for client in world.clients.values()],
        "trajectories": [trajectory.pk for trajectory in world.trajectories.values()],
        "goals": [goal.pk for goal in world.goals.values()],
        "activities": [activity.pk for activity in world.activities.values()],
        "allocations": [allocation.pk for allocation in world.allocations.values()],
        "alerts": [alert.pk for alert in world.alerts.values()],
        "funders": [world.funder.pk, world.foreign_funder.pk],
        "contracts": [world.contract.pk, world.foreign_contract.pk],
        "reports": [world.report.pk, world.foreign_report.pk],
    }


def _towards_real_objects(case, world) -> None:
    """Replace most generated ids by ids of the world's objects (of every client)."""
    known = _known_ids(world)
    resource = case.path.split("/")[3]  # /api/v1/<resource>/...
    generated = (case.path_parameters or {}).get("id")
    if isinstance(generated, int) and generated % 4 and resource in known:
        case.path_parameters["id"] = known[resource][generated % len(known[resource])]
    query = case.query or {}
    client = query.get("client")
    if isinstance(client, int) and client % 4:
        query["client"] = known["clients"][client % 4]
    body = case.body if isinstance(case.body, dict) else {}
    for field, resource in (("client", "clients"), ("goal", "goals"), ("funder", "funders")):
        value = body.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and value % 4:
            body[field] = known[resource][value % len(known[resource])]
    if isinstance(body.get("product"), int) and body["product"] % 4:
        body["product"] = world.product.pk


def _leaks(text: str, role: str, world) -> list[str]:
    found = [secret for secret in NEVER[role] if secret in text]
    foreign = world.clients["foreign"]
    shielded = world.clients["shielded"]
    for secret in (
        "FOREIGN",
        foreign.given_name,
        foreign.family_name,
        foreign.pseudonym,
        foreign.client_number,
        "Gemeente Qelders",
        shielded.given_name,
        shielded.family_name,
        shielded.bsn,
        "2009-11-23",
        "2027-11-23",  # the shielded client's 18th birthday, in its alert
    ):
        if re.search(rf"\b{re.escape(secret)}\b", text):
            found.append(secret)
    return found


@schema.parametrize()
@settings(
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_its_description_and_its_secrets(case, st_world, db, settings):
    world = st_world
    settings.MEDIA_ROOT = world.media_root  # where the world's report files are
    _towards_real_objects(case, world)
    for role in ROLES:
        response = case.call(
            app=APP,
            headers={
                "Authorization": f"Bearer {world.keys[role]}",
                "Accept-Language": "en",
            },
        )
        case.validate_response(response, checks=CHECKS)
        text = response.text if "json" in response.headers.get("Content-Type", "") else ""
        leaks = _leaks(text, role, world)
        assert not leaks, f"{case.method} {case.formatted_path} as {role} shows {leaks}"
