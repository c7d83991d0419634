"""Receiving allocations (JW301 iJw, WMO301 iWmo) and answering them (JW302, WMO302).

Sources: iJw / iWmo 3.2 (Zorginstituut Nederland). IV028 / IV032: a message that does not fit
the schema is not answered (level 1); a rule inside the message that fails answers the header
with 0001 and XsltVersie (level 2); a rule across messages returns the client's classes with
their codes, 0200 where there is no remark (level 3). WJ001: 9332 (TR332, the allocation number
is not unique), S329 (TR381, the product code does not belong to the category), 8848 (TR135).
IV066: an allocation changes only in its end date, budget and total volume (frequency 6), is
removed with RedenWijziging 13 and Einddatum = Ingangsdatum (CS335), and is otherwise replaced
under a new number. IV075: specific (Product with Code and Omvang), aspecific (Categorie only,
maybe Budget), generic (Budget only). CS002: the BSN passes the eleven-test.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from lxml import etree

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry, AccessOutcome
from apps.exchange.incoming import message_receive
from apps.exchange.models import (
    Direction,
    Message,
    MessageStatus,
    ReceivedAllocation,
    Standard,
    WaitingAllocation,
    WaitingStatus,
)
from apps.exchange.retour import retour_read
from apps.exchange.xml import child, parse_safely, schema_errors
from apps.funding.models import (
    Allocation,
    AllocationSource,
    AllocationStatus,
    AllocationVariant,
    Unit,
)
from apps.trajectories.allocations import allocation_replace
from apps.trajectories.assignment import allocation_change, allocation_register
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.exchange.factories_allocations_in import (
    BSN,
    UNKNOWN_BSN,
    setting,
    specific,
)
from tests.funding.factories import ProductFactory
from tests.trajectories.factories import TrajectoryFactory

pytestmark = pytest.mark.django_db

BOTH = [Standard.IJW, Standard.IWMO]


def _retour(message: Message):
    """The one retour of a message; it fits our 302 schema (IV028: exactly one)."""
    reply = message.replies.get()
    assert reply.direction == Direction.OUT
    assert reply.status == MessageStatus.SENT
    assert reply.kind == ("JW302" if message.standard == Standard.IJW else "WMO302")
    with reply.file.open("rb") as file:
        root = parse_safely(file.read())
    assert schema_errors(root, standard=reply.standard, kind=reply.kind) == []
    return root


def _client(s):
    return ClientFactory(organisation=s.organisation, bsn=BSN)


# --- the variants (IV075) ---------------------------------------------------------------------


@pytest.mark.parametrize("standard", BOTH)
def test_a_specific_allocation_is_registered_and_answered_with_the_header_only(standard):
    s = setting(standard)
    client = _client(s)
    received = s.receive([specific("1001")])
    assert not received.refused
    message = received.message
    assert message.status == MessageStatus.PROCESSED
    allocation = Allocation.objects.get(number="1001")
    assert allocation.client == client
    assert allocation.product == s.product
    assert (allocation.variant, allocation.volume, allocation.unit, allocation.frequency) == (
        AllocationVariant.SPECIFIC,
        600,
        Unit.MINUTE,
        "6",
    )
    assert allocation.source == AllocationSource.MESSAGE
    record = ReceivedAllocation.objects.get(allocation=allocation)
    assert (record.message, record.provider_reference) == (message, "")
    assert record.product["code"] == "45A01"
    retour = _retour(message)
    # IV028: no remark: only the header, without retour codes.
    assert child(retour, "Client") is None
    assert retour_read(retour).header_codes == []
    assert message.client_ids == [client.pk]


@pytest.mark.parametrize("budget", [None, 150_000])
def test_an_aspecific_allocation_names_a_category_and_maybe_a_budget(budget):
    s = setting()
    _client(s)
    line = {"number": "2001", "category": "45", "start": s.contract.start, "end": None}
    line["start"] = datetime.date(2026, 2, 1)
    line["budget_cents"] = budget
    received = s.receive([line])
    assert received.message.status == MessageStatus.PROCESSED, received.message.outcome
    allocation = Allocation.objects.get(number="2001")
    assert (allocation.variant, allocation.category, allocation.product) == (
        AllocationVariant.ASPECIFIC,
        "45",
        None,
    )
    assert allocation.budget_cents == budget
    assert allocation.contract == s.contract
    _retour(received.message)


def test_a_generic_allocation_is_a_budget():
    s = setting(Standard.IWMO)
    _client(s)
    received = s.receive(
        [{"number": "3001", "start": datetime.date(2026, 2, 1), "budget_cents": 250_000}]
    )
    assert received.message.status == MessageStatus.PROCESSED
    allocation = Allocation.objects.get(number="3001")
    assert (allocation.variant, allocation.budget_cents, allocation.category) == (
        AllocationVariant.GENERIC,
        250_000,
        "",
    )
    _retour(received.message)


def test_a_generic_allocation_without_budget_is_refused_and_nothing_is_made():
    s = setting()
    _client(s)
    received = s.receive([{"number": "3002", "start": datetime.date(2026, 2, 1)}])
    assert received.message.status == MessageStatus.REJECTED
    assert not Allocation.objects.exists()
    reading = retour_read(_retour(received.message))
    assert ["0001"] in [codes for _element, codes in reading.classes]


# --- changes, replacement, withdrawal (IV066) -------------------------------------------------


def test_a_change_as_iv066_allows_changes_the_same_allocation():
    s = setting()
    _client(s)
    s.receive([specific("1001")])
    received = s.receive(
        [specific("1001", end=datetime.date(2026, 6, 30), volume=400, reason="05")]
    )
    assert received.message.status == MessageStatus.PROCESSED, received.message.outcome
    allocation = Allocation.objects.get(number="1001")
    assert (allocation.end, allocation.volume, allocation.change_reason) == (
        datetime.date(2026, 6, 30),
        400,
        "05",
    )
    assert ReceivedAllocation.objects.get(allocation=allocation).message == received.message
    _retour(received.message)


def test_a_known_number_with_another_start_is_refused_with_9332_and_nothing_changes():
    s = setting()
    _client(s)
    s.receive([specific("1001")])
    received = s.receive([specific("1001", start=datetime.date(2026, 3, 1), reason="03")])
    assert received.message.status == MessageStatus.REJECTED
    assert Allocation.objects.get(number="1001").start == datetime.date(2026, 1, 1)
    reading = retour_read(_retour(received.message))
    assert reading.header_codes == ["0200"]
    codes = {etree.QName(element).localname: codes for element, codes in reading.classes}
    assert codes["Client"] == ["0200"]
    assert codes["Contact"] == ["0200"]
    assert codes["ToegewezenProduct"] == ["9332"]
    assert received.message.outcome[0]["code"] == "9332"


def test_an_end_and_a_new_number_from_the_next_day_is_one_replacement():
    s = setting()
    _client(s)
    s.receive([specific("1001")])
    received = s.receive(
        [
            specific("1001", end=datetime.date(2026, 6, 30), reason="03"),
            specific("1002", start=datetime.date(2026, 7, 1), volume=800),
        ]
    )
    assert received.message.status == MessageStatus.PROCESSED, received.message.outcome
    old = Allocation.objects.get(number="1001")
    new = Allocation.objects.get(number="1002")
    assert (old.end, old.change_reason) == (datetime.date(2026, 6, 30), "03")
    assert new.replaces == old
    assert (new.volume, new.source) == (800, AllocationSource.MESSAGE)
    _retour(received.message)


def test_reason_13_with_end_equal_to_start_withdraws_the_allocation():
    s = setting()
    _client(s)
    s.receive([specific("1001")])
    start = datetime.date(2026, 1, 1)
    received = s.receive([specific("1001", end=start, reason="13")])
    assert received.message.status == MessageStatus.PROCESSED, received.message.outcome
    allocation = Allocation.objects.get(number="1001")
    assert (allocation.status, allocation.change_reason) == (AllocationStatus.WITHDRAWN, "13")
    _retour(received.message)


# --- the waiting queue ------------------------------------------------------------------------


def test_an_unknown_bsn_waits_and_a_caseworker_links_it(client):
    s = setting()
    received = s.receive([specific("1001"), specific("1002", volume=120)], bsn=UNKNOWN_BSN)
    message = received.message
    assert message.status == MessageStatus.WAITING
    assert not Allocation.objects.exists()
    assert WaitingAllocation.objects.filter(status=WaitingStatus.WAITING).count() == 2
    _retour(message)  # the municipality hears nothing is wrong: header only
    assert child(_retour(message), "Client") is None

    person = ClientFactory(organisation=s.organisation, bsn=UNKNOWN_BSN)
    caseworker = TrajectoryFactory(client=person).lead_caseworker
    client.force_login(caseworker)
    page = client.get(reverse("exchange:waiting"))
    assert page.status_code == 200
    assert UNKNOWN_BSN.encode() in page.content
    assert person.family_name.encode() not in page.content  # no names of the waiting record
    assert AccessLogEntry.objects.filter(user=caseworker, detail__startswith="waiting").exists()

    waiting = WaitingAllocation.objects.order_by("pk").first()
    response = client.post(reverse("exchange:waiting_link", args=[waiting.pk]))
    assert response.status_code == 302
    assert set(Allocation.objects.values_list("number", flat=True)) == {"1001", "1002"}
    assert Allocation.objects.filter(client=person, source=AllocationSource.MESSAGE).count() == 2
    assert not WaitingAllocation.objects.filter(status=WaitingStatus.WAITING).exists()
    linked = WaitingAllocation.objects.get(pk=waiting.pk)
    assert (linked.client, linked.resolved_by, linked.status) == (
        person,
        caseworker,
        WaitingStatus.LINKED,
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.PROCESSED
    assert AccessLogEntry.objects.filter(
        user=caseworker, client=person, detail="link a waiting allocation"
    ).exists()


def test_linking_before_the_client_is_registered_says_register_first(client):
    s = setting()
    s.receive([specific("1001")], bsn=UNKNOWN_BSN)
    caseworker = UserFactory(organisation=s.organisation, roles=[Role.CASEWORKER])
    client.force_login(caseworker)
    page = client.get(reverse("exchange:waiting"))
    assert b"Registreer" in page.content or b"Register" in page.content
    waiting = WaitingAllocation.objects.get()
    response = client.post(reverse("exchange:waiting_link", args=[waiting.pk]), follow=True)
    assert response.status_code == 200
    assert WaitingAllocation.objects.get().status == WaitingStatus.WAITING
    assert not Allocation.objects.exists()


def test_a_caseworker_dismisses_a_waiting_allocation_and_the_message_is_processed(client):
    s = setting()
    received = s.receive([specific("1001")], bsn=UNKNOWN_BSN)
    caseworker = UserFactory(organisation=s.organisation, roles=[Role.CASEWORKER])
    client.force_login(caseworker)
    waiting = WaitingAllocation.objects.get()
    response = client.post(reverse("exchange:waiting_dismiss", args=[waiting.pk]))
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.status, waiting.resolved_by) == (WaitingStatus.DISMISSED, caseworker)
    received.message.refresh_from_db()
    assert received.message.status == MessageStatus.PROCESSED
    assert not Allocation.objects.exists()
    manager = UserFactory(organisation=s.organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    assert client.post(reverse("exchange:waiting_dismiss", args=[waiting.pk])).status_code == 404


def test_the_waiting_page_refuses_the_wrong_role_and_the_wrong_organisation(client):
    s = setting()
    s.receive([specific("1001")], bsn=UNKNOWN_BSN)
    waiting = WaitingAllocation.objects.get()
    manager = UserFactory(organisation=s.organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    assert client.get(reverse("exchange:waiting")).status_code == 404
    assert client.post(reverse("exchange:waiting_link", args=[waiting.pk])).status_code == 404
    assert AccessLogEntry.objects.filter(user=manager, outcome=AccessOutcome.REFUSED).count() == 2

    other = setting(code="0363")
    person = ClientFactory(organisation=other.organisation, bsn=UNKNOWN_BSN)
    outsider = TrajectoryFactory(client=person).lead_caseworker
    client.force_login(outsider)
    page = client.get(reverse("exchange:waiting"))
    assert page.status_code == 200
    assert UNKNOWN_BSN.encode() not in page.content
    assert client.post(reverse("exchange:waiting_link", args=[waiting.pk])).status_code == 404
    assert client.post(reverse("exchange:waiting_dismiss", args=[waiting.pk])).status_code == 404
    assert AccessLogEntry.objects.filter(user=outsider, outcome=AccessOutcome.REFUSED).count() == 2
    assert WaitingAllocation.objects.get().status == WaitingStatus.WAITING


def test_a_caseworker_who_may_not_see_the_client_cannot_link(client):
    s = setting()
    s.receive([specific("1001")], bsn=UNKNOWN_BSN)
    ClientFactory(organisation=s.organisation, bsn=UNKNOWN_BSN)  # not in this one's care team
    caseworker = UserFactory(organisation=s.organisation, roles=[Role.CASEWORKER])
    client.force_login(caseworker)
    waiting = WaitingAllocation.objects.get()
    assert client.post(reverse("exchange:waiting_link", args=[waiting.pk])).status_code == 404
    assert not Allocation.objects.exists()


# --- refusals ---------------------------------------------------------------------------------


def test_a_bsn_failing_the_eleven_test_answers_0001_in_the_header_and_changes_nothing():
    s = setting()
    received = s.receive([specific("1001")], bsn="123456789")  # CS002
    message = received.message
    assert message.status == MessageStatus.REJECTED
    assert "CS002" in message.outcome[0]["text"]
    retour = _retour(message)
    assert child(retour, "Client") is None
    assert retour_read(retour).header_codes == ["0001"]
    assert child(child(retour, "Header"), "XsltVersie") is not None  # level 2
    assert not Allocation.objects.exists()
    assert not WaitingAllocation.objects.exists()


def test_an_unknown_product_is_answered_with_s329_and_nothing_is_made():
    s = setting()
    _client(s)
    received = s.receive([specific("1001"), specific("1002", code="99Z99")], relations=2)
    assert received.message.status == MessageStatus.REJECTED
    assert not Allocation.objects.exists()  # the good line is rolled back too
    reading = retour_read(_retour(received.message))
    product_codes = [
        codes
        for element, codes in reading.classes
        if etree.QName(element).localname == "ToegewezenProduct"
    ]
    assert product_codes == [["0200"], ["S329"]]
    # IV028: every class of the client is returned with its code, the relations too.
    names = [etree.QName(element).localname for element, _codes in reading.classes]
    assert names.count("Relatie") == 2
    assert names.count("Contact") == 3


def test_a_municipality_without_a_contract_is_refused_on_the_header():
    s = setting(code="0344")
    _client(s)
    stranger = setting(code="0599")  # a municipality with a contract with another provider
    content = s.file([specific("1001")]).replace(b">0344<", b">0599<")
    received = message_receive(
        organisation=s.organisation, filename="x.xml", content=content, actor=None
    )
    assert stranger.funder.code == "0599"
    message = received.message
    assert message.status == MessageStatus.REJECTED
    assert "0599" in message.outcome[0]["text"]
    assert retour_read(_retour(message)).header_codes == ["0001"]
    assert not Allocation.objects.exists()


def test_a_duplicate_number_in_one_message_is_9332():
    s = setting()
    _client(s)
    received = s.receive([specific("1001"), specific("1001", volume=10)])
    assert received.message.status == MessageStatus.REJECTED
    assert not Allocation.objects.exists()
    _retour(received.message)


def test_a_message_in_a_wrong_namespace_does_not_fit_the_schema_and_is_not_answered():
    s = setting()
    _client(s)
    content = s.file([specific("1001")])
    # The client's elements in the basisschema's namespace instead of the message's.
    content = content.replace(b"<jw301:Bsn>", b"<ijw:Bsn>").replace(b"</jw301:Bsn>", b"</ijw:Bsn>")
    received = message_receive(
        organisation=s.organisation, filename="x.xml", content=content, actor=None
    )
    message = received.message
    assert message.status == MessageStatus.REJECTED  # level 1
    assert message.outcome
    assert "Bsn" in message.outcome[0]["text"]
    assert not message.replies.exists()
    assert not Allocation.objects.exists()


def test_a_message_missing_an_element_is_rejected_with_the_schema_errors():
    s = setting()
    _client(s)
    content = s.file([specific("1001")])
    content = content.replace(b"<jw301:Toewijzingstijd>12:00:00</jw301:Toewijzingstijd>", b"")
    received = message_receive(
        organisation=s.organisation, filename="x.xml", content=content, actor=None
    )
    assert received.message.status == MessageStatus.REJECTED
    assert any("Toewijzingstijd" in entry["text"] for entry in received.message.outcome)
    assert not received.message.replies.exists()
    assert not Allocation.objects.exists()


def test_the_same_message_twice_is_processed_once():
    s = setting()
    _client(s)
    content = s.file([specific("1001")], identification="SAME-1")
    first = message_receive(
        organisation=s.organisation, filename="a.xml", content=content, actor=None
    )
    again = message_receive(
        organisation=s.organisation, filename="b.xml", content=content, actor=None
    )
    assert first.message is not None
    assert again.refused
    assert again.message is None
    assert Allocation.objects.count() == 1
    assert Message.objects.filter(direction=Direction.OUT).count() == 1


def test_a_dagtekening_after_today_is_8848():
    s = setting()
    _client(s)
    content = s.file([specific("1001")]).replace(
        b"2026-11-02</ijw:Dagtekening>", b"2099-01-01</ijw:Dagtekening>"
    )
    received = message_receive(
        organisation=s.organisation, filename="x.xml", content=content, actor=None
    )
    assert retour_read(_retour(received.message)).header_codes == ["8848"]
    assert not Allocation.objects.exists()


# --- read-only in the app ---------------------------------------------------------------------


def test_an_allocation_from_a_message_is_not_changed_by_hand(client):
    s = setting()
    _client(s)
    received = s.receive([specific("1001")])
    allocation = Allocation.objects.get(number="1001")
    with pytest.raises(ValidationError):
        allocation_change(
            allocation=allocation, actor=None, reason="05", end=datetime.date(2026, 6, 30)
        )
    with pytest.raises(ValidationError):
        allocation_replace(
            allocation=allocation,
            actor=None,
            reason="03",
            number="X1",
            volume=10,
            frequency="6",
            start=datetime.date(2026, 7, 1),
            end=None,
        )
    manager = UserFactory(organisation=s.organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    page = client.get(reverse("funding:allocation_detail", args=[allocation.pk]))
    assert page.status_code == 200
    assert received.message.identification.encode() in page.content
    assert reverse("funding:allocation_change", args=[allocation.pk]).encode() not in page.content
    assert client.get(reverse("funding:allocation_change", args=[allocation.pk])).status_code == 404
    assert (
        client.post(reverse("funding:allocation_replace", args=[allocation.pk])).status_code == 404
    )
    allocation.refresh_from_db()
    assert allocation.end == datetime.date(2026, 12, 31)


def test_a_manual_allocation_stays_changeable_by_hand():
    s = setting()
    person = _client(s)
    product = ProductFactory(contract=s.contract, category="45", code="45B01")
    allocation, _matched = allocation_register(
        client=person,
        product=product,
        number="M-1",
        volume=100,
        frequency="6",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
        actor=None,
    )
    assert allocation.source == AllocationSource.MANUAL
    changed = allocation_change(
        allocation=allocation, actor=None, reason="05", end=datetime.date(2026, 6, 30)
    )
    assert changed.end == datetime.date(2026, 6, 30)


def test_the_api_refuses_to_change_or_replace_an_allocation_from_a_message(settings, tmp_path):
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from tests.api.world import build_world

    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    world = build_world()
    allocation = world.allocations["own"]
    Allocation.objects.filter(pk=allocation.pk).update(source=AllocationSource.MESSAGE)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {world.keys['manager']}", HTTP_ACCEPT_LANGUAGE="en")
    url = f"/api/v1/allocations/{allocation.pk}/"
    changed = api.patch(url, {"volume": 30, "reason": "05"}, format="json")
    assert changed.status_code == 400
    assert "JW301" in str(changed.json())
    replaced = api.post(
        f"{url}replace/",
        {
            "reason": "03",
            "number": "X-1",
            "volume": 10,
            "frequency": "6",
            "start": "2026-07-01",
            "end": None,
        },
        format="json",
    )
    assert replaced.status_code == 400
    allocation.refresh_from_db()
    assert (allocation.volume, allocation.change_reason) == (6000, "")
    cache.clear()
