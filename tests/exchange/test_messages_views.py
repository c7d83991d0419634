"""The manager's inbox and outbox, one message, its file, uploading and fetching."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.exchange.models import Direction, Message, MessageStatus
from apps.exchange.reads import message_outcome_short
from apps.exchange.transport import FolderTransport
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory
from tests.exchange.factories_pages import message_bytes, message_make, register
from tests.funding.factories import FunderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def manager(organisation):
    return UserFactory(organisation=organisation, roles=[Role.MANAGER])


@pytest.fixture
def named(organisation):
    return [ClientFactory(organisation=organisation) for _ in range(2)]


@pytest.fixture
def message(organisation, named):
    return message_make(
        organisation,
        clients=named,
        funder=FunderFactory(name="Gemeente Testdorp"),
        outcome=[{"code": "8001", "text": "", "path": "Client"}, {"text": "Nog te doen"}],
    )


def _upload(client, *files):
    return client.post(reverse("exchange:messages_upload"), {"files": list(files)})


def _xml(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/xml")


# --- who may open the pages ----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.TEACHER, Role.PRIVACY_OFFICER])
def test_other_roles_get_404_and_the_refusal_is_logged(client, organisation, message, role):
    user = UserFactory(organisation=organisation, roles=[role])
    client.force_login(user)
    urls = [
        reverse("exchange:messages"),
        reverse("exchange:message_detail", args=[message.pk]),
        reverse("exchange:message_file", args=[message.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    for url in (reverse("exchange:messages_upload"), reverse("exchange:messages_fetch")):
        assert client.post(url).status_code == 404
    refused = AccessLogEntry.objects.filter(user=user, outcome="refused")
    assert refused.count() == 5
    assert not AccessLogEntry.objects.filter(user=user, client__isnull=False).exists()


def test_a_manager_of_another_organisation_finds_nothing(client, message):
    stranger = UserFactory(roles=[Role.MANAGER])
    client.force_login(stranger)
    assert client.get(reverse("exchange:message_detail", args=[message.pk])).status_code == 404
    assert client.get(reverse("exchange:message_file", args=[message.pk])).status_code == 404
    # As the list writes it in its cell: a bare "M1" can turn up in the page's CSRF token.
    assert f">{message.identification}<" not in client.get(reverse("exchange:messages")).text
    assert AccessLogEntry.objects.filter(user=stranger, outcome="refused").count() == 2
    assert not AccessLogEntry.objects.filter(user=stranger, client__isnull=False).exists()


def test_the_navigation_shows_messages_to_managers_only(client, manager, organisation):
    client.force_login(manager)
    assert reverse("exchange:messages") in client.get(reverse("exchange:messages")).text
    caseworker = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    client.force_login(caseworker)
    assert 'href="/messages/"' not in client.get(reverse("clients:list")).text


# --- the lists -----------------------------------------------------------------------------


def test_the_inbox_and_outbox_list_newest_first_with_answers(client, manager, organisation):
    funder = FunderFactory(name="Gemeente Oost")
    first = message_make(organisation, identification="IN-1", funder=funder)
    second = message_make(organisation, identification="IN-2")
    answer = message_make(
        organisation,
        identification="OUT-1",
        kind="JW302",
        direction=Direction.OUT,
        status=MessageStatus.SENT,
        in_reply_to=first,
    )
    client.force_login(manager)
    inbox = client.get(reverse("exchange:messages")).text
    assert inbox.index("IN-2") < inbox.index("IN-1")  # newest first
    assert "OUT-1" in inbox  # as the answer of IN-1
    assert "Gemeente Oost" in inbox
    outbox = client.get(reverse("exchange:messages") + "?box=out").text
    assert "OUT-1" in outbox
    assert "IN-2" not in outbox
    assert second.pk
    assert answer.in_reply_to_id == first.pk


def test_the_filters(client, manager, organisation):
    funder = FunderFactory(name="Gemeente West")
    message_make(organisation, identification="KEEP", funder=funder)
    message_make(organisation, identification="DROP", status=MessageStatus.REJECTED)
    client.force_login(manager)
    url = reverse("exchange:messages")
    by_status = client.get(url, {"status": "rejected"}).text
    assert "DROP" in by_status
    assert "KEEP" not in by_status
    by_funder = client.get(url, {"funder": funder.pk}).text
    assert "KEEP" in by_funder
    assert "DROP" not in by_funder
    by_kind = client.get(url, {"kind": "JW301"}).text
    assert "KEEP" in by_kind
    assert "DROP" in by_kind


def test_the_list_takes_a_constant_number_of_queries(client, manager, organisation):
    client.force_login(manager)
    message_make(organisation, identification="Q0")
    client.get(reverse("exchange:messages"))  # warm up (sessions, translations)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("exchange:messages"))
    for number in range(1, 12):
        earlier = message_make(organisation, identification=f"Q{number}", funder=FunderFactory())
        message_make(
            organisation,
            identification=f"R{number}",
            kind="JW302",
            direction=Direction.OUT,
            status=MessageStatus.SENT,
            in_reply_to=earlier,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("exchange:messages"))
    assert response.text.count("Q1") >= 1
    assert len(many) == len(few)


def test_the_list_pages_by_50(client, manager, organisation):
    for number in range(51):
        message_make(organisation, identification=f"P{number:03d}")
    client.force_login(manager)
    first = client.get(reverse("exchange:messages")).text
    assert "P050" in first
    assert "P000" not in first
    second = client.get(reverse("exchange:messages"), {"page": 2}).text
    assert "P000" in second


# --- one message and its file --------------------------------------------------------------


def test_a_manager_sees_a_message_by_client_number_and_the_read_is_logged(
    client, manager, message, named
):
    client.force_login(manager)
    page = client.get(reverse("exchange:message_detail", args=[message.pk]))
    assert page.status_code == 200
    text = page.text
    for person in named:
        assert person.client_number in text
        assert person.family_name not in text
    assert "8001" in text  # the retour code, explained
    assert "Nog te doen" in text
    logged = AccessLogEntry.objects.filter(user=manager, event="view", outcome="allowed")
    assert sorted(entry.client_id for entry in logged) == sorted(p.pk for p in named)
    assert {entry.basis for entry in logged} == {"management"}


def test_the_outcome_speaks_the_users_language(client, manager, message):
    from django.utils import translation

    from apps.exchange.codes import retour_text

    client.force_login(manager)
    text = client.get(reverse("exchange:message_detail", args=[message.pk])).text
    with translation.override("nl"):
        assert retour_text("8001") in text


def test_a_retour_we_sent_is_not_waiting_for_an_answer(client, manager, organisation):
    """IV028: a retour (here the 302 of a 301) is the answer; nothing answers it. The outbox
    shows it sent, not "sent, no answer yet" for ever, as it does a 305 still unanswered."""
    from django.utils import translation

    retour = message_make(
        organisation,
        identification="R1",
        direction=Direction.OUT,
        status=MessageStatus.SENT,
        kind="JW302",
    )
    start = message_make(
        organisation,
        identification="S1",
        direction=Direction.OUT,
        status=MessageStatus.SENT,
        kind="JW305",
    )
    client.force_login(manager)
    outbox = client.get(reverse("exchange:messages") + "?box=out").text
    detail = client.get(reverse("exchange:message_detail", args=[retour.pk])).text
    with translation.override("nl"):
        waiting = str(MessageStatus.SENT.label)
        assert retour.get_status_display() != waiting
        assert start.get_status_display() == waiting
        assert retour.get_status_display() in detail
        assert outbox.count(retour.get_status_display()) == 1
        assert outbox.count(waiting) == 2  # the 305's row, and the status filter's option


def test_the_file_downloads_as_it_was_and_is_logged(client, manager, message, named):
    client.force_login(manager)
    response = client.get(reverse("exchange:message_file", args=[message.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="JW301-M1.xml"'
    assert response["Content-Type"] == "application/xml"
    with message.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    logged = AccessLogEntry.objects.filter(user=manager, event="export")
    assert sorted(entry.client_id for entry in logged) == sorted(p.pk for p in named)


def test_the_download_name_is_safe(manager, organisation):
    from apps.exchange.reads import message_download_name

    message = message_make(organisation, identification='../"x y')
    assert message_download_name(message) == "JW301-____x_y.xml"


# --- upload --------------------------------------------------------------------------------


def test_a_manager_uploads_files_and_sees_each_result(client, manager, organisation, monkeypatch):
    register(monkeypatch)
    client.force_login(manager)
    good = message_bytes(receiver=organisation.agb_code, identification="UP-1")
    response = _upload(
        client,
        _xml("good.xml", good),
        _xml("broken.xml", b"<not a message"),
        _xml("other.xml", message_bytes(receiver="12345678", identification="UP-2")),
    )
    assert response.status_code == 200
    text = response.text
    assert "good.xml" in text
    assert "opgeslagen" in text
    assert "broken.xml" in text
    assert "Dit bestand is geen bericht" in text
    assert "12345678" in text
    stored = Message.objects.get()
    assert (stored.identification, stored.created_by, stored.transport) == (
        "UP-1",
        manager,
        "upload",
    )


def test_a_duplicate_upload_is_refused_in_dutch_and_stores_nothing(
    client, manager, organisation, monkeypatch
):
    register(monkeypatch)
    client.force_login(manager)
    good = message_bytes(receiver=organisation.agb_code, identification="DUP")
    _upload(client, _xml("a.xml", good))
    response = _upload(client, _xml("b.xml", good))
    assert "eerder ontvangen" in response.text
    assert Message.objects.count() == 1


def test_a_broken_file_stores_nothing(client, manager, monkeypatch):
    register(monkeypatch)
    client.force_login(manager)
    response = _upload(client, _xml("x.xml", b"\x00\x01 geen xml"))
    assert "Dit bestand is geen bericht" in response.text
    assert Message.objects.count() == 0


def test_a_file_of_50_mb_is_refused_before_it_is_read(client, manager, monkeypatch):
    register(monkeypatch)
    client.force_login(manager)
    read = []
    monkeypatch.setattr(
        "apps.exchange.forms.MessageUploadForm.contents",
        lambda self: read.append(1) or [],
    )
    response = _upload(client, _xml("big.xml", b" " * (50 * 1024 * 1024)))
    assert response.status_code in (400, 413)
    assert "groter dan 20 MB" in response.text or "te groot" in response.text
    assert read == []
    assert Message.objects.count() == 0


def test_an_upload_announcing_more_than_the_limit_is_refused_unread(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("exchange:messages_upload"),
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(10**9),
    )
    assert response.status_code == 413
    assert "te groot" in response.text


def test_other_files_than_xml_and_too_many_files_are_refused(client, manager):
    client.force_login(manager)
    response = _upload(client, SimpleUploadedFile("notes.txt", b"x"))
    assert "geen XML-bestand" in response.text
    response = _upload(client, *[_xml(f"{n}.xml", b"<a/>") for n in range(21)])
    assert "hoogstens 20 bestanden" in response.text
    assert Message.objects.count() == 0


# --- fetch from the transport --------------------------------------------------------------


def test_fetch_receives_the_transports_files(client, manager, organisation, monkeypatch, settings):
    register(monkeypatch)
    inbox = FolderTransport().inbox
    inbox.mkdir(parents=True)
    (inbox / "m1.xml").write_bytes(message_bytes(receiver=organisation.agb_code))
    (inbox / "junk.xml").write_bytes(b"junk")
    client.force_login(manager)
    response = client.post(reverse("exchange:messages_fetch"), follow=True)
    assert response.status_code == 200
    assert Message.objects.of(organisation).count() == 1
    assert (inbox / "done" / "m1.xml").exists()
    assert (inbox / "refused" / "junk.xml").exists()
    assert "1 bericht ontvangen" in response.text
    assert "1 bestand is geweigerd" in response.text


def test_the_list_shows_the_first_line_that_says_what_is_wrong():
    # WJ001: 0200 says a part is in order; the list should name the code that refused it.
    message = Message(
        outcome=[
            {"code": "0200", "text": "", "path": "Header"},
            {"code": "S329", "text": "", "path": "ToegewezenProduct"},
        ]
    )
    assert message_outcome_short(message).startswith("S329")
    assert message_outcome_short(message).endswith("(+1)")
