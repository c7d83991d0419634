"""The start and stop of care told to the municipality (JW305 / JW307, WMO305 / WMO307) and
their retours (306 / 308).

Sources (iJw / iWmo 3.2): the "Condities, constraints, restricties per data-element" (CS058:
StatusAanlevering 1 or 3; the keys: Bsn, ToewijzingNummer, Product, Begindatum, and for a stop
RedenBeeindiging and Einddatum), JZ588 / WMO588 (the reasons), IV028 (exactly one retour per
message: the header only when all is accepted, else the classes of the client with their
codes) and WJ001 (9074: TR074, a message with the same key was received before; 9069: TR069).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from apps.accounts.models import Role
from apps.audit.models import AccessBasis, AccessLogEntry, AccessOutcome
from apps.exchange import incoming
from apps.exchange.models import (
    DeliveryNotice,
    DeliveryStatus,
    Direction,
    Message,
    MessageStatus,
    NoticeKind,
    NoticeStatus,
    Standard,
)
from apps.exchange.retour import retour_build
from apps.exchange.startstop import deliveries_prepare, delivery_remove
from apps.exchange.tasks import deliveries_prepare_task
from apps.exchange.xml import parse_safely, schema_errors, serialise, text_at
from apps.funding.models import (
    AllocationStatus,
    ChangeReason,
    Contract,
    Frequency,
    Funder,
    FunderKind,
)
from apps.trajectories.models import Activity, FundingStatus, TrajectoryStatus
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.funding.builders import log, product, register, trajectory_of
from tests.funding.factories import stream

D = datetime.date
TODAY = D(2025, 6, 2)
BSN = "999993653"


def _world(stream_code="jeugdwet", number="123456", **allocation):
    """A provider, its municipality 0344 (the client's), a client with a trajectory and an
    allocation of the stream; the activities are logged by the tests."""
    organisation = OrganisationFactory()
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    funder, _created = Funder.objects.get_or_create(
        kind=FunderKind.MUNICIPALITY, code="0344", defaults={"name": "Gemeente Utrecht"}
    )
    trajectory = trajectory_of(organisation, bsn=BSN)
    municipal = stream_code in ("jeugdwet", "wmo")
    care_product = product(
        organisation, stream_code, funder=funder if municipal else None, code="45A01"
    )
    values = {"number": number, "start": D(2025, 1, 1), "end": D(2025, 12, 31)}
    values.update(allocation)
    allocation = register(trajectory.client, care_product, trajectory.lead_caseworker, **values)
    return organisation, manager, trajectory, allocation


def _care(trajectory, allocation, day):
    activity = log(trajectory, day)
    if activity.allocation_id != allocation.pk or activity.funding_status != FundingStatus.FUNDED:
        # The assignment may choose otherwise for a stream; the start only needs a funded one.
        Activity.objects.filter(pk=activity.pk).update(
            allocation=allocation, funding_status=FundingStatus.FUNDED
        )
    return activity


def _root(message: Message) -> etree._Element:
    with message.file.open("rb") as file:
        return parse_safely(file.read())


def _products(root, name):
    return list(root.iter(f"{{{etree.QName(root).namespace}}}{name}"))


@pytest.mark.django_db
def test_first_funded_care_makes_one_start_with_its_date_and_no_second():
    organisation, manager, trajectory, allocation = _world()
    _care(trajectory, allocation, D(2025, 3, 12))
    _care(trajectory, allocation, D(2025, 3, 5))

    prepared = deliveries_prepare(organisation=organisation, today=TODAY, actor=manager)

    assert len(prepared.messages) == 1
    message = prepared.messages[0]
    assert (message.kind, message.message_code, message.direction) == ("JW305", "438", "out")
    assert message.status == MessageStatus.SENT
    assert (message.sender, message.receiver) == (organisation.agb_code, "0344")
    root = _root(message)
    assert schema_errors(root, standard=Standard.IJW, kind="JW305") == []
    [start] = _products(root, "StartProduct")
    assert text_at(start, "ToewijzingNummer") == "123456"
    assert text_at(start, "Begindatum") == "2025-03-05"  # the first day of care
    assert text_at(start, "ToewijzingIngangsdatum") == "2025-01-01"
    assert text_at(start, "StatusAanlevering") == "1"  # CS058: first delivery
    assert text_at(root, "Client", "Bsn") == BSN
    notice = DeliveryNotice.objects.get()
    assert (notice.kind, notice.date, notice.status, notice.message) == (
        NoticeKind.START,
        D(2025, 3, 5),
        NoticeStatus.SENT,
        message,
    )
    # Idempotent: a second run (and more care) makes nothing.
    _care(trajectory, allocation, D(2025, 4, 1))
    again = deliveries_prepare(organisation=organisation, today=TODAY, actor=manager)
    assert again.messages == []
    assert DeliveryNotice.objects.count() == 1


@pytest.mark.django_db
def test_no_start_without_funded_care_or_for_other_streams():
    organisation, manager, trajectory, allocation = _world()
    assert deliveries_prepare(organisation=organisation, today=TODAY, actor=manager).notices == []
    # Care on an allocation of another stream (the Wlz's) is not told to a municipality.
    Contract.objects.filter(pk=allocation.contract_id).update(stream=stream("wlz"))
    _care(trajectory, allocation, D(2025, 3, 5))
    assert deliveries_prepare(organisation=organisation, today=TODAY, actor=manager).notices == []


@pytest.mark.django_db
def test_the_key_allows_one_current_start_per_allocation():
    organisation, manager, trajectory, allocation = _world()
    _care(trajectory, allocation, D(2025, 3, 5))
    deliveries_prepare(organisation=organisation, today=TODAY, actor=manager)
    first = DeliveryNotice.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        DeliveryNotice.objects.create(
            organisation=organisation,
            allocation=allocation,
            standard=first.standard,
            kind=NoticeKind.START,
            begin=first.begin,
            date=first.date,
        )


@pytest.mark.django_db
def test_allocation_end_makes_a_stop_with_its_reason():
    organisation, manager, trajectory, allocation = _world(end=D(2025, 5, 31))
    _care(trajectory, allocation, D(2025, 3, 5))
    deliveries_prepare(organisation=organisation, today=D(2025, 4, 1), actor=manager)

    prepared = deliveries_prepare(organisation=organisation, today=TODAY, actor=manager)

    [message] = prepared.messages
    assert (message.kind, message.message_code) == ("JW307", "440")
    root = _root(message)
    assert schema_errors(root, standard=Standard.IJW, kind="JW307") == []
    [stop] = _products(root, "StopProduct")
    assert text_at(stop, "Begindatum") == "2025-03-05"
    assert text_at(stop, "Einddatum") == "2025-05-31"
    assert text_at(stop, "RedenBeeindiging") == "31"  # JZ588: delivery ended as planned
    assert text_at(stop, "StatusAanlevering") == "1"
    notice = DeliveryNotice.objects.get(kind=NoticeKind.STOP)
    assert (notice.date, notice.reason) == (D(2025, 5, 31), "31")
    # No second stop.
    assert deliveries_prepare(organisation=organisation, today=TODAY, actor=manager).notices == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stream_code", "kind", "expected"), [("jeugdwet", "JW307", "35"), ("wmo", "WMO307", "31")]
)
def test_a_withdrawn_allocation_of_a_client_who_moved_stops_with_the_moving_reason(
    stream_code, kind, expected
):
    """JZ002 07 (moved) answers JZ588 35 in the iJw and WMO588 31 in the iWmo."""
    organisation, manager, trajectory, allocation = _world(stream_code)
    _care(trajectory, allocation, D(2025, 3, 5))
    deliveries_prepare(organisation=organisation, today=D(2025, 4, 1), actor=manager)
    allocation.status = AllocationStatus.WITHDRAWN
    allocation.change_reason = ChangeReason.MOVED
    allocation.save()
    _care(trajectory, allocation, D(2025, 4, 20))

    [message] = deliveries_prepare(organisation=organisation, today=TODAY, actor=manager).messages

    assert message.kind == kind
    root = _root(message)
    assert schema_errors(root, standard=message.standard, kind=kind) == []
    [stop] = _products(root, "StopProduct")
    assert text_at(stop, "RedenBeeindiging") == expected
    assert text_at(stop, "Einddatum") == "2025-04-20"  # the last day of care


@pytest.mark.django_db
def test_closing_the_trajectory_makes_a_stop():
    organisation, manager, trajectory, allocation = _world("wmo")
    _care(trajectory, allocation, D(2025, 3, 5))
    [start] = deliveries_prepare(
        organisation=organisation, today=D(2025, 4, 1), actor=manager
    ).messages
    assert (start.kind, start.message_code) == ("WMO305", "418")
    trajectory.status = TrajectoryStatus.CLOSED
    trajectory.end = D(2025, 5, 15)
    trajectory.save()

    [message] = deliveries_prepare(organisation=organisation, today=TODAY, actor=manager).messages

    root = _root(message)
    assert message.kind == "WMO307"
    assert schema_errors(root, standard=Standard.IWMO, kind="WMO307") == []
    [stop] = _products(root, "StopProduct")
    assert text_at(stop, "Einddatum") == "2025-05-15"
    assert text_at(stop, "RedenBeeindiging") == "19"  # WMO588: ended as planned


@pytest.mark.django_db
def test_one_message_per_client_with_all_its_products():
    organisation, manager, trajectory, allocation = _world()
    other = register(
        trajectory.client,
        allocation.product,
        trajectory.lead_caseworker,
        number="123457",
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
        volume=600,
        frequency=Frequency.TOTAL,
    )
    _care(trajectory, allocation, D(2025, 3, 5))
    _care(trajectory, other, D(2025, 3, 6))
    Activity.objects.filter(date=D(2025, 3, 6)).update(allocation=other)

    [message] = deliveries_prepare(organisation=organisation, today=TODAY, actor=manager).messages

    numbers = {text_at(p, "ToewijzingNummer") for p in _products(_root(message), "StartProduct")}
    assert numbers == {"123456", "123457"}


def _answer(message: Message, *, header_codes=(), product_codes=None) -> bytes:
    """The municipality's retour of one of our messages (IV028), built with our retour_build."""
    original = _root(message)
    retour_kind = message.kind[:-1] + ("6" if message.kind.endswith("5") else "8")
    class_codes = None
    if product_codes is not None:
        client = next(e for e in original if etree.QName(e).localname == "Client")
        class_codes = {client: ["0200"]}
        name = "StartProduct" if message.kind.endswith("5") else "StopProduct"
        for element in _products(original, name):
            class_codes[element] = product_codes.get(text_at(element, "ToewijzingNummer"), ["0200"])
    root = retour_build(
        original=original,
        standard=message.standard,
        retour_kind=retour_kind,
        identification="R-1",
        dated=TODAY,
        header_codes=list(header_codes),
        class_codes=class_codes,
    )
    return serialise(root)


def _receive(organisation, content):
    received = incoming.message_receive(
        organisation=organisation, filename="retour.xml", content=content, actor=None
    )
    assert received.refused == "", received.refused
    return received.message


@pytest.mark.django_db
def test_a_306_with_only_its_header_accepts_the_start():
    organisation, manager, trajectory, allocation = _world()
    _care(trajectory, allocation, D(2025, 3, 5))
    [message] = deliveries_prepare(organisation=organisation, today=TODAY, actor=manager).messages
    content = _answer(message)
    assert schema_errors(parse_safely(content), standard=Standard.IJW, kind="JW306") == []

    retour = _receive(organisation, content)

    assert (retour.kind, retour.status, retour.in_reply_to) == (
        "JW306",
        MessageStatus.PROCESSED,
        message,
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.ACCEPTED
    notice = DeliveryNotice.objects.get()
    assert (notice.status, notice.retour_codes) == (NoticeStatus.ACCEPTED, [])


@pytest.mark.django_db
def test_a_308_refusing_one_product_marks_it_with_its_code():
    organisation, manager, trajectory, allocation = _world(end=D(2025, 5, 31))
    other = register(
        trajectory.client,
        allocation.product,
        trajectory.lead_caseworker,
        number="123457",
        start=D(2025, 1, 1),
        end=D(2025, 5, 31),
    )
    _care(trajectory, allocation, D(2025, 3, 5))
    _care(trajectory, other, D(2025, 3, 6))
    Activity.objects.filter(date=D(2025, 3, 6)).update(allocation=other)
    deliveries_prepare(organisation=organisation, today=D(2025, 4, 1), actor=manager)
    [stop_message] = deliveries_prepare(
        organisation=organisation, today=TODAY, actor=manager
    ).messages
    assert stop_message.kind == "JW307"

    # 9069 (TR069): no current start with the key of this stop.
    content = _answer(stop_message, header_codes=["0200"], product_codes={"123457": ["9069"]})
    assert schema_errors(parse_safely(content), standard=Standard.IJW, kind="JW308") == []
    _receive(organisation, content)

    stop_message.refresh_from_db()
    assert stop_message.status == MessageStatus.PARTLY_ACCEPTED
    assert {entry["code"] for entry in stop_message.outcome} >= {"9069"}
    stops = {n.allocation.number: n for n in DeliveryNotice.objects.filter(kind=NoticeKind.STOP)}
    assert (stops["123456"].status, stops["123456"].retour_codes) == (NoticeStatus.ACCEPTED, [])
    assert (stops["123457"].status, stops["123457"].retour_codes) == (
        NoticeStatus.REFUSED,
        ["9069"],
    )


@pytest.mark.django_db
def test_a_retour_refused_on_its_rules_refuses_every_notice():
    organisation, manager, trajectory, allocation = _world()
    _care(trajectory, allocation, D(2025, 3, 5))
    [message] = deliveries_prepare(organisation=organisation, today=TODAY, actor=manager).messages
    _receive(organisation, _answer(message, header_codes=["0001"]))
    message.refresh_from_db()
    assert message.status == MessageStatus.REFUSED
    assert DeliveryNotice.objects.get().retour_codes == ["0001"]
    # Exactly one retour per message (IV028): a second is stored, rejected, and changes nothing.
    second = _answer(message)
    second = second.replace(b">R-1<", b">R-2<")
    retour = _receive(organisation, second)
    assert retour.status == MessageStatus.REJECTED
    assert DeliveryNotice.objects.get().status == NoticeStatus.REFUSED


@pytest.mark.django_db
def test_removing_a_start_sent_in_error_sends_a_305_with_status_3():
    organisation, manager, trajectory, allocation = _world()
    _care(trajectory, allocation, D(2025, 3, 5))
    deliveries_prepare(organisation=organisation, today=TODAY, actor=manager)
    start = DeliveryNotice.objects.get()

    removal = delivery_remove(notice=start, today=TODAY, actor=manager)

    assert (removal.kind, removal.status_delivery, removal.removes) == (
        NoticeKind.START,
        DeliveryStatus.REMOVAL,
        start,
    )
    root = _root(removal.message)
    [product_] = _products(root, "StartProduct")
    assert text_at(product_, "StatusAanlevering") == "3"
    assert text_at(product_, "Begindatum") == "2025-03-05"  # the same key
    start.refresh_from_db()
    assert start.current is False
    # The next preparation sends a new start (the care did start).
    assert (
        len(deliveries_prepare(organisation=organisation, today=TODAY, actor=manager).notices) == 1
    )


@pytest.mark.django_db
def test_the_nightly_task_is_idempotent():
    # The task runs on the real date: an allocation that has not ended by then.
    organisation, _manager, trajectory, allocation = _world(end=D(2099, 12, 31))
    _care(trajectory, allocation, D(2025, 3, 5))
    first = deliveries_prepare_task(organisation_id=organisation.pk)
    assert first == {"notices": 1, "messages": 1}
    assert deliveries_prepare_task(organisation_id=organisation.pk) == {
        "notices": 0,
        "messages": 0,
    }
    assert Message.objects.filter(direction=Direction.OUT).count() == 1


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_refused_for_other_roles_and_logged(client):
    organisation, _manager, _trajectory, _allocation = _world()
    for role in (Role.CASEWORKER, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR):
        user = UserFactory(organisation=organisation, roles=[role])
        client.force_login(user)
        assert client.get(reverse("exchange:deliveries")).status_code == 404
        assert client.post(reverse("exchange:deliveries")).status_code == 404
        assert AccessLogEntry.objects.filter(user=user, outcome=AccessOutcome.REFUSED).exists()
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_page_lists_the_notices_logs_the_reads_and_sends(client):
    organisation, manager, trajectory, allocation = _world(end=D(2099, 12, 31))
    _care(trajectory, allocation, D(2025, 3, 5))
    client.force_login(manager)

    response = client.post(reverse("exchange:deliveries"))
    assert response.status_code == 302
    assert DeliveryNotice.objects.count() == 1

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("exchange:deliveries"))
        assert response.status_code == 200
        return len(queries)

    one = page_queries()
    # Two more clients with a start: the page asks the database as often as before.
    for number, bsn in (("223456", "111222333"), ("323456", "123456782")):
        other = trajectory_of(organisation, bsn=bsn)
        more = register(
            other.client,
            allocation.product,
            other.lead_caseworker,
            number=number,
            start=D(2025, 1, 1),
            end=D(2099, 12, 31),
        )
        _care(other, more, D(2025, 3, 9))
    deliveries_prepare(organisation=organisation, today=TODAY, actor=manager)
    assert DeliveryNotice.objects.count() == 3
    assert page_queries() == one

    html = client.get(reverse("exchange:deliveries")).content.decode()
    assert trajectory.client.client_number in html
    assert "123456" in html
    assert trajectory.client.family_name not in html  # managers see no names here
    assert AccessLogEntry.objects.filter(
        user=manager, client=trajectory.client, basis=AccessBasis.MANAGEMENT
    ).exists()


@pytest.mark.django_db
def test_page_shows_only_the_own_organisations_notices_and_refuses_their_removal(client):
    organisation, manager, trajectory, allocation = _world()
    _care(trajectory, allocation, D(2025, 3, 5))
    deliveries_prepare(organisation=organisation, today=TODAY, actor=manager)
    notice = DeliveryNotice.objects.get()
    other_manager = UserFactory(organisation=OrganisationFactory(), roles=[Role.MANAGER])
    client.force_login(other_manager)

    response = client.get(reverse("exchange:deliveries"))
    assert response.status_code == 200
    assert "123456" not in response.content.decode()
    assert not AccessLogEntry.objects.filter(user=other_manager, client=trajectory.client).exists()
    removal = client.post(reverse("exchange:delivery_remove", args=[notice.pk]))
    assert removal.status_code == 404
    notice.refresh_from_db()
    assert notice.current is True


@pytest.mark.django_db
def test_the_manager_removes_a_start_from_the_page(client):
    organisation, manager, trajectory, allocation = _world()
    _care(trajectory, allocation, D(2025, 3, 5))
    deliveries_prepare(organisation=organisation, today=TODAY, actor=manager)
    notice = DeliveryNotice.objects.get()
    client.force_login(manager)
    response = client.post(reverse("exchange:delivery_remove", args=[notice.pk]))
    assert response.status_code == 302
    assert DeliveryNotice.objects.filter(status_delivery=DeliveryStatus.REMOVAL).count() == 1


@pytest.mark.django_db
def test_removing_a_refused_start_sends_nothing_and_it_is_made_anew():
    organisation, manager, trajectory, allocation = _world()
    _care(trajectory, allocation, D(2025, 3, 5))
    [message] = deliveries_prepare(organisation=organisation, today=TODAY, actor=manager).messages
    _receive(organisation, _answer(message, header_codes=["0001"]))
    refused = DeliveryNotice.objects.get()
    sent = Message.objects.filter(direction=Direction.OUT).count()

    result = delivery_remove(notice=refused, today=TODAY, actor=manager)

    assert result == refused
    assert result.current is False
    assert Message.objects.filter(direction=Direction.OUT).count() == sent
    [again] = deliveries_prepare(organisation=organisation, today=TODAY, actor=manager).notices
    assert (again.kind, again.begin, again.current) == (NoticeKind.START, D(2025, 3, 5), True)


@pytest.mark.django_db
def test_a_start_cannot_be_removed_after_its_stop():
    """TR071 (9071): the municipality refuses to remove a start whose care was stopped."""
    organisation, manager, trajectory, allocation = _world(end=D(2025, 5, 31))
    _care(trajectory, allocation, D(2025, 3, 5))
    deliveries_prepare(organisation=organisation, today=D(2025, 4, 1), actor=manager)
    deliveries_prepare(organisation=organisation, today=TODAY, actor=manager)
    start = DeliveryNotice.objects.get(kind=NoticeKind.START)
    with pytest.raises(ValidationError):
        delivery_remove(notice=start, today=TODAY, actor=manager)
    start.refresh_from_db()
    assert start.current is True
