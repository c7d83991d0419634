"""The privacy officer's retention pages through the test client: allowed and refused (404,
logged) from the same setup, every read logged, wrong input answered with a message."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.clients.models import Client
from apps.retention.models import (
    DestructionRequest,
    Requester,
    RequestStatus,
    RetentionDue,
    Tombstone,
)
from apps.retention.tasks import retention_due_task
from apps.trajectories.services import trajectory_close
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.trajectories.factories import TrajectoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    client = ClientFactory(date_of_birth=date(2000, 1, 1), family_name="Zeldzaamnaam")
    officer = UserFactory(organisation=client.organisation, roles=[Role.PRIVACY_OFFICER])
    other_officer = UserFactory(roles=[Role.PRIVACY_OFFICER])  # another organisation
    caseworker = UserFactory(organisation=client.organisation, roles=[Role.CASEWORKER])
    request = DestructionRequest.objects.create(
        organisation=client.organisation,
        client=client,
        requester=Requester.YOUNG_PERSON,
        received_on=date(2026, 1, 15),
        recorded_by=officer,
    )
    return client, officer, other_officer, caseworker, request


def test_the_officer_reads_a_request_with_its_deadline_and_the_read_is_logged(setup, client):
    subject, officer, *_rest, request = setup
    client.force_login(officer)
    response = client.get(reverse("retention:request", args=[request.pk]))
    assert response.status_code == 200
    deadline = date_format(date(2026, 4, 15), "SHORT_DATE_FORMAT")
    assert deadline in response.content.decode()  # three months (BW 7:455 lid 1)
    assert AccessLogEntry.objects.filter(
        user=officer, client=subject, outcome="allowed", detail="destruction request"
    ).exists()
    response = client.get(reverse("retention:requests"))
    assert subject.client_number in response.content.decode()
    assert AccessLogEntry.objects.filter(user=officer, detail="destruction requests").exists()


@pytest.mark.parametrize("who", ["other_officer", "caseworker"])
@pytest.mark.parametrize("url_name", ["request", "request_review", "request_execute"])
def test_wrong_role_or_organisation_gets_a_logged_404(setup, client, who, url_name):
    _subject, _officer, other_officer, caseworker, request = setup
    user = other_officer if who == "other_officer" else caseworker
    client.force_login(user)
    url = reverse(f"retention:{url_name}", args=[request.pk])
    response = client.get(url) if url_name == "request" else client.post(url, {})
    assert response.status_code == 404
    assert AccessLogEntry.objects.filter(user=user, outcome="refused").exists()
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_recording_a_request_for_the_wrong_person_shows_the_rule(setup, client):
    subject, officer, *_rest, request = setup
    request.delete()
    client.force_login(officer)
    response = client.post(
        reverse("retention:requests"),
        {
            "client_number": subject.client_number,
            "requester": Requester.REPRESENTATIVES,
            "received_on": "2026-02-01",
        },
    )
    assert response.status_code == 400
    assert "16" in response.content.decode()
    assert not DestructionRequest.objects.exists()
    response = client.post(
        reverse("retention:requests"),
        {"client_number": "nope", "requester": Requester.YOUNG_PERSON, "received_on": "x"},
    )
    assert response.status_code == 400


def test_review_and_execution_through_the_pages(setup, client):
    subject, officer, *_rest, request = setup
    client.force_login(officer)
    review = reverse("retention:request_review", args=[request.pk])
    response = client.post(review, {"decision": "refuse"}, follow=True)
    assert "legal ground" in response.content.decode() or "grond" in response.content.decode()
    client.post(review, {"decision": "grant"})
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED
    execute = reverse("retention:request_execute", args=[request.pk])
    client.post(execute, {"confirmation": "wrong"})
    assert not Tombstone.objects.exists()
    response = client.post(execute, {"confirmation": subject.client_number})
    assert response.status_code == 302
    tombstone = Tombstone.objects.get()
    assert tombstone.client_id == subject.pk
    assert Client.objects.get(pk=subject.pk).family_name == ""
    response = client.get(reverse("retention:tombstones"))
    assert f"#{subject.pk}" in response.content.decode()
    assert "Zeldzaamnaam" not in response.content.decode()


def test_extending_a_retention_needs_a_reason(setup, client):
    subject, officer, *_rest = setup
    client.force_login(officer)
    url = reverse("retention:extend", args=[subject.pk])
    response = client.post(url, {"until": "2090-01-01", "reason": ""})
    assert response.status_code == 400
    response = client.post(url, {"until": "2090-01-01", "reason": "Klachtprocedure"})
    assert response.status_code == 302
    assert "Klachtprocedure" in client.get(url).content.decode()


def _past_retention(organisation):
    """A record whose last care ended more than twenty years ago (BW 7:454 lid 3)."""
    subject = ClientFactory(organisation=organisation, date_of_birth=date(1980, 1, 1))
    trajectory = TrajectoryFactory(client=subject, start=date(2000, 1, 1))
    trajectory_close(
        trajectory=trajectory, end=date(2004, 12, 31), actor=trajectory.lead_caseworker
    )
    return subject


def test_the_nightly_job_lists_records_past_their_date_and_the_officer_destroys_one(setup, client):
    _subject, officer, other_officer, *_rest = setup
    old = _past_retention(officer.organisation)
    _past_retention(other_officer.organisation)
    counts = retention_due_task()
    assert counts[str(officer.organisation_id)] == 1
    due = RetentionDue.objects.get(organisation=officer.organisation)
    client.force_login(other_officer)
    assert client.post(reverse("retention:due_destroy", args=[due.pk])).status_code == 404
    assert client.get(reverse("retention:extend", args=[old.pk])).status_code == 404
    assert (
        AccessLogEntry.objects.filter(user=other_officer, client=old, outcome="refused").count()
        == 2
    )
    client.force_login(officer)
    response = client.get(reverse("retention:due"))
    assert old.client_number in response.content.decode()
    assert AccessLogEntry.objects.filter(
        user=officer, client=old, detail="records past their retention date"
    ).exists()
    client.post(reverse("retention:due_destroy", args=[due.pk]), {"confirmation": "wrong"})
    assert not Tombstone.objects.exists()
    client.post(
        reverse("retention:due_destroy", args=[due.pk]), {"confirmation": old.client_number}
    )
    tombstone = Tombstone.objects.get()
    assert tombstone.ground == "retention_ended"
    assert tombstone.client_id == old.pk
    assert not RetentionDue.objects.filter(client=old).exists()


def test_the_lists_read_a_fixed_number_of_queries(setup, client, django_assert_max_num_queries):
    subject, officer, *_rest = setup
    for _ in range(5):
        other = ClientFactory(organisation=subject.organisation, date_of_birth=date(2000, 1, 1))
        DestructionRequest.objects.create(
            organisation=subject.organisation,
            client=other,
            requester=Requester.YOUNG_PERSON,
            received_on=date(2026, 1, 15),
            recorded_by=officer,
        )
    client.force_login(officer)
    for url_name in ("retention:requests", "retention:due", "retention:tombstones"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(url_name)).status_code == 200
