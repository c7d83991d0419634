"""A request for access or a copy, and the copy of the complete record made for it.

Sources:
- BW 7:456 (WGBO): the care provider gives the client, on request, access to and a copy of the
  record, free of charge, unless another's privacy would be harmed; the NVO's guidance on a
  copy of the file (nvo.nl, "Welke gegevens verstrek je als een cliënt vraagt om een kopie van
  zijn/haar dossier?"): the complete record, daily notes and the names of those who worked in it.
- Jeugdwet art. 7.3.10: the same for the youth-care record; who may ask by age
  (rijksoverheid.nl, "Wie mogen het dossier jeugdhulp van mijn kind inzien?": the young person
  from 12, parents with authority while the child is under 16, from 16 the young person alone).
- BW 7:465: under 12 the provider's duties are owed to the representatives; from 12 to 15 to
  both the young person and the representatives; from 16 to the young person.
- AVG art. 15 lid 3 (gdprhub.eu, Article 15 GDPR): the controller provides a copy of the
  personal data; art. 12 lid 3: within one month of receipt of the request.
"""

import datetime
import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.clients.models import LegalRepresentative
from apps.core.errors import PermissionRefused
from apps.records import sections as record_sections_module
from apps.records.models import AccessRequest, CopyStatus, RecordCopy
from apps.records.sections import Facts, Section, record_sections
from apps.records.services import (
    access_request_record,
    client_statement_add,
    record_copies_expire,
    record_copy_request,
    request_deadline,
)
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory

from .conftest import MELDCODE_CONCERN, TEXTS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _request(record, **kwargs):
    values = {
        "client": record.client,
        "kind": "copy",
        "requester": "young_person",
        "received_on": timezone.localdate(),
        "actor": record.privacy_officer,
    }
    values.update(kwargs)
    return access_request_record(**values)


def _pdf_text(copy: RecordCopy) -> list[str]:
    with copy.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return [page.extract_text() for page in reader.pages]


# --- the request ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (datetime.date(2026, 3, 3), datetime.date(2026, 4, 3)),
        # AVG art. 12 lid 3, "within one month": a month from 31 January ends on the last day
        # of February.
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), datetime.date(2028, 2, 29)),
    ],
)
def test_a_request_is_answered_within_one_month_of_receipt(received, deadline):
    assert request_deadline(received) == deadline


def test_the_privacy_officer_records_a_request_with_its_deadline_and_the_write_is_logged(record):
    received = timezone.localdate() - datetime.timedelta(days=2)
    request = _request(record, received_on=received)
    assert request.deadline == request_deadline(received)
    assert request.history.count() == 1
    assert AccessLogEntry.objects.filter(
        user=record.privacy_officer, client=record.client, event="create", basis="privacy_review"
    ).exists()


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_who_may_ask_follows_the_age_rules(record, english):
    """BW 7:465 and Jeugdwet 7.3.10: at 15 the young person or a representative with parental
    authority; a parent without authority is not a representative who acts for the client."""
    _request(record)
    _request(record, requester="representative", representative=record.mother)
    with pytest.raises(ValidationError) as refused:
        _request(record, requester="representative", representative=record.father_without_authority)
    assert "parental authority" in str(refused.value)
    assert AccessRequest.objects.count() == 2


def test_under_twelve_the_representatives_ask_and_from_sixteen_the_young_person_alone(
    record, english
):
    today = timezone.localdate()
    child = ClientFactory(
        organisation=record.client.organisation, date_of_birth=today.replace(year=today.year - 9)
    )
    parent = LegalRepresentative.objects.create(
        client=child, name="Ouder", relation="parent", parental_authority=True
    )
    with pytest.raises(ValidationError, match="Under 12"):
        _request(record, client=child)
    assert _request(record, client=child, requester="representative", representative=parent)

    sixteen = ClientFactory(
        organisation=record.client.organisation,
        date_of_birth=today.replace(year=today.year - 16) - datetime.timedelta(days=1),
    )
    guardian = LegalRepresentative.objects.create(
        client=sixteen, name="Voogd", relation="guardian", parental_authority=True
    )
    with pytest.raises(ValidationError, match="From 16"):
        _request(record, client=sixteen, requester="representative", representative=guardian)
    assert _request(record, client=sixteen)


def test_a_representative_of_another_client_or_a_future_date_is_refused_and_nothing_saved(record):
    other = ClientFactory(organisation=record.client.organisation)
    stranger = LegalRepresentative.objects.create(
        client=other, name="Iemand", relation="other", parental_authority=True
    )
    with pytest.raises(ValidationError):
        _request(record, requester="representative", representative=stranger)
    with pytest.raises(ValidationError):
        _request(record, received_on=timezone.localdate() + datetime.timedelta(days=1))
    assert not AccessRequest.objects.exists()


def test_only_the_privacy_officer_of_the_clients_organisation_records_a_request(record):
    foreign_officer = UserFactory(roles=[Role.PRIVACY_OFFICER])
    for actor in (record.caseworker, foreign_officer):
        with pytest.raises(PermissionRefused):
            _request(record, actor=actor)
    assert not AccessRequest.objects.exists()


# --- the copy -------------------------------------------------------------------------------


def _make_copy(record, django_capture_on_commit_callbacks, language="nl") -> RecordCopy:
    request = _request(record)
    client_statement_add(
        client=record.client,
        text="VERKLARING ik ben het niet eens met de notitie over school",
        given_by="young_person",
        given_on=timezone.localdate(),
        actor=record.caseworker,
    )
    with django_capture_on_commit_callbacks(execute=True):
        copy = record_copy_request(
            access_request=request, actor=record.privacy_officer, language=language
        )
    copy.refresh_from_db()
    return copy


def test_the_copy_is_the_complete_record_as_a_pdf_with_the_identity_on_every_page(
    record, django_capture_on_commit_callbacks, tmp_path
):
    """BW 7:456 / Jeugdwet 7.3.10 / AVG art. 15 lid 3: a copy of the whole record, every lane
    and every note, the names of those who worked in it and the client's own statements."""
    copy = _make_copy(record, django_capture_on_commit_callbacks)
    assert copy.status == CopyStatus.DONE, copy.error
    assert copy.file.name.startswith("records/")
    assert (tmp_path / copy.file.name).exists()
    assert copy.delete_after == timezone.localdate() + datetime.timedelta(
        days=settings.RECORD_COPY_KEEP_DAYS
    )
    pages = _pdf_text(copy)
    text = " ".join(" ".join(page.split()) for page in pages)
    for expected in TEXTS.values():
        assert expected in text, expected
    assert "VERKLARING ik ben het niet eens" in text
    assert record.client.bsn in text
    assert str(record.teacher) in text  # who worked in the record
    # Every page says whose record it is.
    for page in pages:
        flat = " ".join(page.split())
        assert "Merel Verbrugghen" in flat
        assert record.client.client_number in flat
    assert "Kopie van het dossier" in text  # in the language of the person asking
    # The reporting code is named, not copied: it may concern others (BW 7:456 lid 1 and 3).
    assert MELDCODE_CONCERN not in text
    assert "1 meldcodetraject" in text


def test_the_copy_is_made_in_english_when_asked_in_english(
    record, django_capture_on_commit_callbacks
):
    copy = _make_copy(record, django_capture_on_commit_callbacks, language="en")
    text = " ".join(" ".join(page.split()) for page in _pdf_text(copy))
    assert "Copy of the record" in text
    assert "Activities and notes (all lanes)" in text


def test_a_section_added_later_is_one_function_in_the_list(record, monkeypatch):
    def consents(client):
        return Section("CONSENTS", [Facts([("school", "yes")])])

    monkeypatch.setattr(
        record_sections_module, "SECTIONS", [*record_sections_module.SECTIONS, consents]
    )
    titles = [section.title for section in record_sections(record.client)]
    assert titles[-1] == "CONSENTS"
    assert len(titles) == len(record_sections_module.SECTIONS)


def test_a_failing_copy_is_marked_failed_with_its_error(
    record, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(client):
        raise RuntimeError("kapotte sectie")

    monkeypatch.setattr(record_sections_module, "SECTIONS", [broken])
    copy = _make_copy(record, django_capture_on_commit_callbacks)
    assert copy.status == CopyStatus.FAILED
    assert "kapotte sectie" in copy.error
    assert not copy.file


def test_downloading_the_copy_is_logged_and_refused_to_anyone_else(
    record, django_capture_on_commit_callbacks, client
):
    copy = _make_copy(record, django_capture_on_commit_callbacks)
    url = reverse("records:copy_download", kwargs={"pk": copy.pk})
    client.force_login(record.privacy_officer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AccessLogEntry.objects.filter(
        user=record.privacy_officer, client=record.client, event="export"
    ).exists()
    foreign_officer = UserFactory(roles=[Role.PRIVACY_OFFICER])
    for user in (record.caseworker, foreign_officer):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert AccessLogEntry.objects.filter(
            user=user, client=record.client, outcome="refused"
        ).exists()
        assert not AccessLogEntry.objects.filter(user=user, event="export").exists()


def test_the_file_is_deleted_after_the_kept_days_and_can_no_longer_be_downloaded(
    record, django_capture_on_commit_callbacks, client, tmp_path
):
    copy = _make_copy(record, django_capture_on_commit_callbacks)
    path = tmp_path / copy.file.name
    assert record_copies_expire(today=copy.delete_after - datetime.timedelta(days=1)) == 0
    assert path.exists()
    assert record_copies_expire(today=copy.delete_after) == 1
    copy.refresh_from_db()
    assert copy.status == CopyStatus.DELETED
    assert not copy.file
    assert copy.deleted_at
    assert not path.exists()
    assert copy.sha256  # what was given stays known
    client.force_login(record.privacy_officer)
    assert client.get(reverse("records:copy_download", kwargs={"pk": copy.pk})).status_code == 404


def test_the_nightly_task_that_deletes_expired_copies_is_scheduled():
    from casemanager.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["record-copies-expire"]
    assert entry["task"] == "records.record_copies_expire_task"
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
