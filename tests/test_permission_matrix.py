"""One table drives every client-facing URL with every role against four clients.

The clients: one on the user's care team ("own"), one of the same organisation on another
team ("other"), a shielded one on another team ("shielded"), and one of another organisation
("foreign"). Expected: ALLOWED, REFUSED (404, logged as refused), or PSEUDONYM (allowed, but
no name, BSN or date of birth anywhere on the page). A client-facing URL that is missing from
the table fails the test.
"""

import datetime

import pytest
from django.urls import get_resolver, reverse

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.trajectories.services import care_team_join
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory
from tests.trajectories.factories import TrajectoryFactory

ALLOWED, REFUSED, PSEUDONYM = "allowed", "refused", "pseudonym"
ROLES = ["caseworker", "teacher", "job_coach", "manager", "privacy_officer", "administrator"]
TEAM_ROLE = {"caseworker": "caseworker", "teacher": "teacher", "job_coach": "job_coach"}


def row(own, other, shielded, foreign):
    return {"own": own, "other": other, "shielded": shielded, "foreign": foreign}


NOBODY = row(REFUSED, REFUSED, REFUSED, REFUSED)

MATRIX = {
    "clients:detail": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "manager": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:activity_new": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:education": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:work": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,
        "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:goal_new": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "job_coach": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:care_team": {
        "caseworker": row(ALLOWED, REFUSED, REFUSED, REFUSED),
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "clients:break_glass": {
        "caseworker": row(ALLOWED, ALLOWED, PSEUDONYM, REFUSED),
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": NOBODY,
        "administrator": NOBODY,
    },
    "audit:client_history": {
        "caseworker": NOBODY,
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": row(PSEUDONYM, PSEUDONYM, PSEUDONYM, REFUSED),
        "administrator": NOBODY,
    },
    "audit:client_access_report": {
        "caseworker": NOBODY,
        "teacher": NOBODY,
        "job_coach": NOBODY,
        "manager": NOBODY,
        "privacy_officer": row(PSEUDONYM, PSEUDONYM, PSEUDONYM, REFUSED),
        "administrator": NOBODY,
    },
}
# Pages without a client in the URL: which roles may open them.
ROLE_PAGES = {
    "clients:list": {
        "caseworker",
        "teacher",
        "job_coach",
        "manager",
        "privacy_officer",
        "administrator",
    },
    "clients:break_glass_find": {"caseworker"},
    "audit:home": {"privacy_officer"},
    "funding:overview": {"manager"},
    "reports:list": {"manager"},
}
# Reached only by POST from a page in the table; tested in tests/audit and
# tests/trajectories/test_forms_views.py.
POST_ONLY = {
    "audit:break_glass_review",
    "clients:activity_preview",
    "clients:goal_progress",
    "clients:care_team_remove",
    # A report run's pages (tests/reports/test_views.py): managers of its organisation only.
    "reports:status",
    "reports:download",
}


def _client_facing_url_names() -> set[str]:
    names = set()
    resolver = get_resolver()
    for namespace in ("clients", "audit", "funding", "reports"):
        _prefix, sub = resolver.namespace_dict[namespace]
        for pattern in sub.url_patterns:
            names.add(f"{namespace}:{pattern.name}")
    return names


def test_every_client_facing_url_is_in_the_table():
    assert _client_facing_url_names() == set(MATRIX) | set(ROLE_PAGES) | POST_ONLY


@pytest.fixture
def world(db):
    organisation = OrganisationFactory()
    lead = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    users = {role: UserFactory(organisation=organisation, roles=[Role(role)]) for role in ROLES}
    clients = {
        "own": ClientFactory(
            organisation=organisation, given_name="Qannelies", family_name="Qeigenteam"
        ),
        "other": ClientFactory(
            organisation=organisation, given_name="Qbram", family_name="Qandersteam"
        ),
        "shielded": ClientFactory(
            organisation=organisation,
            given_name="Qcato",
            family_name="Qverborgen",
            shielded=True,
            date_of_birth=datetime.date(2009, 11, 23),
            bsn="999999990",
        ),
        "foreign": ClientFactory(given_name="Qdirk", family_name="Qbuitenland"),
    }
    trajectories = {
        key: TrajectoryFactory(client=client, lead_caseworker=lead if key != "foreign" else None)
        if key != "foreign"
        else TrajectoryFactory(client=client)
        for key, client in clients.items()
    }
    for role, team_role in TEAM_ROLE.items():
        care_team_join(
            trajectory=trajectories["own"],
            user=users[role],
            role=team_role,
            start=datetime.date(2025, 1, 1),
            actor=lead,
        )
    return users, clients


def _check(response, expected, client):
    # The names are unlike any name the factories give users, so a hit is a leak.
    if expected == REFUSED:
        # 404 where the client may not be seen at all, 403 where it may be seen but not this.
        assert response.status_code in (403, 404)
        return
    assert response.status_code == 200
    text = response.content.decode()
    if expected == PSEUDONYM or client.shielded:
        assert client.pseudonym in text
        for secret in (client.given_name, client.family_name, client.bsn or "no-bsn", "23-11-2009"):
            assert secret not in text


CASES = [
    (url_name, role, target)
    for url_name, by_role in MATRIX.items()
    for role in ROLES
    for target in ("own", "other", "shielded", "foreign")
]


@pytest.mark.parametrize(("url_name", "role", "target"), CASES)
def test_permission_matrix(world, client, url_name, role, target):
    users, clients = world
    user, subject = users[role], clients[target]
    expected = MATRIX[url_name][role][target]
    client.force_login(user)
    before = AccessLogEntry.objects.filter(user=user, client=subject).count()
    response = client.get(reverse(url_name, kwargs={"pk": subject.pk}))
    _check(response, expected, subject)
    entries = AccessLogEntry.objects.filter(user=user, client=subject).order_by("pk")[before:]
    outcomes = [entry.outcome for entry in entries]
    if expected == REFUSED:
        assert "refused" in outcomes, "a refused read is logged"
        assert "allowed" not in outcomes
    else:
        assert outcomes.count("allowed") >= 1, "an allowed read is logged"


@pytest.mark.parametrize(("url_name", "role"), [(u, r) for u in ROLE_PAGES for r in ROLES])
def test_role_pages(world, client, url_name, role):
    users, _clients = world
    client.force_login(users[role])
    response = client.get(reverse(url_name))
    assert response.status_code == (200 if role in ROLE_PAGES[url_name] else 404)
