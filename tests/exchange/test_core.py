"""What every message passes before its kind is handled: the hardened parser, the header, the
folder transport, the refusals that store nothing, and the retour's shape (IV028).

Sources: iJw / iWmo 3.2 (Zorginstituut Nederland), "Condities, constraints, restricties per
data-element" (the header: BerichtVersie 3, CS025; BerichtSubversie 2, CS015; Identificatie at
most 12 positions, RS017), WJ001 (9056 for TR056, a repeated identification) and IV028 (a
retour copies the header of the message it answers, Afzender and Ontvanger unchanged, and adds
IdentificatieRetour and DagtekeningRetour).
"""

import datetime
from pathlib import Path

import pytest
from lxml import etree

from apps.exchange import incoming
from apps.exchange.models import Direction, Message, MessageStatus, Standard
from apps.exchange.retour import retour_build, retour_read
from apps.exchange.store import (
    message_next_identification,
    message_send,
    message_store,
    messages_deliver_pending,
)
from apps.exchange.transport import FolderTransport
from apps.exchange.xml import (
    MessageUnreadable,
    header_build,
    header_read,
    maker,
    parse_safely,
    serialise,
)
from tests.accounts.factories import OrganisationFactory

DATED = datetime.date(2026, 11, 2)


def _message(*, receiver: str, identification: str = "A1", kind: str = "JW301") -> bytes:
    m, _b = maker(Standard.IJW, kind)
    root = m.Bericht(
        header_build(
            standard=Standard.IJW,
            kind=kind,
            message_code="436",
            sender="0363",
            receiver=receiver,
            identification=identification,
            dated=DATED,
        ),
        m.Client(m.Bsn("999993653")),
    )
    return serialise(root)


def test_parse_safely_refuses_entities_and_doctypes():
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    with pytest.raises(MessageUnreadable):
        parse_safely(bomb)


def test_parse_safely_refuses_what_is_not_xml_and_deep_nesting():
    with pytest.raises(MessageUnreadable):
        parse_safely(b"not xml at all")
    deep = b"<a>" * 50_000 + b"</a>" * 50_000
    with pytest.raises(MessageUnreadable):
        parse_safely(deep)


def test_header_read_gives_back_what_header_build_wrote():
    root = parse_safely(_message(receiver="73000001", identification="ID-7"))
    header = header_read(root)
    assert (header.kind, header.sender, header.receiver, header.identification, header.dated) == (
        "JW301",
        "0363",
        "73000001",
        "ID-7",
        DATED,
    )
    assert not header.is_retour


def test_a_message_of_another_release_is_refused():
    content = _message(receiver="73000001").replace(b"/3_2/", b"/3_1/")
    with pytest.raises(MessageUnreadable, match=r"3\.1"):
        header_read(parse_safely(content))


@pytest.mark.django_db
def test_message_receive_refuses_without_storing(monkeypatch):
    organisation = OrganisationFactory()
    calls = []

    def handle(**kwargs):
        calls.append(kwargs)
        return message_store(
            organisation=kwargs["organisation"],
            direction=Direction.IN,
            header=kwargs["header"],
            content=kwargs["content"],
            filename=kwargs["filename"],
            status=MessageStatus.PROCESSED,
            actor=None,
        )

    monkeypatch.setitem(incoming.HANDLERS, "JW301", f"{__name__}._handler")
    monkeypatch.setattr(f"{__name__}._handler", handle, raising=False)

    other = incoming.message_receive(
        organisation=organisation,
        filename="x.xml",
        content=_message(receiver="12345678"),
        actor=None,
    )
    assert "12345678" in other.refused
    too_large = incoming.message_receive(
        organisation=organisation, filename="big.xml", content=b" " * (51 * 1024 * 1024), actor=None
    )
    assert "MB" in too_large.refused
    unknown = incoming.message_receive(
        organisation=organisation,
        filename="x.xml",
        content=_message(receiver=organisation.agb_code, kind="JW399").replace(b"436", b"999"),
        actor=None,
    )
    assert "JW399" in unknown.refused
    assert Message.objects.count() == 0
    assert calls == []

    first = incoming.message_receive(
        organisation=organisation,
        filename="a.xml",
        content=_message(receiver=organisation.agb_code),
        actor=None,
    )
    assert first.message is not None
    assert not first.refused
    again = incoming.message_receive(
        organisation=organisation,
        filename="b.xml",
        content=_message(receiver=organisation.agb_code),
        actor=None,
    )
    assert "received before" in again.refused or "eerder" in again.refused
    assert Message.objects.count() == 1
    stored = Message.objects.get()
    with stored.file.open("rb") as file:
        assert file.read() == _message(receiver=organisation.agb_code)


def _handler(**kwargs):  # replaced in the test above
    raise AssertionError


@pytest.mark.django_db
def test_outgoing_identifications_are_unique_and_at_most_12_positions():
    organisation = OrganisationFactory()
    numbers = [message_next_identification(organisation=organisation) for _ in range(3)]
    assert len(set(numbers)) == 3
    assert all(len(number) <= 12 for number in numbers)


def test_folder_transport_delivers_whole_files_and_acknowledges(tmp_path):
    transport = FolderTransport(tmp_path)
    transport.deliver(filename="JW305-1.xml", content=b"<a/>")
    assert (tmp_path / "out" / "JW305-1.xml").read_bytes() == b"<a/>"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "m.xml").write_bytes(b"<b/>")
    (tmp_path / "in" / "notes.txt").write_text("not a message")
    files = list(transport.fetch())
    assert [file.name for file in files] == ["m.xml"]
    transport.acknowledge(files[0])
    assert list(transport.fetch()) == []
    assert (tmp_path / "in" / "done" / "m.xml").exists()


def test_retour_copies_the_header_and_returns_the_classes_with_their_codes():
    original = parse_safely(_message(receiver="73000001", identification="H-1"))
    client = original.find("{*}Client")
    retour = retour_build(
        original=original,
        standard=Standard.IJW,
        retour_kind="JW302",
        identification="R-1",
        dated=DATED,
        header_codes=["0200"],
        class_codes={client: ["0001"]},
    )
    header = header_read(retour)
    # IV028: Afzender and Ontvanger stay as in the message answered; the retour's sender is
    # therefore its Ontvanger.
    assert (header.kind, header.identification, header.answers) == ("JW302", "R-1", "H-1")
    assert (header.sender, header.receiver) == ("73000001", "0363")
    assert retour.find("{*}Header/{*}BerichtCode").text == "437"
    reading = retour_read(retour)
    assert reading.header_codes == ["0200"]
    assert [(etree.QName(element).localname, codes) for element, codes in reading.classes] == [
        ("Client", ["0001"])
    ]
    assert not reading.accepted


def test_a_retour_without_remarks_is_the_header_only():
    original = parse_safely(_message(receiver="73000001"))
    retour = retour_build(
        original=original,
        standard=Standard.IJW,
        retour_kind="JW302",
        identification="R-2",
        dated=DATED,
    )
    assert [etree.QName(element).localname for element in retour] == ["Header"]
    assert retour_read(retour).accepted


class _BrokenTransport:
    name = "broken"

    def deliver(self, *, filename, content):
        raise OSError("the hub is down")


@pytest.mark.django_db
def test_a_message_the_transport_could_not_take_is_delivered_on_the_next_run(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    header = header_read(parse_safely(_message(receiver="0363", identification="OUT-1")))
    message = message_store(
        organisation=organisation,
        direction=Direction.OUT,
        header=header,
        content=_message(receiver="0363", identification="OUT-1"),
        filename="out.xml",
        status=MessageStatus.READY,
        actor=None,
    )
    monkeypatch.setattr("apps.exchange.store.transport_get", _BrokenTransport)
    with django_capture_on_commit_callbacks(execute=True):
        message_send(message=message, actor=None)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.sent_at is None  # kept for the next run, not lost

    monkeypatch.undo()
    assert messages_deliver_pending() == 1
    message.refresh_from_db()
    assert message.sent_at is not None
    assert (Path(settings.EXCHANGE_FOLDER) / "out" / "JW301-OUT-1.xml").exists()
    assert messages_deliver_pending() == 0  # never delivered twice
