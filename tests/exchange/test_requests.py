"""Requests to a municipality: for an allocation (315) from the unfunded queue, for a change
(317), the retours (316, 318), the answer (319) and our retour to it (320), and the allocation
(301) that honours a request.

Sources: iJw / iWmo release 3.2 (Zorginstituut Nederland): TR347 (the reference is unique for
the provider), TR349 (a change request lists all current allocations), TR355 (an answer for a
reference of no request: 9355), TR357, TR359, TR360 / TR365, TR374 (no second request while
one is pending), CD085 / CD086 (a refusal has a reason, "being investigated" none), IV028 (one
retour per message: the header only when all is in order), WJ759 / WJ760 (the answer's codes).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry, AccessOutcome
from apps.exchange.incoming import message_receive
from apps.exchange.models import (
    AllocationRequest,
    Direction,
    Message,
    MessageStatus,
    RequestKind,
    RequestStatus,
    Standard,
)
from apps.exchange.requests import (
    allocation_request_create,
    allocation_request_honoured,
    allocation_request_proposal,
    allocation_request_send,
    change_request_create,
    change_request_send,
)
from apps.exchange.retour import retour_build, retour_read
from apps.exchange.synthetic import jw301_file
from apps.exchange.xml import header_build, maker, parse_safely, schema_errors, serialise
from apps.funding.models import Frequency, FunderKind, Unit
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory, municipality
from tests.funding.builders import log
from tests.funding.factories import (
    AllocationFactory,
    ContractFactory,
    FunderFactory,
    ProductFactory,
    stream,
)
from tests.trajectories.factories import TrajectoryFactory

pytestmark = pytest.mark.django_db
D = datetime.date
BSN = "999993653"


def _bsns():
    """BSNs that pass the eleven-test (CS002), one after another."""
    number = 100000000
    while True:
        number += 1
        digits = [int(d) for d in f"{number:09d}"]
        total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
        if (total - digits[8]) % 11 == 0:
            yield f"{number:09d}"


BSNS = _bsns()


class World:
    """A provider with a Jeugdwet contract of Utrecht (0344) and a Wmo contract of Utrecht, a
    manager, and a 14-year-old of Utrecht whose care waits unfunded since 10 March 2025."""

    def __init__(self):
        self.organisation = OrganisationFactory(name="Stichting Verzoek", agb_code="73001234")
        self.manager = UserFactory(organisation=self.organisation, roles=[Role.MANAGER])
        self.caseworker = UserFactory(organisation=self.organisation, roles=[Role.CASEWORKER])
        self.utrecht = FunderFactory(
            name="Gemeente Utrecht", kind=FunderKind.MUNICIPALITY, code="0344"
        )
        self.utrecht.streams.set([stream("jeugdwet"), stream("wmo")])
        contract = ContractFactory(
            funder=self.utrecht,
            organisation=self.organisation,
            stream=stream("jeugdwet"),
            start=D(2025, 1, 1),
        )
        self.product = ProductFactory(
            contract=contract, category="45", code="45A48", unit=Unit.MINUTE, tariff_cents=200
        )
        self.client = ClientFactory(
            organisation=self.organisation,
            bsn=BSN,
            family_name="van den Berg",
            given_name="Sanne",
            date_of_birth=D(2011, 6, 1),
            municipality=municipality("0344"),
        )
        self.trajectory = TrajectoryFactory(
            client=self.client, lead_caseworker=self.caseworker, start=D(2025, 1, 1)
        )
        self.activities = [
            log(self.trajectory, D(2025, 3, 10), minutes=60),
            log(self.trajectory, D(2025, 3, 12), minutes=90),
        ]

    def request(self, **overrides):
        values = {
            "organisation": self.organisation,
            "client": self.client,
            "standard": Standard.IJW,
            "product": self.product,
            "volume": 150,
            "frequency": Frequency.TOTAL,
            "start": D(2025, 3, 10),
            "end": D(2025, 12, 31),
            "referrer_type": "06",
            "activity_ids": [activity.pk for activity in self.activities],
            "actor": self.manager,
        }
        values.update(overrides)
        return allocation_request_create(**values)

    def sent(self, **overrides):
        request = self.request(**overrides)
        allocation_request_send(request=request, actor=self.manager)
        request.refresh_from_db()
        return request

    def receive(self, root):
        return message_receive(
            organisation=self.organisation,
            filename="in.xml",
            content=serialise(root),
            actor=None,
        )


@pytest.fixture
def world():
    return World()


def _root_of(message: Message):
    with message.file.open("rb") as handle:
        return parse_safely(handle.read())


def _answer(world, reference, value, reason="", *, standard=Standard.IJW, identification="A-1"):
    kind = "JW319" if standard == Standard.IJW else "WMO319"
    m, _b = maker(standard, kind)
    answer = [m.ReferentieAanbieder(reference), m.VerzoekAntwoord(value)]
    if reason:
        answer.append(m.RedenAfwijzingVerzoek(reason))
    return m.Bericht(
        header_build(
            standard=standard,
            kind=kind,
            message_code="488" if standard == Standard.IJW else "482",
            sender="0344",
            receiver=world.organisation.agb_code,
            identification=identification,
            dated=timezone.localdate(),
        ),
        m.Antwoord(*answer),
    )


def _retour_of_sent(request, *, kind="JW316", codes=None):
    """The municipality's retour of our request (IV028), built from the message we sent."""
    original = _root_of(request.sent_message)
    class_codes = None
    if codes:
        product = original.find(".//{*}AangevraagdProduct")
        client = original.find(".//{*}Client")
        class_codes = {client: ["0200"], product: codes}
    return retour_build(
        original=original,
        standard=request.standard,
        retour_kind=kind,
        identification="R-1",
        dated=timezone.localdate(),
        header_codes=["0200"] if codes else [],
        class_codes=class_codes,
    )


def _replies(message):
    return Message.objects.filter(in_reply_to=message, direction=Direction.OUT)


# --- the proposal and the 315 -------------------------------------------------------------


def test_the_proposal_names_the_responsible_municipality_product_and_volume(world):
    proposal = allocation_request_proposal(organisation=world.organisation, client=world.client)
    assert proposal.problem == ""
    assert (proposal.standard, proposal.funder, proposal.product) == (
        Standard.IJW,
        world.utrecht,
        world.product,
    )
    # 60 + 90 minutes waited; the product counts minutes.
    assert (proposal.volume, proposal.unit, proposal.start) == (150, Unit.MINUTE, D(2025, 3, 10))
    assert proposal.activity_ids == [activity.pk for activity in world.activities]


def test_a_request_from_unfunded_care_is_a_valid_315_to_the_responsible_municipality(world):
    request = world.sent()
    message = request.sent_message
    assert request.status == RequestStatus.SENT
    assert (message.kind, message.direction, message.status) == ("JW315", "out", "sent")
    assert (message.sender, message.receiver, message.funder) == ("73001234", "0344", world.utrecht)
    root = _root_of(message)
    assert schema_errors(root, standard=Standard.IJW, kind="JW315") == []
    product = root.find(".//{*}AangevraagdProduct")
    assert product.findtext("{*}ReferentieAanbieder") == request.provider_reference
    assert len(request.provider_reference) <= 36  # RS024
    assert product.findtext("{*}Product/{*}Code") == "45A48"
    assert product.findtext("{*}Omvang/{*}Volume") == "150"
    assert product.findtext("{*}Verwijzer/{*}Type") == "06"
    assert root.findtext(".//{*}Naam/{*}Geslachtsnaam/{*}Voorvoegsel") == "van den"
    assert root.findtext(".//{*}Geboortedatum/{*}Datum") == "2011-06-01"
    # The file reached the transport, once.
    assert message.client_ids == [world.client.pk]


def test_a_wmo_request_goes_to_the_municipality_of_residence(world):
    wmo = ContractFactory(
        funder=world.utrecht,
        organisation=world.organisation,
        stream=stream("wmo"),
        start=D(2025, 1, 1),
    )
    product = ProductFactory(contract=wmo, category="02", code="02A01", unit=Unit.HOUR)
    request = world.sent(standard=Standard.IWMO, product=product, volume=3)
    assert request.sent_message.kind == "WMO315"
    root = _root_of(request.sent_message)
    assert schema_errors(root, standard=Standard.IWMO, kind="WMO315") == []
    assert root.find(".//{*}GezagsdragerBekend") is None  # iJw only


def test_no_second_request_while_one_is_pending(world):
    # TR374 (9374): a request is already being handled.
    world.sent()
    with pytest.raises(ValidationError, match="TR374"):
        world.request()
    # The care requested is not proposed again.
    proposal = allocation_request_proposal(organisation=world.organisation, client=world.client)
    assert proposal.activities == []
    assert proposal.problem


def test_a_refused_request_may_be_made_again(world):
    request = world.sent()
    world.receive(_answer(world, request.provider_reference, "1", "3"))
    assert world.request().status == RequestStatus.DRAFT


def test_a_message_that_does_not_fit_its_schema_is_never_sent(world, monkeypatch):
    request = world.request()
    monkeypatch.setattr(
        "apps.exchange.requests.schema_errors", lambda root, **kw: ["line 1: broken"]
    )
    with pytest.raises(RuntimeError, match="does not fit the schema"):
        allocation_request_send(request=request, actor=world.manager)
    request.refresh_from_db()
    assert request.status == RequestStatus.DRAFT
    assert not Message.objects.exists()


def test_the_request_refuses_what_the_conditions_forbid(world):
    with pytest.raises(ValidationError) as refused:
        world.request(budget_cents=10000)  # CD077 / CD078: not both
    assert "budget_cents" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        world.request(referrer_type="02")  # CD067: a doctor is named or coded
    assert "referrer_name" in refused.value.message_dict


# --- the retour 316 -----------------------------------------------------------------------


def test_a_316_without_remarks_marks_the_request_received(world):
    request = world.sent()
    received = world.receive(_retour_of_sent(request))
    assert received.refused == ""
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED
    assert request.retour_message == received.message
    assert received.message.in_reply_to == request.sent_message
    request.sent_message.refresh_from_db()
    assert request.sent_message.status == MessageStatus.ACCEPTED
    assert not _replies(received.message).exists()  # a retour is not answered


def test_a_316_with_codes_refuses_the_request_and_explains_them(world):
    request = world.sent()
    received = world.receive(_retour_of_sent(request, codes=["9374"]))
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    assert request.retour_codes == ["9374"]
    [outcome] = [item for item in received.message.outcome if item["code"] == "9374"]
    assert "TR374" in outcome["text"]
    request.sent_message.refresh_from_db()
    assert request.sent_message.status == MessageStatus.REFUSED


def test_a_316_for_a_message_never_sent_is_stored_rejected(world):
    request = world.sent()
    retour = _retour_of_sent(request)
    retour.find(".//{*}BerichtIdentificatie/{*}Identificatie").text = "999999"
    received = world.receive(retour)
    assert received.message.status == MessageStatus.REJECTED
    request.refresh_from_db()
    assert request.status == RequestStatus.SENT


# --- the answer 319 and our 320 -----------------------------------------------------------


def _retour_sent_for(message):
    [retour] = _replies(message)
    root = _root_of(retour)
    assert retour.kind.endswith("320")
    assert schema_errors(root, standard=retour.standard, kind=retour.kind) == []
    return retour, retour_read(root)


def test_a_refusal_updates_the_request_and_is_answered_with_a_valid_320(world):
    request = world.sent()
    received = world.receive(_answer(world, request.provider_reference, "1", "3"))
    request.refresh_from_db()
    assert (request.status, request.answer, request.refusal_reason) == (
        RequestStatus.REFUSED,
        "1",
        "3",
    )
    with translation.override("en"):
        assert request.get_refusal_reason_display() == "No contract"
    assert request.get_refusal_reason_display() == "Geen contract"
    assert received.message.status == MessageStatus.PROCESSED
    retour, reading = _retour_sent_for(received.message)
    # IV028: all in order, the header only.
    assert reading.header_codes == []
    assert reading.classes == []
    assert (retour.sender, retour.receiver, retour.status) == ("73001234", "0344", "sent")


def test_being_investigated_and_then_refused(world):
    request = world.sent()
    world.receive(_answer(world, request.provider_reference, "2"))
    request.refresh_from_db()
    assert request.status == RequestStatus.INVESTIGATING
    assert request.is_pending
    world.receive(_answer(world, request.provider_reference, "1", "7", identification="A-2"))
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED


def test_a_second_being_investigated_is_answered_with_9360(world):
    # TR360: an answer "being investigated" was received before for this reference.
    request = world.sent()
    world.receive(_answer(world, request.provider_reference, "2"))
    second = world.receive(_answer(world, request.provider_reference, "2", identification="A-2"))
    _retour, reading = _retour_sent_for(second.message)
    assert reading.header_codes == ["0200"]
    assert [codes for _element, codes in reading.classes] == [["9360"]]


def test_an_answer_after_a_refusal_is_answered_with_9365(world):
    request = world.sent()
    world.receive(_answer(world, request.provider_reference, "1", "3"))
    again = world.receive(_answer(world, request.provider_reference, "2", identification="A-2"))
    _retour, reading = _retour_sent_for(again.message)
    assert [codes for _element, codes in reading.classes] == [["9365"]]


def test_an_answer_for_an_unknown_reference_is_answered_with_9355(world):
    # TR355: the reference is in no earlier request.
    received = world.receive(_answer(world, "VOT-ONBEKEND", "1", "3"))
    assert received.message.status == MessageStatus.REJECTED
    retour, reading = _retour_sent_for(received.message)
    assert [codes for _element, codes in reading.classes] == [["9355"]]
    assert retour.in_reply_to == received.message


def test_a_refusal_without_a_reason_is_refused_on_the_rules(world):
    # CD085: with VerzoekAntwoord 1 the reason is filled; level 2: the header with 0001.
    request = world.sent()
    received = world.receive(_answer(world, request.provider_reference, "1"))
    _retour, reading = _retour_sent_for(received.message)
    assert reading.header_codes == ["0001"]
    assert reading.classes == []
    request.refresh_from_db()
    assert request.status == RequestStatus.SENT


def test_the_wmo_answer_gets_a_wmo320(world):
    wmo = ContractFactory(
        funder=world.utrecht,
        organisation=world.organisation,
        stream=stream("wmo"),
        start=D(2025, 1, 1),
    )
    product = ProductFactory(contract=wmo, category="02", code="02A01", unit=Unit.HOUR)
    request = world.sent(standard=Standard.IWMO, product=product, volume=3)
    received = world.receive(
        _answer(world, request.provider_reference, "2", standard=Standard.IWMO)
    )
    retour, _reading = _retour_sent_for(received.message)
    assert retour.kind == "WMO320"


# --- honoured: the 301 that answers a request ---------------------------------------------


def test_the_allocation_received_honours_the_request(world):
    request = world.sent()
    allocation = AllocationFactory(client=world.client, product=world.product, number="20071")
    honoured = allocation_request_honoured(
        provider_reference=request.provider_reference, allocation=allocation, actor=None
    )
    assert honoured == request
    request.refresh_from_db()
    assert (request.status, request.honoured_by) == (RequestStatus.HONOURED, allocation)
    assert request.history.first().status == RequestStatus.HONOURED
    # TR359: a second allocation for the same reference, and an answer after it.
    other = AllocationFactory(client=world.client, product=world.product, number="20072")
    with pytest.raises(ValidationError) as refused:
        allocation_request_honoured(
            provider_reference=request.provider_reference, allocation=other, actor=None
        )
    assert refused.value.code == "9359"
    late = world.receive(_answer(world, request.provider_reference, "2"))
    _retour, reading = _retour_sent_for(late.message)
    assert [codes for _element, codes in reading.classes] == [["9359"]]


def test_an_unknown_reference_honours_nothing(world):
    allocation = AllocationFactory(client=world.client, product=world.product)
    assert (
        allocation_request_honoured(provider_reference="NOPE", allocation=allocation, actor=None)
        is None
    )


# --- the change request 317 ---------------------------------------------------------------


def _allocations(world, count=3):
    today = timezone.localdate()
    return [
        AllocationFactory(
            client=world.client,
            product=world.product,
            number=str(20071 + index),
            start=today - datetime.timedelta(days=30),
            end=today + datetime.timedelta(days=30),
        )
        for index in range(count)
    ]


def test_a_change_request_lists_all_current_allocations(world):
    # TR349: the VOW holds every current allocation of the client; one to change, the rest
    # unchanged (TR350, TR351). An ended one is not current.
    first, second, third = _allocations(world)
    AllocationFactory(
        client=world.client,
        product=world.product,
        number="10001",
        start=D(2024, 1, 1),
        end=D(2024, 12, 31),
    )
    today = timezone.localdate()
    request = change_request_create(
        organisation=world.organisation,
        allocation=second,
        reason="2",
        start=today + datetime.timedelta(days=1),
        end=today + datetime.timedelta(days=90),
        volume=900,
        actor=world.manager,
    )
    message = change_request_send(request=request, actor=world.manager)
    root = _root_of(message)
    assert message.kind == "JW317"
    assert schema_errors(root, standard=Standard.IJW, kind="JW317") == []
    unchanged = [e.text for e in root.findall(".//{*}OngewijzigdProduct/{*}ToewijzingNummer")]
    changed = [e.text for e in root.findall(".//{*}TeWijzigenProduct/{*}ToewijzingNummer")]
    assert sorted(unchanged) == [first.number, third.number]
    assert changed == [second.number]
    assert root.findtext(".//{*}Verzoek/{*}RedenVerzoek") == "2"
    assert request.kind == RequestKind.CHANGE


def test_a_change_starting_in_the_past_keeps_the_original_start(world):
    # TR357 (9357): a desired start on or before the message's date is the original start.
    [allocation] = _allocations(world, 1)
    with pytest.raises(ValidationError, match="TR357"):
        change_request_create(
            organisation=world.organisation,
            allocation=allocation,
            reason="1",
            start=allocation.start + datetime.timedelta(days=1),
            end=None,
            volume=900,
            actor=world.manager,
        )


def test_no_second_change_request_while_one_is_pending(world):
    [allocation] = _allocations(world, 1)
    values = {
        "organisation": world.organisation,
        "allocation": allocation,
        "reason": "1",
        "start": allocation.start,
        "end": allocation.end,
        "volume": 900,
        "actor": world.manager,
    }
    change_request_create(**values)
    with pytest.raises(ValidationError, match="TR374"):
        change_request_create(**values)


# --- the pages ----------------------------------------------------------------------------


def _login(client, user):
    client.force_login(user)


def test_the_manager_sends_a_request_in_one_step_from_the_queue(world, client):
    _login(client, world.manager)
    url = reverse("exchange:request_new") + f"?client={world.client.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["volume"] == 150
    response = client.post(
        url,
        {
            "product": world.product.pk,
            "volume": 150,
            "frequency": Frequency.TOTAL,
            "start": "2025-03-10",
            "end": "2025-12-31",
            "referrer_type": "06",
        },
    )
    assert response.status_code == 302
    request = AllocationRequest.objects.get()
    assert request.status == RequestStatus.SENT
    assert AccessLogEntry.objects.filter(
        user=world.manager, client=world.client, event="view"
    ).exists()


def test_the_unfunded_queue_links_to_the_request(world, client):
    _login(client, world.manager)
    page = client.get(reverse("funding:overview"))
    assert reverse("exchange:request_new") + f"?client={world.client.pk}" in page.content.decode()


def test_the_change_page_sends_a_317(world, client):
    _login(client, world.manager)
    [allocation] = _allocations(world, 1)
    url = reverse("exchange:request_change", args=[allocation.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "reason": "1",
            "volume": 900,
            "frequency": Frequency.TOTAL,
            "start": allocation.start.isoformat(),
            "end": allocation.end.isoformat(),
        },
    )
    assert response.status_code == 302
    assert AllocationRequest.objects.get().sent_message.kind == "JW317"


@pytest.mark.parametrize("name", ["requests", "request_new", "request_change"])
def test_the_pages_are_refused_to_other_roles(world, client, name):
    [allocation] = _allocations(world, 1)
    args = [allocation.pk] if name == "request_change" else []
    url = reverse(f"exchange:{name}", args=args)
    if name == "request_new":
        url += f"?client={world.client.pk}"
    _login(client, world.caseworker)
    assert client.get(url).status_code == 404
    assert AccessLogEntry.objects.filter(
        user=world.caseworker, outcome=AccessOutcome.REFUSED
    ).exists()


@pytest.mark.parametrize("name", ["request_new", "request_change"])
def test_the_pages_are_refused_for_another_organisations_client(world, client, name):
    stranger = UserFactory(roles=[Role.MANAGER])
    [allocation] = _allocations(world, 1)
    if name == "request_new":
        url = reverse("exchange:request_new") + f"?client={world.client.pk}"
    else:
        url = reverse("exchange:request_change", args=[allocation.pk])
    _login(client, stranger)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    assert not AllocationRequest.objects.exists()


def test_the_list_logs_the_clients_shown_in_a_fixed_number_of_queries(world, client):
    world.sent()
    others = []
    for index in range(3):
        other = ClientFactory(organisation=world.organisation, bsn=next(BSNS), shielded=index == 0)
        others.append(other)
        world_request = world.request(client=other, activity_ids=[])
        allocation_request_send(request=world_request, actor=world.manager)
    _login(client, world.manager)
    url = reverse("exchange:requests")
    client.get(url)  # warm up the session and caches
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert others[0].pseudonym in text
    assert others[0].family_name not in text
    for _index in range(3):
        extra = ClientFactory(organisation=world.organisation, bsn=next(BSNS))
        allocation_request_send(
            request=world.request(client=extra, activity_ids=[]), actor=world.manager
        )
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
    logged = AccessLogEntry.objects.filter(user=world.manager, detail="allocation requests")
    assert {entry.client_id for entry in logged} >= {world.client.pk, *(o.pk for o in others)}


def test_another_organisations_requests_are_not_listed(world, client):
    world.sent()
    stranger = UserFactory(roles=[Role.MANAGER])
    _login(client, stranger)
    response = client.get(reverse("exchange:requests"))
    assert response.status_code == 200
    assert world.client.client_number not in response.content.decode()


def test_a_318_without_remarks_marks_the_change_request_received(world):
    [allocation] = _allocations(world, 1)
    request = change_request_create(
        organisation=world.organisation,
        allocation=allocation,
        reason="1",
        start=allocation.start,
        end=allocation.end,
        volume=900,
        actor=world.manager,
    )
    change_request_send(request=request, actor=world.manager)
    request.refresh_from_db()
    retour = retour_build(
        original=_root_of(request.sent_message),
        standard=Standard.IJW,
        retour_kind="JW318",
        identification="R-9",
        dated=timezone.localdate(),
    )
    assert schema_errors(retour, standard=Standard.IJW, kind="JW318") == []
    world.receive(retour)
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED


def test_a_request_the_page_cannot_send_leaves_no_draft(world, client, monkeypatch):
    # Made and sent in one transaction: a refusal to send leaves no draft that would block
    # the next request (TR374).
    def refuse(**kwargs):
        raise ValidationError("The transport is closed.")

    monkeypatch.setattr("apps.exchange.views_requests.allocation_request_send", refuse)
    client.force_login(world.manager)
    url = reverse("exchange:request_new") + f"?client={world.client.pk}"
    response = client.post(
        url,
        {
            "product": world.product.pk,
            "volume": 150,
            "frequency": Frequency.TOTAL,
            "start": "2025-03-10",
            "referrer_type": "06",
        },
    )
    assert response.status_code == 200
    assert "The transport is closed." in response.content.decode()
    assert not AllocationRequest.objects.exists()


def _allocation_for_request(world, reference: str, *, identification: str) -> bytes:
    return jw301_file(
        standard=Standard.IJW,
        municipality_code="0344",
        agb_code=world.organisation.agb_code,
        identification=identification,
        dated=D(2025, 3, 20),
        bsn=BSN,
        birth_date=D(2011, 6, 1),
        products=[
            {
                "number": "700001",
                "category": "45",
                "code": "45A48",
                "start": D(2025, 3, 10),
                "end": D(2025, 12, 31),
                "volume": 150,
                "unit": "01",
                "frequency": "6",
                "reference": reference,
            }
        ],
    )


def test_an_allocation_naming_our_reference_honours_the_request_and_pays_the_waiting_care(
    world,
):
    # The process (procesbeschrijving iJw 3.2, "verzoek om toewijzing"): the municipality
    # honours a request by sending a 301 whose ToegewezenProduct carries our
    # ReferentieAanbieder; the care that waited is then drawn on the new allocation.
    request = world.sent()
    received = message_receive(
        organisation=world.organisation,
        filename="301.xml",
        content=_allocation_for_request(world, request.provider_reference, identification="T-1"),
        actor=None,
    )
    assert received.message.status == MessageStatus.PROCESSED, received.message.outcome
    request.refresh_from_db()
    assert request.status == RequestStatus.HONOURED
    assert request.honoured_by.number == "700001"
    for activity in world.activities:
        activity.refresh_from_db()
        assert activity.allocation_id == request.honoured_by_id


def test_an_allocation_naming_an_unknown_reference_is_refused_with_9379(world):
    # TR379 (WJ001 9379): the ReferentieAanbieder refers to no request: wrongly filled.
    received = message_receive(
        organisation=world.organisation,
        filename="301.xml",
        content=_allocation_for_request(world, "NOT-OURS-1", identification="T-2"),
        actor=None,
    )
    assert received.message.status == MessageStatus.REJECTED
    assert [entry["code"] for entry in received.message.outcome] == ["9379"]
    assert not world.client.allocations.exists()
