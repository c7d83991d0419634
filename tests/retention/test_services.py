"""Who may ask for destruction by age, the review, the retention date and the nightly list.

Sources:
- BW 7:465 lid 1 (WGBO): under 12 the parents or guardian exercise the patient's rights;
  BW 7:450 lid 2: from 12 to 15 the young person and the parents together; BW 7:447 lid 1 and
  7:450 lid 1: from 16 the young person alone. Jeugdwet 7.3.10 (destruction on request of the
  youth-care record) with the same ages (Jeugdwet 7.3.15). Built on
  apps.clients.representation.decision_makers.
- BW 7:455 lid 1: destruction within three months of the request; lid 2: refused only where
  keeping the record is of substantial importance to someone else, or the law forbids it.
- BW 7:454 lid 3 and Jeugdwet 7.3.9: kept twenty years from the last care, or longer as far as
  the care of a good care provider requires (recorded with a reason).
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as Browser
from django.utils import translation

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry, AccessOutcome
from apps.clients.models import Client, LegalRepresentative
from apps.core.errors import PermissionRefused
from apps.reports.models import ReportRun, ReportStatus
from apps.retention.destruction import DestructionBlocked, _redacted
from apps.retention.models import (
    DestructionRequest,
    RefusalGround,
    Requester,
    RequestStatus,
    RetentionDue,
)
from apps.retention.rules import requester_refusal
from apps.retention.selectors import retention_of
from apps.retention.services import (
    destruction_request_execute,
    destruction_request_record,
    destruction_request_review,
    retention_due_refresh,
    retention_extend,
)
from apps.trajectories.access import client_access_for
from apps.trajectories.models import Stay, StayLeave
from apps.trajectories.services import trajectory_close
from apps.workday.selectors import client_search_for_manager
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.factories import FunderFactory
from tests.trajectories.factories import TrajectoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The messages asserted below are the English source texts."""
    with translation.override("en"):
        yield


ASKED_ON = date(2026, 6, 1)


def _aged(age: int, *, representative: bool = True):
    client = ClientFactory(date_of_birth=date(2026 - age, 3, 1))
    if representative:
        LegalRepresentative.objects.create(
            client=client, name="Ouder", relation="parent", parental_authority=True
        )
    return client


@pytest.mark.parametrize(
    ("age", "allowed"),
    [
        (11, {Requester.REPRESENTATIVES}),  # BW 7:465 lid 1: the parents before 12
        # From 12 the young person may ask: only a child under 12 is refused (VNG on the
        # Jeugdwet's destruction on request; Wmo 2015 art. 12j lid 3-4 in the same words);
        # until 16 the parents may ask with the young person (BW 7:450 lid 2), never alone.
        (12, {Requester.YOUNG_PERSON, Requester.BOTH}),
        (15, {Requester.YOUNG_PERSON, Requester.BOTH}),
        (16, {Requester.YOUNG_PERSON}),  # from 16 on their own (BW 7:447, 7:450 lid 1)
        (17, {Requester.YOUNG_PERSON}),
        (18, {Requester.YOUNG_PERSON}),
    ],
)
def test_who_may_ask_for_destruction_by_age(age, allowed):
    client = _aged(age)
    for requester in Requester.values:
        refusal = requester_refusal(client=client, requester=requester, on=ASKED_ON)
        assert (refusal is None) == (requester in allowed), (age, requester, refusal)


def test_under_sixteen_needs_a_representative_with_parental_authority():
    client = _aged(12, representative=False)
    refusal = requester_refusal(client=client, requester=Requester.BOTH, on=ASKED_ON)
    assert "parental authority" in refusal


@pytest.fixture
def officer_and_client():
    client = _aged(17)
    officer = UserFactory(organisation=client.organisation, roles=[Role.PRIVACY_OFFICER])
    return officer, client


def test_a_request_has_a_three_month_deadline_and_only_the_officer_records_it(
    officer_and_client,
):
    officer, client = officer_and_client
    request = destruction_request_record(
        client=client, requester=Requester.YOUNG_PERSON, received_on=ASKED_ON, actor=officer
    )
    assert request.deadline == date(2026, 9, 1)  # BW 7:455 lid 1
    assert request.history.get().history_user == officer
    caseworker = UserFactory(organisation=client.organisation, roles=[Role.CASEWORKER])
    with pytest.raises(PermissionRefused):
        destruction_request_review(request=request, grant=True, actor=caseworker)
    with pytest.raises(ValidationError):  # one open request at a time
        destruction_request_record(
            client=client, requester=Requester.YOUNG_PERSON, received_on=ASKED_ON, actor=officer
        )


def test_a_request_asked_by_the_wrong_person_is_not_recorded(officer_and_client):
    officer, client = officer_and_client
    with pytest.raises(ValidationError) as raised:
        destruction_request_record(
            client=client, requester=Requester.REPRESENTATIVES, received_on=ASKED_ON, actor=officer
        )
    assert "requester" in raised.value.message_dict
    assert not DestructionRequest.objects.exists()


def test_a_refusal_needs_a_legal_ground_and_an_explanation(officer_and_client):
    officer, client = officer_and_client
    request = destruction_request_record(
        client=client, requester=Requester.YOUNG_PERSON, received_on=ASKED_ON, actor=officer
    )
    with pytest.raises(ValidationError) as raised:
        destruction_request_review(request=request, grant=False, actor=officer, ground="")
    assert set(raised.value.message_dict) == {"refusal_ground", "refusal_explanation"}
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    destruction_request_review(
        request=request,
        grant=False,
        actor=officer,
        ground=RefusalGround.OTHERS_INTEREST,
        explanation="Een lopende procedure van een ander hangt ervan af.",
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    with pytest.raises(ValidationError):  # a refused request is never carried out
        destruction_request_execute(
            request=request, actor=officer, confirmation=client.client_number
        )


def test_an_open_trajectory_blocks_the_destruction_and_nothing_changes(officer_and_client):
    officer, client = officer_and_client
    TrajectoryFactory(client=client, start=date(2025, 1, 1))
    request = destruction_request_record(
        client=client, requester=Requester.YOUNG_PERSON, received_on=ASKED_ON, actor=officer
    )
    destruction_request_review(request=request, grant=True, actor=officer)
    with pytest.raises(ValidationError):
        destruction_request_execute(request=request, actor=officer, confirmation="wrong")
    with pytest.raises(Exception, match="still open"):
        destruction_request_execute(
            request=request, actor=officer, confirmation=client.client_number
        )
    client.refresh_from_db()
    assert client.family_name
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED


def test_retention_is_twenty_years_after_the_last_care_and_can_be_extended(officer_and_client):
    officer, client = officer_and_client
    trajectory = TrajectoryFactory(client=client, start=date(2000, 1, 1))
    trajectory_close(trajectory=trajectory, end=date(2005, 6, 30), actor=trajectory.lead_caseworker)
    assert retention_of(client).until == date(2025, 6, 30)  # BW 7:454 lid 3
    assert retention_due_refresh(organisation=client.organisation, today=date(2025, 6, 30)) == 0
    assert retention_due_refresh(organisation=client.organisation, today=date(2025, 7, 1)) == 1
    due = RetentionDue.objects.get(client=client)
    assert due.retention_until == date(2025, 6, 30)
    with pytest.raises(ValidationError) as raised:
        retention_extend(client=client, until=date(2030, 1, 1), reason=" ", actor=officer)
    assert "reason" in raised.value.message_dict
    retention_extend(
        client=client, until=date(2030, 1, 1), reason="Klacht in behandeling", actor=officer
    )
    assert retention_of(client).until == date(2030, 1, 1)
    assert not RetentionDue.objects.exists()
    assert retention_due_refresh(organisation=client.organisation, today=date(2029, 1, 1)) == 0


def _granted(officer, client):
    request = destruction_request_record(
        client=client, requester=Requester.YOUNG_PERSON, received_on=ASKED_ON, actor=officer
    )
    destruction_request_review(request=request, grant=True, actor=officer)
    return request


def test_a_report_being_made_blocks_the_destruction_until_it_is_done(officer_and_client):
    """A report run that is queued or running has read (or will read) the record and would store
    it after the destruction in a file nothing removes (AVG art. 17: destroyed everywhere)."""
    officer, client = officer_and_client
    run = ReportRun.objects.create(
        organisation=client.organisation,
        funder=FunderFactory(),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        format="csv",
        requested_by=officer,
        status=ReportStatus.RUNNING,
    )
    request = _granted(officer, client)
    with pytest.raises(DestructionBlocked, match="report is being made"):
        destruction_request_execute(
            request=request, actor=officer, confirmation=client.client_number
        )
    client.refresh_from_db()
    assert client.family_name
    run.status = ReportStatus.DONE
    run.save(update_fields=["status"])
    destruction_request_execute(request=request, actor=officer, confirmation=client.client_number)
    client.refresh_from_db()
    assert not client.family_name


def test_the_history_of_rows_deleted_earlier_goes_with_the_record(officer_and_client):
    """A stay deleted before the destruction, and its leave with a note, left history rows that
    point only to rows that no longer exist (the leave's to the deleted stay); they belong to
    the record and are destroyed with it (BW 7:455)."""
    officer, client = officer_and_client
    trajectory = TrajectoryFactory(client=client, start=date(2025, 1, 1))
    stay = Stay.objects.create(
        trajectory=trajectory,
        admitted_on=date(2025, 2, 1),
        discharged_on=date(2025, 3, 1),
        registered_by=trajectory.lead_caseworker,
    )
    leave = StayLeave.objects.create(
        stay=stay,
        leaves_on=date(2025, 2, 7),
        returns_on=date(2025, 2, 9),
        note="VERLOFNOTITIE weekend bij tante",
    )
    leave.delete()  # each leaves its history ("-" row) behind
    stay.delete()
    assert StayLeave.history.filter(note__contains="VERLOFNOTITIE").exists()
    trajectory_close(trajectory=trajectory, end=date(2025, 6, 30), actor=trajectory.lead_caseworker)
    request = _granted(officer, client)
    destruction_request_execute(request=request, actor=officer, confirmation=client.client_number)
    assert not StayLeave.history.filter(note__contains="VERLOFNOTITIE").exists()
    assert not Stay.history.filter(trajectory_id=trajectory.pk).exists()


def test_a_message_loses_the_clients_name_birth_date_and_bsn_but_keeps_its_products():
    """A kept message (evidence of the exchange) is redacted under the client's own element: the
    name in its parts (iJw Naam: Achternaam, Voorvoegsel), the date of birth and the BSN; the
    products stay, and another client in the same file is untouched."""
    client = ClientFactory(given_name="Sanne", family_name="Berg", bsn="999999990")
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw301/schema">'
        b"<Client><Bsn>999999990</Bsn><Geboortedatum><Datum>2009-05-01</Datum></Geboortedatum>"
        b"<Naam><Geslachtsnaam><Achternaam>Berg</Achternaam><Voorvoegsel>van der</Voorvoegsel>"
        b"</Geslachtsnaam></Naam><Commentaar>Gesprek met Sanne Berg</Commentaar>"
        b"<Product>45A12</Product></Client>"
        b"<Client><Bsn>111222333</Bsn><Naam><Achternaam>Jansen</Achternaam></Naam></Client>"
        b"</Bericht>"
    )
    redacted = _redacted(content, client).decode()
    for gone in ("999999990", "2009-05-01", "Berg", "van der", "Sanne"):
        assert gone not in redacted, gone
    for kept in ("000000000", "45A12", "111222333", "Jansen"):  # the product, another client
        assert kept in redacted, kept


def test_the_emptied_row_of_a_destroyed_record_is_opened_by_nobody_and_listed_nowhere(
    officer_and_client,
):
    """The client row stays for the access log (append-only), but the record is gone: the
    manager's search does not find the shell, and its page is refused and logged as such."""

    officer, client = officer_and_client
    manager = UserFactory(organisation=client.organisation, roles=[Role.MANAGER])
    assert list(client_search_for_manager(user=manager, query=client.client_number)) == [client]
    request = _granted(officer, client)
    destruction_request_execute(request=request, actor=officer, confirmation=client.client_number)
    client.refresh_from_db()
    assert client.destroyed_on is not None
    assert not client_search_for_manager(user=manager, query=f"#{client.pk}").exists()
    assert not Client.objects.kept().filter(pk=client.pk).exists()
    assert client_access_for(user=manager, client=client) is None
    browser = Browser()
    browser.force_login(manager)
    assert browser.get(f"/clients/{client.pk}/").status_code == 404
    assert AccessLogEntry.objects.filter(
        user=manager, client=client, outcome=AccessOutcome.REFUSED
    ).exists()
