"""The privacy officer's pages for requests and copies, and the client's statements.

Sources: BW 7:454 lid 1 (WGBO): at the client's request a statement by the client about the
documents in the record is added to it (and kept with it); BW 7:465 for who speaks for a minor;
Jeugdwet 7.3.10 for the youth-care record; AVG art. 12 lid 3 for the month to answer.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.core.errors import PermissionRefused
from apps.records.models import AccessRequest, ClientStatement, RecordCopy
from apps.records.services import access_request_record, client_statement_add
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

STATEMENT = "VERKLARING ik was ziek, geen spijbelen"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _logged(user, subject, outcome):
    return AccessLogEntry.objects.filter(user=user, client=subject, outcome=outcome).exists()


# --- the client's statement -----------------------------------------------------------------


def test_a_caseworker_of_the_team_adds_a_statement_shown_on_the_client_page(client, record):
    """BW 7:454 lid 1: the statement is added to the record and shown with it."""
    client.force_login(record.caseworker)
    url = reverse("records:statements", kwargs={"pk": record.client.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"text": STATEMENT, "given_by": "young_person", "given_on": timezone.localdate()},
    )
    assert response.status_code == 302
    statement = ClientStatement.objects.get()
    assert statement.recorded_by == record.caseworker
    assert statement.history.count() == 1
    before = AccessLogEntry.objects.filter(detail="client statements (client page)").count()
    page = client.get(reverse("clients:detail", kwargs={"pk": record.client.pk}))
    assert STATEMENT in page.content.decode()
    assert (
        AccessLogEntry.objects.filter(detail="client statements (client page)").count()
        == before + 1
    )


def test_a_teacher_does_not_see_the_statements_and_is_refused_their_page(client, record):
    client_statement_add(
        client=record.client,
        text=STATEMENT,
        given_by="young_person",
        given_on=timezone.localdate(),
        actor=record.caseworker,
    )
    client.force_login(record.teacher)
    page = client.get(reverse("clients:detail", kwargs={"pk": record.client.pk}))
    assert page.status_code == 200
    assert STATEMENT not in page.content.decode()
    response = client.get(reverse("records:statements", kwargs={"pk": record.client.pk}))
    assert response.status_code == 404
    assert _logged(record.teacher, record.client, "refused")
    with pytest.raises(PermissionRefused):
        client_statement_add(
            client=record.client,
            text=STATEMENT,
            given_by="young_person",
            given_on=timezone.localdate(),
            actor=record.teacher,
        )


def test_a_caseworker_or_privacy_officer_of_another_organisation_is_refused(client, record):
    for role in (Role.CASEWORKER, Role.PRIVACY_OFFICER):
        outsider = UserFactory(roles=[role])
        client.force_login(outsider)
        for name in ("records:statements", "records:client"):
            response = client.get(reverse(name, kwargs={"pk": record.client.pk}))
            assert response.status_code == 404
        assert _logged(outsider, record.client, "refused")
        assert not _logged(outsider, record.client, "allowed")


def test_a_representatives_statement_follows_the_age_rules_and_nothing_is_half_saved(
    client, record
):
    client.force_login(record.caseworker)
    url = reverse("records:statements", kwargs={"pk": record.client.pk})
    with translation.override("en"):
        response = client.post(
            url,
            {
                "text": STATEMENT,
                "given_by": f"rep-{record.father_without_authority.pk}",
                "given_on": timezone.localdate(),
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    assert not ClientStatement.objects.exists()
    response = client.post(
        url, {"text": "  ", "given_by": "young_person", "given_on": timezone.localdate()}
    )
    assert response.status_code == 400
    assert not ClientStatement.objects.exists()
    response = client.post(
        url,
        {
            "text": STATEMENT,
            "given_by": f"rep-{record.mother.pk}",
            "given_on": timezone.localdate(),
        },
    )
    assert response.status_code == 302
    assert ClientStatement.objects.get().representative == record.mother


def test_the_privacy_officer_reads_and_adds_statements_by_pseudonym(client, record):
    client.force_login(record.privacy_officer)
    url = reverse("records:statements", kwargs={"pk": record.client.pk})
    response = client.post(
        url, {"text": STATEMENT, "given_by": "young_person", "given_on": timezone.localdate()}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert STATEMENT in page
    assert record.client.pseudonym in page
    assert record.client.given_name not in page
    assert AccessLogEntry.objects.filter(
        user=record.privacy_officer, client=record.client, basis="privacy_review", event="view"
    ).exists()


# --- the privacy officer's pages ------------------------------------------------------------


def test_the_privacy_officer_finds_the_client_records_a_request_and_makes_the_copy(
    client, record, django_capture_on_commit_callbacks
):
    client.force_login(record.privacy_officer)
    home = client.get(reverse("records:home"), {"q": record.client.client_number})
    assert reverse("records:client", kwargs={"pk": record.client.pk}) in home.content.decode()
    assert AccessLogEntry.objects.filter(
        user=record.privacy_officer, client=record.client, event="search"
    ).exists()
    url = reverse("records:client", kwargs={"pk": record.client.pk})
    received = timezone.localdate() - datetime.timedelta(days=40)
    response = client.post(
        url,
        {"kind": "copy", "asked_by": f"rep-{record.mother.pk}", "received_on": received},
    )
    assert response.status_code == 302
    request = AccessRequest.objects.get()
    assert request.representative == record.mother
    home = client.get(reverse("records:home")).content.decode()
    assert record.client.client_number in home  # still to answer, and overdue
    assert "badge-warn" in home
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("records:copy_make", kwargs={"pk": request.pk}))
    assert response.status_code == 302
    copy = RecordCopy.objects.get()
    assert copy.status == "done", copy.error
    page = client.get(url).content.decode()
    assert reverse("records:copy_download", kwargs={"pk": copy.pk}) in page
    assert record.client.given_name not in page  # the privacy officer's pages: pseudonym
    status = client.get(reverse("records:copy_status", kwargs={"pk": copy.pk}))
    assert status.status_code == 200
    # Answered: no longer waiting on the home page.
    assert record.client.client_number not in client.get(reverse("records:home")).content.decode()


def test_an_invalid_request_shows_its_errors_and_saves_nothing(client, record):
    client.force_login(record.privacy_officer)
    url = reverse("records:client", kwargs={"pk": record.client.pk})
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for data in (
        {"kind": "copy", "asked_by": "young_person", "received_on": tomorrow},
        {"kind": "copy", "asked_by": "rep-999999", "received_on": timezone.localdate()},
        {"kind": "nonsense", "asked_by": "young_person", "received_on": "31-02-2026"},
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert "errorlist" in response.content.decode()
    assert not AccessRequest.objects.exists()


def test_other_roles_are_refused_the_privacy_officers_pages_and_making_a_copy(client, record):
    request = access_request_record(
        client=record.client,
        kind="copy",
        requester="young_person",
        received_on=timezone.localdate(),
        actor=record.privacy_officer,
    )
    for user in (record.caseworker, UserFactory(roles=[Role.PRIVACY_OFFICER])):
        client.force_login(user)
        assert (
            client.get(reverse("records:client", kwargs={"pk": record.client.pk})).status_code
            == 404
        )
        response = client.post(reverse("records:copy_make", kwargs={"pk": request.pk}))
        assert response.status_code == 404
        assert _logged(user, record.client, "refused")
    client.force_login(record.caseworker)
    assert client.get(reverse("records:home")).status_code == 404
    assert not RecordCopy.objects.exists()


def test_the_open_requests_page_reads_in_a_constant_number_of_queries(
    client, record, django_assert_max_num_queries
):
    for _ in range(5):
        access_request_record(
            client=record.client,
            kind="inspection",
            requester="young_person",
            received_on=timezone.localdate(),
            actor=record.privacy_officer,
        )
    client.force_login(record.privacy_officer)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("records:home")).status_code == 200
    with django_assert_max_num_queries(25):
        assert (
            client.get(reverse("records:client", kwargs={"pk": record.client.pk})).status_code
            == 200
        )
