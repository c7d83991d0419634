"""The whole exchange cycle with one municipality, on PostgreSQL, as its users live it.

A 301 comes in (uploaded on the inbox page) -> the allocations exist, read-only -> care is
logged -> a 305 goes out and the municipality's 306 accepts it -> the month closes -> a 323
goes out, sent from its page, whose total equals the per-funder report's for the same
municipality and month -> the 325 rejects one line -> the care is corrected and the line marked
corrected in the queue -> the next 323 holds the credit and debit lines (IV085, IV086) -> the
325 accepts it -> a 307 stops the care and the 308 accepts it.

The system is driven only through its entry points: ``incoming.message_receive`` (or the upload
page) for every file the municipality sends, the services for what the provider does, and the
pages through the test client where a manager would click. The municipality's answers are built
here from the files we sent, as the municipality's own system would: the 306 and 308 with
``retour_build`` (IV028), the 325 by hand from the 323's structure (IV087).

Two clients, two 301s (uploaded together): client A on a product per minute, client B on a
product per hour. The care is logged in whole hours for B, so that IV079's rounding of the
month's minutes to whole hours does not interfere with comparing the 323 with the report.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import etree

from apps.accounts.models import Role
from apps.core.domains import DOMAIN_OF_KIND
from apps.exchange.codes import MESSAGE_CODES
from apps.exchange.declarations import (
    declaration_draft,
)
from apps.exchange.incoming import message_receive
from apps.exchange.models import (
    DeclarationRun,
    DeclarationStatus,
    DeliveryNotice,
    Direction,
    LineStatus,
    Message,
    MessageStatus,
    NoticeKind,
    NoticeStatus,
    Standard,
)
from apps.exchange.retour import retour_build
from apps.exchange.startstop import deliveries_prepare
from apps.exchange.synthetic import jw301_file
from apps.exchange.xml import (
    child,
    children,
    header_build,
    header_read,
    kind_of,
    maker,
    message_namespace,
    parse_safely,
    schema_errors,
    serialise,
    text_at,
)
from apps.funding.models import Allocation, AllocationSource, Funder, FunderKind, Unit
from apps.reports.selectors import report_figures
from apps.trajectories.services import activity_correct, activity_log, trajectory_close
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.factories import ContractFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date
OCTOBER = D(2025, 10, 1)
OCTOBER_END = D(2025, 10, 31)
BSN_A, BSN_B = "999993653", "123456782"

# Per standard: the funding stream, and the products' category and codes (TR381: the code
# belongs to the category).
STANDARDS = {
    Standard.IJW: {"stream": "jeugdwet", "a": ("45", "45A07"), "b": ("46", "46A01")},
    Standard.IWMO: {"stream": "wmo", "a": ("02", "02A01"), "b": ("03", "03A01")},
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Provider:
    standard: str
    organisation: object
    manager: object
    caseworker: object
    funder: Funder
    products: dict
    trajectories: dict


def _provider(standard: str) -> Provider:
    """A provider with a contract with municipality 0344 (Utrecht) in the standard's stream,
    two products, and two clients of Utrecht with an open trajectory each."""
    spec = STANDARDS[standard]
    organisation = OrganisationFactory()
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    caseworker = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    funder, _created = Funder.objects.get_or_create(
        kind=FunderKind.MUNICIPALITY, code="0344", defaults={"name": "Gemeente Utrecht"}
    )
    funder.streams.add(stream(spec["stream"]))
    contract = ContractFactory(
        funder=funder, organisation=organisation, stream=stream(spec["stream"]), start=D(2025, 1, 1)
    )
    products = {
        "a": ProductFactory(
            contract=contract,
            category=spec["a"][0],
            code=spec["a"][1],
            unit=Unit.MINUTE,
            tariff_cents=187,
        ),
        "b": ProductFactory(
            contract=contract,
            category=spec["b"][0],
            code=spec["b"][1],
            unit=Unit.HOUR,
            tariff_cents=12345,
        ),
    }
    born = D(2012, 3, 4) if standard == Standard.IJW else D(1958, 3, 4)
    trajectories = {
        name: TrajectoryFactory(
            start=D(2025, 9, 1),
            client=ClientFactory(organisation=organisation, bsn=bsn, date_of_birth=born),
            lead_caseworker=caseworker,
        )
        for name, bsn in (("a", BSN_A), ("b", BSN_B))
    }
    return Provider(standard, organisation, manager, caseworker, funder, products, trajectories)


# --- what the municipality's system does -----------------------------------------------------


def _allocation_301(p: Provider, name: str, number: str, identification: str) -> bytes:
    """The municipality's 301 for one client: one specific product from 1 October 2025."""
    product = p.products[name]
    trajectory = p.trajectories[name]
    line = {
        "number": number,
        "category": product.category,
        "code": product.code,
        "start": OCTOBER,
        "end": D(2025, 12, 31),
        "volume": 600 if product.unit == Unit.MINUTE else 10,
        "unit": product.unit,
        "frequency": "6",  # total over the allocation's period
        "assigned_on": D(2025, 9, 25),
    }
    return jw301_file(
        standard=p.standard,
        municipality_code=p.funder.code,
        agb_code=p.organisation.agb_code,
        identification=identification,
        dated=D(2025, 9, 25),
        bsn=trajectory.client.bsn,
        birth_date=trajectory.client.date_of_birth,
        products=[line],
    )


def _retour(sent: bytes, *, identification: str, dated: datetime.date) -> bytes:
    """The municipality's retour (306 / 308) of a 305 / 307 that it accepts: its header only,
    without retour codes (IV028)."""
    original = parse_safely(sent)
    header = header_read(original)
    number = {"305": "306", "307": "308"}[header.kind[-3:]]
    return serialise(
        retour_build(
            original=original,
            standard=header.standard,
            retour_kind=kind_of(header.standard, number),
            identification=identification,
            dated=dated,
        )
    )


def _moved(element: etree._Element, old: str, new: str) -> etree._Element:
    """A copy of ``element`` with the elements of namespace ``old`` moved to ``new``."""
    qname = etree.QName(element)
    copy = etree.Element(
        etree.QName(new if qname.namespace == old else qname.namespace, qname.localname)
    )
    copy.text = element.text
    for sub in element:
        if isinstance(sub.tag, str):
            copy.append(_moved(sub, old, new))
    return copy


def _answer_325(
    sent: bytes, *, rejected: dict[str, str], identification: str, dated: datetime.date
) -> bytes:
    """The municipality's 325 to the 323 ``sent`` (IV087), read from the file alone: the lines
    whose ReferentieNummer is in ``rejected`` come back with that code under their client
    (0200), the others are left out (accepted); TotaalToegekendBedrag is what is granted."""
    declaration = parse_safely(sent)
    header = header_read(declaration)
    standard = header.standard
    kind = kind_of(standard, "325")
    old, new = message_namespace(standard, header.kind), message_namespace(standard, kind)
    m, b = maker(standard, kind)
    head = header_build(
        standard=standard,
        kind=kind,
        message_code=MESSAGE_CODES[kind],
        sender=header.receiver,
        receiver=header.sender,
        identification=identification,
        dated=dated,
    )
    head.append(
        m.DeclaratieIdentificatie(
            b.Identificatie(header.identification), b.Dagtekening(header.dated.isoformat())
        )
    )
    versions = child(child(declaration, "Header"), "XsdVersie")
    head.append(m.XsdVersieDeclaratie(*(_moved(sub, old, new) for sub in versions)))
    head.append(m.RetourCodes(m.RetourCode("0200")))

    body = child(declaration, "Declaratie")
    granted = 0
    clients = []
    for client in children(child(body, "Clienten"), "Client"):
        returned = []
        for prestatie in children(child(client, "Prestaties"), "Prestatie"):
            reference = text_at(prestatie, "ProductReferentie", "ReferentieNummer")
            cents = int(text_at(prestatie, "IngediendBedrag", "Bedrag"))
            sign = -1 if text_at(prestatie, "IngediendBedrag", "DebetCredit") == "C" else 1
            if reference in rejected:
                copy = _moved(prestatie, old, new)
                copy.append(m.RetourCodes(m.RetourCode(rejected[reference])))
                returned.append(copy)
            else:
                granted += sign * cents
        if returned:
            clients.append(
                m.Client(
                    m.Bsn(text_at(client, "Bsn")),
                    m.Prestaties(*returned),
                    m.RetourCodes(m.RetourCode("0200")),
                )
            )
    answer = [
        m.DeclaratieNummer(text_at(body, "DeclaratieNummer")),
        _moved(child(body, "TotaalIngediendBedrag"), old, new),
        m.TotaalToegekendBedrag(
            b.TotaalBedrag(str(abs(granted))), b.DebetCredit("C" if granted < 0 else "D")
        ),
    ]
    if clients:
        answer.append(m.Clienten(*clients))
    answer.append(m.RetourCodes(m.RetourCode("0200" if clients else "8001")))
    return serialise(m.Bericht(head, m.DeclaratieAntwoord(*answer)))


def _municipality_sends(p: Provider, content: bytes, filename: str) -> Message:
    kind = header_read(parse_safely(content)).kind
    assert schema_errors(parse_safely(content), standard=p.standard, kind=kind) == []
    received = message_receive(
        organisation=p.organisation, filename=filename, content=content, actor=None
    )
    assert received.refused == "", received.refused
    assert received.message.status == MessageStatus.PROCESSED, received.message.outcome
    return received.message


# --- what the provider's users see --------------------------------------------------------------


def _out() -> dict[str, bytes]:
    """The files in the folder transport's out/ folder, by name."""
    folder = Path(django_settings.EXCHANGE_FOLDER) / "out"
    if not folder.is_dir():
        return {}
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.xml"))}


def _sent(message: Message) -> bytes:
    """The file of an outgoing message as the transport delivered it, checked against what is
    stored and against our schema."""
    content = _out()[f"{message.kind}-{message.identification}.xml"]
    with message.file.open("rb") as file:
        assert file.read() == content
    root = parse_safely(content)
    assert schema_errors(root, standard=message.standard, kind=message.kind) == []
    return content


def _kinds_out() -> list[str]:
    return sorted(name.split("-")[0] for name in _out())


def _log_care(p: Provider, name: str, day: datetime.date, minutes: int):
    product = p.products[name]
    kind = product.activity_kinds[0]
    return activity_log(
        trajectory=p.trajectories[name],
        domain=DOMAIN_OF_KIND[kind],
        kind=kind,
        date=day,
        duration_minutes=minutes,
        performed_by=p.caseworker,
        actor=p.caseworker,
    )


def _report_cents(p: Provider) -> int:
    return report_figures(
        organisation=p.organisation,
        funder=p.funder,
        period_start=OCTOBER,
        period_end=OCTOBER_END,
    ).total_cents


def _323_total(content: bytes) -> int:
    body = child(parse_safely(content), "Declaratie")
    cents = int(text_at(body, "TotaalIngediendBedrag", "TotaalBedrag"))
    return -cents if text_at(body, "TotaalIngediendBedrag", "DebetCredit") == "C" else cents


def _prestaties(content: bytes) -> dict[tuple[str, str], etree._Element]:
    """The lines of a 323 by (ToewijzingNummer, DebetCredit)."""
    root = parse_safely(content)
    lines = {}
    for prestatie in root.iter(f"{{{etree.QName(root).namespace}}}Prestatie"):
        key = (
            text_at(prestatie, "ToewijzingNummer"),
            text_at(prestatie, "IngediendBedrag", "DebetCredit"),
        )
        assert key not in lines
        lines[key] = prestatie
    return lines


@pytest.mark.parametrize("standard", [Standard.IJW, Standard.IWMO])
def test_the_whole_cycle_with_a_municipality(
    postgres_only, standard, client, django_capture_on_commit_callbacks
):
    p = _provider(standard)
    k = {number: kind_of(standard, number) for number in ("301", "302", "305", "307", "323")}
    client.force_login(p.manager)

    # 1. The 301s come in: the manager uploads them on the inbox page.
    files = {
        "toewijzing-a.xml": _allocation_301(p, "a", "1001", "T-A-1"),
        "toewijzing-b.xml": _allocation_301(p, "b", "1002", "T-B-1"),
    }
    for content in files.values():
        assert schema_errors(parse_safely(content), standard=standard, kind=k["301"]) == []
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("exchange:messages_upload"),
            {
                "files": [
                    SimpleUploadedFile(name, content, content_type="application/xml")
                    for name, content in files.items()
                ]
            },
        )
    assert page.status_code == 200
    received = {m.identification: m for m in Message.objects.of(p.organisation).inbox()}
    assert set(received) == {"T-A-1", "T-B-1"}
    for name, identification in (("toewijzing-a.xml", "T-A-1"), ("toewijzing-b.xml", "T-B-1")):
        message = received[identification]
        assert (message.kind, message.status, message.transport) == (
            k["301"],
            MessageStatus.PROCESSED,
            "upload",
        )
        assert name in page.text
        assert f"{k['301']} {identification}" in page.text
        # Its one retour (IV028), the header only: in out/, fitting our schema.
        [retour] = message.replies.all()
        assert (retour.kind, retour.status) == (k["302"], MessageStatus.SENT)
        retour_root = parse_safely(_sent(retour))
        assert child(retour_root, "Client") is None
    assert _kinds_out() == [k["302"]] * 2
    inbox = client.get(reverse("exchange:messages"))
    assert inbox.status_code == 200
    assert "T-A-1" in inbox.text
    assert "T-B-1" in inbox.text
    detail = client.get(reverse("exchange:message_detail", args=[received["T-A-1"].pk]))
    assert detail.status_code == 200
    assert p.trajectories["a"].client.client_number in detail.text

    # 2. The allocations exist, from the message, and are read-only on their page.
    allocations = {
        a.number: a for a in Allocation.objects.filter(client__organisation=p.organisation)
    }
    assert set(allocations) == {"1001", "1002"}
    a, b = allocations["1001"], allocations["1002"]
    assert (a.client, a.product, a.source, a.volume) == (
        p.trajectories["a"].client,
        p.products["a"],
        AllocationSource.MESSAGE,
        600,
    )
    assert (b.client, b.product, b.unit) == (p.trajectories["b"].client, p.products["b"], Unit.HOUR)
    page = client.get(reverse("funding:allocation_detail", args=[a.pk]))
    assert page.status_code == 200
    assert "T-A-1" in page.text  # the message it came with
    change = reverse("funding:allocation_change", args=[a.pk])
    assert change not in page.text
    assert client.get(change).status_code == 404

    # 3. Care is logged in October: A 95 minutes, B two whole hours.
    _log_care(p, "a", D(2025, 10, 6), 45)
    a_late = _log_care(p, "a", D(2025, 10, 20), 50)
    _log_care(p, "b", D(2025, 10, 7), 60)
    b_late = _log_care(p, "b", D(2025, 10, 21), 60)
    for activity in (a_late, b_late):
        activity.refresh_from_db()
        assert activity.funding_status == "funded", activity.funding_reason
    assert a_late.allocation == a
    assert b_late.allocation == b

    # 4. The starts go out (305, one per client) and the municipality accepts them (306).
    with django_capture_on_commit_callbacks(execute=True):
        prepared = deliveries_prepare(
            organisation=p.organisation, today=D(2025, 11, 3), actor=p.manager
        )
    assert sorted(m.kind for m in prepared.messages) == [k["305"]] * 2
    for number, message in enumerate(prepared.messages, start=1):
        content = _sent(message)
        root = parse_safely(content)
        [start] = root.iter(f"{{{etree.QName(root).namespace}}}StartProduct")
        first_day = {"1001": "2025-10-06", "1002": "2025-10-07"}
        assert text_at(start, "Begindatum") == first_day[text_at(start, "ToewijzingNummer")]
        _municipality_sends(
            p, _retour(content, identification=f"R306-{number}", dated=D(2025, 11, 4)), "r.xml"
        )
        message.refresh_from_db()
        assert message.status == MessageStatus.ACCEPTED
    starts = DeliveryNotice.objects.filter(organisation=p.organisation, kind=NoticeKind.START)
    assert set(starts.values_list("status", flat=True)) == {NoticeStatus.ACCEPTED}
    assert starts.count() == 2

    # 5. October is over: the manager drafts its declaration and checks it against the
    # per-funder report on the run's page, then sends it from there.
    [run] = declaration_draft(
        organisation=p.organisation, funder=p.funder, month=OCTOBER, actor=p.manager
    )
    report = _report_cents(p)
    assert report == 95 * 187 + 2 * 12345  # whole hours: IV079 changes nothing here
    url = reverse("exchange:declaration_detail", args=[run.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["report_cents"] == run.total_cents == report
    # Managers see client numbers, not BSNs (the BSN is in the file the municipality gets).
    assert a.client.client_number in page.text
    assert b.client.client_number in page.text
    assert BSN_A not in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == DeclarationStatus.SENT
    assert run.message.status == MessageStatus.SENT
    first_323 = _sent(run.message)
    # The 323 claims what the report shows for the same municipality and month.
    assert _323_total(first_323) == report
    assert header_read(parse_safely(first_323)).receiver == "0344"
    lines = _prestaties(first_323)
    assert set(lines) == {("1001", "D"), ("1002", "D")}
    assert text_at(lines[("1001", "D")], "GeleverdVolume") == "95"
    assert text_at(lines[("1002", "D")], "GeleverdVolume") == "2"
    assert text_at(lines[("1002", "D")], "Eenheid") == Unit.HOUR
    assert set(run.lines.values_list("status", flat=True)) == {LineStatus.PENDING}

    # 6. The 325 rejects B's line.
    b_reference = text_at(lines[("1002", "D")], "ProductReferentie", "ReferentieNummer")
    answer = _municipality_sends(
        p,
        _answer_325(
            first_323,
            rejected={b_reference: "9321"},
            identification="A325-1",
            dated=D(2025, 11, 20),
        ),
        "antwoord-1.xml",
    )
    run.refresh_from_db()
    assert (run.status, run.answer, run.accepted_cents) == (
        DeclarationStatus.ANSWERED,
        answer,
        95 * 187,
    )
    assert run.message.status == MessageStatus.PARTLY_ACCEPTED
    line_a = run.lines.get(allocation=a)
    line_b = run.lines.get(allocation=b)
    assert (line_a.status, line_a.accepted_cents) == (LineStatus.ACCEPTED, 95 * 187)
    assert (line_b.status, line_b.retour_codes) == (LineStatus.REJECTED, ["9321"])

    # 7. The manager sees the rejected line in the queue. The care is put right (B's second
    # session was in November; A's second lasted 80 minutes, not 50) and the line is marked
    # corrected in the queue.
    queue = reverse("exchange:declarations_rejected")
    page = client.get(queue)
    assert b.client.client_number in page.text
    assert "9321" in page.text
    assert a.client.client_number not in page.text
    activity_correct(activity=b_late, actor=p.caseworker, date=D(2025, 11, 4))
    activity_correct(activity=a_late, actor=p.caseworker, duration_minutes=80)
    response = client.post(queue, {"line": line_b.pk, "resolution": "corrected", "reason": ""})
    assert response.status_code == 302
    line_b.refresh_from_db()
    assert (line_b.resolution, line_b.resolved_by) == ("corrected", p.manager)
    assert b.client.client_number not in client.get(queue).text

    # 8. The next 323 of October: A's accepted claim withdrawn with a credit line and claimed
    # anew (IV085, IV086), B's corrected line declared again.
    [second] = declaration_draft(
        organisation=p.organisation, funder=p.funder, month=OCTOBER, actor=p.manager
    )
    report = _report_cents(p)
    assert report == 125 * 187 + 1 * 12345
    url = reverse("exchange:declaration_detail", args=[second.pk])
    page = client.get(url)
    # The page adds what October's first declaration claims and still stands (A's line; B's
    # was rejected) to this one's claim: the report's figure.
    assert page.context["report_cents"] == report
    assert page.context["declared_before_cents"] == 95 * 187
    assert page.context["declared_cents"] == report
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    second.refresh_from_db()
    assert second.status == DeclarationStatus.SENT
    second_323 = _sent(second.message)
    lines = _prestaties(second_323)
    assert set(lines) == {("1001", "C"), ("1001", "D"), ("1002", "D")}
    credit = lines[("1001", "C")]
    assert text_at(credit, "ProductReferentie", "VorigReferentieNummer") == line_a.reference
    assert text_at(credit, "IngediendBedrag", "Bedrag") == str(95 * 187)
    assert text_at(lines[("1001", "D")], "GeleverdVolume") == "125"
    assert text_at(lines[("1002", "D")], "GeleverdVolume") == "1"
    assert _323_total(second_323) == 125 * 187 - 95 * 187 + 12345  # debits minus credits
    # What the municipality granted before plus this declaration is the report's figure.
    assert run.accepted_cents + _323_total(second_323) == report
    assert second.lines.get(allocation=b).declares_again == line_b

    # 9. The 325 accepts it all; October is declared as it now is.
    _municipality_sends(
        p,
        _answer_325(second_323, rejected={}, identification="A325-2", dated=D(2025, 11, 27)),
        "antwoord-2.xml",
    )
    second.refresh_from_db()
    assert (second.status, second.accepted_cents) == (
        DeclarationStatus.ANSWERED,
        125 * 187 - 95 * 187 + 12345,
    )
    assert second.message.status == MessageStatus.ACCEPTED
    line_a.refresh_from_db()
    assert line_a.status == LineStatus.SUPERSEDED
    assert (
        declaration_draft(
            organisation=p.organisation, funder=p.funder, month=OCTOBER, actor=p.manager
        )
        == []
    )
    assert DeclarationRun.objects.filter(organisation=p.organisation).count() == 2

    # 10. The care stops: both trajectories are closed; a 307 per client goes out and the
    # municipality accepts it (308).
    for trajectory in p.trajectories.values():
        trajectory_close(trajectory=trajectory, end=D(2025, 11, 14), actor=p.caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        stopped = deliveries_prepare(
            organisation=p.organisation, today=D(2025, 11, 17), actor=p.manager
        )
    assert sorted(m.kind for m in stopped.messages) == [k["307"]] * 2
    regular_end = {Standard.IJW: "31", Standard.IWMO: "19"}[standard]  # JZ588 / WMO588
    for number, message in enumerate(stopped.messages, start=1):
        content = _sent(message)
        root = parse_safely(content)
        [stop] = root.iter(f"{{{etree.QName(root).namespace}}}StopProduct")
        assert text_at(stop, "Einddatum") == "2025-11-14"
        assert text_at(stop, "RedenBeeindiging") == regular_end
        _municipality_sends(
            p, _retour(content, identification=f"R308-{number}", dated=D(2025, 11, 18)), "r.xml"
        )
        message.refresh_from_db()
        assert message.status == MessageStatus.ACCEPTED
    stops = DeliveryNotice.objects.filter(organisation=p.organisation, kind=NoticeKind.STOP)
    assert set(stops.values_list("status", flat=True)) == {NoticeStatus.ACCEPTED}
    assert stops.count() == 2

    # Everything that went out is in out/, and every message sent fits our schema.
    assert _kinds_out() == sorted([k["302"]] * 2 + [k["305"]] * 2 + [k["323"]] * 2 + [k["307"]] * 2)
    outbox = Message.objects.of(p.organisation).outbox()
    assert outbox.count() == 8
    for message in outbox:
        _sent(message)
    # Every message sent was answered; the 302s are retours, which nothing answers (IV028):
    # none is shown as still waiting for its answer.
    assert not outbox.filter(status=MessageStatus.SENT).exclude(kind=k["302"]).exists()
    assert all(m.get_status_display() != MessageStatus.SENT.label for m in outbox)
    page = client.get(reverse("exchange:messages") + "?box=out")
    assert page.status_code == 200
    # Every message, received or sent, opens on its page with what the system did.
    for message in Message.objects.of(p.organisation):
        page = client.get(reverse("exchange:message_detail", args=[message.pk]))
        assert page.status_code == 200, message.kind
        assert message.identification in page.text
    # The start and stop page lists the four notices, the declarations page the two runs.
    page = client.get(reverse("exchange:deliveries"))
    assert page.status_code == 200
    assert page.text.count("1001") >= 2
    page = client.get(reverse("exchange:declarations"))
    assert page.status_code == 200
    assert run.number in page.text
    assert second.number in page.text
    assert (
        Message.objects.of(p.organisation).filter(direction=Direction.IN).count() == 2 + 2 + 2 + 2
    )
