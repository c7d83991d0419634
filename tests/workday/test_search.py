"""The manager's client search (/workday/clients/): what it finds, what it shows, what it logs."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.audit.models import AccessLogEntry
from apps.clients.models import Client

from .world import NOTE, build_world

pytestmark = pytest.mark.django_db
URL = reverse("workday:clients")


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """Three clients, the first shielded, and a foreign one; built once, rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world(3, shielded=1)
        Client.objects.filter(pk=world.clients[0].pk).update(
            given_name="Qcato", family_name="Qverborgen", bsn="999999990", pseudonym="Lynx-7"
        )
        Client.objects.filter(pk=world.clients[1].pk).update(
            given_name="Qanna", family_name="Qdevries", pseudonym="Merel-2"
        )
        for subject in world.clients:
            subject.refresh_from_db()
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db):
    return module_world


def _search(client, world, q, **params):
    client.force_login(world.manager)
    return client.get(URL, {"q": q, **params})


def _found(response) -> list[Client]:
    return list(response.context["page"].object_list)


def test_found_by_name_number_or_pseudonym_with_figures_only(client, world):
    anna = world.clients[1]
    for q in ("Qanna Qdevries", "qdevries", anna.client_number, "Merel"):
        assert _found(_search(client, world, q)) == [anna], q
    response = _search(client, world, "Qanna")
    (found,) = _found(response)
    assert (found.activity_count, found.unfunded_count, found.open_alert_count) == (2, 1, 1)
    assert found.open_trajectories[0].lead_caseworker == world.caseworker
    text = response.content.decode()
    assert "Qanna Qdevries" in text
    assert world.caseworker.get_full_name() in text
    assert reverse("clients:detail", args=[anna.pk]) in text
    assert NOTE not in text


def test_a_shielded_client_is_found_by_number_and_pseudonym_only_and_shown_by_pseudonym(
    client, world
):
    shielded = world.clients[0]
    for q in ("Qcato", "Qverborgen", "999999990", "Qcato Qverborgen"):
        assert _found(_search(client, world, q)) == [], q
    for q in (shielded.client_number, "Lynx"):
        response = _search(client, world, q)
        assert _found(response) == [shielded]
        text = response.content.decode()
        assert "Lynx-7" in text
        for secret in ("Qcato", "Qverborgen", "999999990"):
            assert secret not in text


def test_other_organisations_clients_never_appear(client, world):
    for q in ("Qdirk", "Buiten", world.foreign.client_number, "C0"):
        response = _search(client, world, q)
        assert world.foreign not in _found(response)
        assert "Qbuitenland" not in response.content.decode()


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("Q", "Typ minstens 2 tekens om te zoeken."),
        ("x" * 101, "Een zoekopdracht is hoogstens 100 tekens lang."),
        ("   ", "Typ een cliëntnummer, een pseudoniem of een naam."),
    ],
)
def test_a_too_short_or_too_long_search_is_explained(client, world, q, message):
    before = AccessLogEntry.objects.filter(event="search").count()
    response = _search(client, world, q)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["page"] is None
    assert AccessLogEntry.objects.filter(event="search").count() == before  # no search


def test_each_search_logs_the_clients_it_shows(client, world):
    response = _search(client, world, "Roos")  # the factories' pseudonyms: the two not renamed
    shown = _found(response)
    assert len(shown) == 1
    entries = AccessLogEntry.objects.filter(user=world.manager, detail="client search")
    assert [(e.client_id, e.event, e.basis, e.outcome, e.acting_role) for e in entries] == [
        (shown[0].pk, "search", "management", "allowed", "manager")
    ]
    _search(client, world, "geen-enkele-treffer")
    assert AccessLogEntry.objects.filter(
        user=world.manager, detail="client search: no match", client__isnull=True
    ).exists()


@pytest.mark.parametrize("role", ["caseworker", "teacher", "privacy_officer", "administrator"])
def test_other_roles_are_refused_and_logged(client, world, role):
    user = getattr(world, role)
    client.force_login(user)
    assert client.get(URL, {"q": "Qanna"}).status_code == 404
    assert AccessLogEntry.objects.filter(
        user=user, detail="client search", outcome="refused"
    ).exists()


def test_results_come_in_pages_in_a_fixed_number_of_queries(client, db):
    counts = []
    for size in (2, 27):
        world = build_world(size)
        client.force_login(world.manager)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"q": "Roos"})
        counts.append(len(queries))
        assert len(_found(response)) == min(size, 25)
    assert counts[0] == counts[1], counts
    page_two = client.get(URL, {"q": "Roos", "page": 2})
    assert len(_found(page_two)) == 2
    text = response.content.decode()
    assert "27 cliënten gevonden" in text
    assert "?q=Roos&amp;page=2" in text
