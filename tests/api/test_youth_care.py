"""The client's extended youth care in the API: read-only, with its basis and decision, for
those who see the client's funding (as on the client page)."""

import datetime

from apps.clients.models import ExtendedYouthCare
from tests.clients.factories import extended_youth_care

D = datetime.date


def test_the_caseworker_reads_the_extended_youth_care_with_its_basis(api, world):
    client = world.clients["own"]  # 18 on 17 May 2028
    extended_youth_care(
        client,
        until=D(2029, 5, 16),
        actor=world.users["caseworker"],
        decision_date=D(2026, 1, 15),
        decision_reference="VJH-API-1",
    )
    ExtendedYouthCare.objects.create(
        client=client, basis="unknown", start=D(2029, 6, 1), until=D(2029, 12, 31)
    )
    body = api("caseworker").get(f"/api/v1/clients/{client.pk}/").json()
    periods = body["extended_youth_care"]
    assert [period["basis"] for period in periods] == ["unknown", "continued"]
    latest, first = periods
    assert first["decision_reference"] == "VJH-API-1"
    assert (first["start"], first["until"], first["last_day"]) == (
        "2028-05-17",
        "2029-05-16",
        "2029-05-16",
    )
    assert latest["decision_date"] is None


def test_without_extended_youth_care_the_list_is_empty(api, world):
    body = api("caseworker").get(f"/api/v1/clients/{world.clients['own'].pk}/").json()
    assert body["extended_youth_care"] == []


def test_a_teacher_does_not_get_it(api, world):
    client = world.clients["own"]
    extended_youth_care(
        client, until=D(2029, 5, 16), actor=world.users["caseworker"], decision_date=D(2026, 1, 1)
    )
    body = api("teacher").get(f"/api/v1/clients/{client.pk}/").json()
    assert "extended_youth_care" not in body


def test_it_cannot_be_written_through_the_client_record(api, world):
    client = world.clients["own"]
    response = api("caseworker").patch(
        f"/api/v1/clients/{client.pk}/", {"extended_youth_care": []}, format="json"
    )
    assert response.status_code == 405
    assert not ExtendedYouthCare.objects.filter(client=client).exists()
