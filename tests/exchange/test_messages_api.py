"""The messages in the API: the organisation's managers only, every read of a message logged
against the clients it names, an import answers as an upload on the inbox page does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.audit.models import AccessLogEntry
from apps.exchange.models import Message
from tests.api.world import build_world
from tests.exchange.factories_pages import message_bytes, register

pytestmark = pytest.mark.django_db

LIST = "/api/v1/messages/"
IMPORT = "/api/v1/messages/import/"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.API_THROTTLE_RATES = {"user": "100000/minute", "anon": "100000/minute"}


@pytest.fixture
def world():
    return build_world()


def _api(world, role: str = "manager", language: str = "en") -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {world.keys[role]}", HTTP_ACCEPT_LANGUAGE=language
    )
    return client


def test_a_manager_lists_the_organisations_messages(world):
    response = _api(world).get(LIST)
    assert response.status_code == 200
    ids = [row["identification"] for row in response.json()["results"]]
    assert ids == ["WORLD-1"]  # not the other organisation's
    row = response.json()["results"][0]
    assert row["municipality"]["id"] == world.funder.pk
    assert row["file"].endswith(f"/api/v1/messages/{world.message.pk}/file/")
    assert "clients" not in row  # the list names no client and is not logged


def test_the_list_filters(world):
    api = _api(world)
    assert api.get(LIST, {"status": "rejected"}).json()["results"] == []
    assert len(api.get(LIST, {"direction": "in", "kind": "JW301"}).json()["results"]) == 1
    assert api.get(LIST, {"municipality": world.funder.pk + 1000}).json()["results"] == []
    bad = api.get(LIST, {"status": "nonsense"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "validation_error"


@pytest.mark.parametrize("role", ["caseworker", "teacher", "privacy_officer", "administrator"])
def test_other_roles_are_refused_and_logged(world, role):
    api = _api(world, role)
    pk = world.message.pk
    for url in (LIST, f"{LIST}{pk}/", f"{LIST}{pk}/file/"):
        response = api.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "permission_denied"
    response = api.post(IMPORT, {"file": SimpleUploadedFile("m.xml", b"<a/>")}, format="multipart")
    assert response.status_code == 403
    user = world.users[role]
    assert AccessLogEntry.objects.filter(user=user, outcome="refused").count() == 4
    assert not AccessLogEntry.objects.filter(user=user, client__isnull=False).exists()


def test_another_organisations_message_is_not_found_and_logged(world):
    api = _api(world)
    pk = world.foreign_message.pk
    for url in (f"{LIST}{pk}/", f"{LIST}{pk}/file/"):
        response = api.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    manager = world.users["manager"]
    assert AccessLogEntry.objects.filter(user=manager, outcome="refused").count() == 2


def test_the_detail_shows_the_outcome_and_clients_by_number_and_is_logged(world):
    response = _api(world, language="nl").get(f"{LIST}{world.message.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"][0]["code"] == "0200"
    assert body["outcome"][0]["text"]
    numbers = {world.clients["own"].client_number, world.clients["shielded"].client_number}
    assert {client["client_number"] for client in body["clients"]} == numbers
    text = response.content.decode()
    for secret in world.secrets_of("shielded"):
        assert secret not in text
    logged = AccessLogEntry.objects.filter(user=world.users["manager"], event="view")
    assert {entry.client_id for entry in logged} == {
        world.clients["own"].pk,
        world.clients["shielded"].pk,
    }
    assert {entry.basis for entry in logged} == {"management"}
    assert all(entry.detail.startswith("API: message") for entry in logged)


def test_the_file_is_served_as_it_was_and_logged(world):
    response = _api(world).get(f"{LIST}{world.message.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="JW301-WORLD-1.xml"'
    with world.message.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    logged = AccessLogEntry.objects.filter(user=world.users["manager"], event="export")
    assert logged.count() == 2


def test_import_stores_a_file(world, monkeypatch):
    register(monkeypatch)
    content = message_bytes(receiver=world.organisation.agb_code, identification="API-1")
    response = _api(world).post(
        IMPORT, {"file": SimpleUploadedFile("api.xml", content)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["filename"] == "api.xml"
    assert body["message"]["identification"] == "API-1"
    assert body["message"]["status"] == "processed"
    stored = Message.objects.get(identification="API-1")
    assert (stored.transport, stored.created_by) == ("api", world.users["manager"])


def test_import_refusals_are_errors_in_the_api_format_and_store_nothing(world, monkeypatch):
    register(monkeypatch)
    api = _api(world, language="nl")
    before = Message.objects.count()
    broken = api.post(IMPORT, {"file": SimpleUploadedFile("x.xml", b"kapot")}, format="multipart")
    assert broken.status_code == 400
    assert broken.json()["code"] == "message_refused"
    assert "geen bericht" in broken.json()["message"]
    content = message_bytes(receiver=world.organisation.agb_code, identification="API-2")
    api.post(IMPORT, {"file": SimpleUploadedFile("a.xml", content)}, format="multipart")
    again = api.post(IMPORT, {"file": SimpleUploadedFile("b.xml", content)}, format="multipart")
    assert again.status_code == 400
    assert "eerder ontvangen" in again.json()["message"]
    missing = api.post(IMPORT, {}, format="multipart")
    assert missing.status_code == 400
    assert missing.json()["code"] == "validation_error"
    assert "file" in missing.json()["errors"]
    assert Message.objects.count() == before + 1


def test_import_refuses_a_file_too_large_before_reading_it(world):
    response = _api(world).post(
        IMPORT,
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
