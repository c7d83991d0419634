"""Destruction end to end on PostgreSQL: after it no table (history tables included), report
file or message file holds the client's name, BSN or a note's text; what the law keeps stays
with the least data, and a tombstone records the destruction.

Sources:
- BW 7:455 lid 1 (WGBO): the care provider destroys the record within three months of the
  patient's request; lid 2: not where keeping it is of substantial importance to someone else,
  or where the law forbids it. Jeugdwet art. 7.3.10 says the same for the youth-care record.
- AVG art. 17 lid 1: erasure of personal data; lid 3 (b): not where a legal obligation
  requires processing, here the fiscal duty to keep the records of the claims for seven years
  (AWR art. 52 lid 4), kept without notes.
- NEN 7513: the access log is kept (append-only); it holds no content of the record.
"""

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.audit.models import AccessLogEntry
from apps.clients.models import Client, LegalRepresentative
from apps.exchange.declarations.draft import declaration_draft
from apps.exchange.declarations.send import declaration_send
from apps.exchange.models import DeclarationLine, Message
from apps.funding.models import Allocation
from apps.reports.models import ReportFormat, ReportRun
from apps.reports.services import report_request
from apps.retention.models import DestructionRequest, Requester, RequestStatus, Tombstone
from apps.retention.services import (
    destruction_request_execute,
    destruction_request_record,
    destruction_request_review,
)
from apps.trajectories.models import Activity, Trajectory, TrajectoryStatus
from apps.trajectories.services import trajectory_close

from .scan import files_holding, tables_holding

NOTE = "Vertelde over de loverboy bij het station, codewoord Kwikstaart-8812"


def _user(organisation, role: Role) -> User:
    return User.objects.filter(organisation=organisation, groups__name=role).order_by("pk").first()


@pytest.fixture
def demo_client(postgres_only, seeded_demo, settings, tmp_path, django_capture_on_commit_callbacks):
    """The demo (seeded once for the modules that read it) with its message files copied to a
    temporary MEDIA_ROOT, so that the destruction changes no file outside it; a client with a
    unique family name, a declared month, a funder's report naming it and a note of our own."""
    seeded_root = Path(settings.MEDIA_ROOT)
    settings.MEDIA_ROOT = tmp_path / "media"
    for message in Message.objects.exclude(file=""):
        copy = settings.MEDIA_ROOT / message.file.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(seeded_root / message.file.name, copy)
    families = Client.objects.values_list("family_name", flat=True)
    candidates = [
        c
        for c in Client.objects.exclude(bsn="").filter(destruction_requests=None).order_by("pk")
        if list(families).count(c.family_name) == 1
        and Message.objects.filter(client_ids__contains=[c.pk]).exists()
        and Activity.objects.filter(trajectory__client=c).exists()
    ]
    client = candidates[0]
    caseworker = _user(client.organisation, Role.CASEWORKER)
    activity = Activity.objects.filter(trajectory__client=client).order_by("-date").first()
    activity.note = NOTE
    activity._history_user = caseworker
    activity.save()
    allocation = Allocation.objects.filter(client=client).order_by("pk").first()
    manager = _user(client.organisation, Role.MANAGER)
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        for run in declaration_draft(
            organisation=client.organisation,
            funder=allocation.funder,
            month=last_month,
            actor=manager,
        ):
            declaration_send(run=run, actor=manager)
        report_request(
            organisation=client.organisation,
            funder=allocation.funder,
            period_start=last_month.replace(day=1) - timedelta(days=90),
            period_end=last_month,
            fmt=ReportFormat.CSV,
            actor=manager,
        )
    # What Django's admin logs of a change names the row by its text, without a foreign key.
    LogEntry.objects.create(
        user=manager,
        content_type=ContentType.objects.get_for_model(Client),
        object_id=str(client.pk),
        object_repr=f"{client.given_name} {client.family_name}",
        action_flag=CHANGE,
    )
    LegalRepresentative.objects.create(
        client=client, name="Wilhelmina Regenwulp", relation="parent", parental_authority=True
    )
    for trajectory in Trajectory.objects.filter(client=client, status=TrajectoryStatus.OPEN):
        trajectory_close(trajectory=trajectory, end=timezone.localdate(), actor=caseworker)
    return client


def test_destruction_leaves_no_name_bsn_or_note_anywhere(
    demo_client, settings, django_capture_on_commit_callbacks
):
    client = demo_client
    officer = _user(client.organisation, Role.PRIVACY_OFFICER)
    needles = [client.family_name, client.bsn, NOTE, "Regenwulp"]
    # The scan can fail: before the destruction every needle is found, in tables and files.
    before = tables_holding(needles)
    assert {needle for _, _, needle in before} == set(needles)
    assert any(table.startswith("trajectories_historical") for table, _, _ in before)
    assert files_holding(settings.MEDIA_ROOT, [client.bsn])
    report = ReportRun.objects.get(client_ids__contains=[client.pk])
    assert report.file
    declared = DeclarationLine.objects.filter(client=client).exclude(run__status="draft").count()
    assert declared > 0
    log_entries = AccessLogEntry.objects.filter(client=client).count()

    age = client.age_on(timezone.localdate())
    requester = Requester.YOUNG_PERSON if age >= 16 else Requester.BOTH
    request = destruction_request_record(
        client=client, requester=requester, received_on=timezone.localdate(), actor=officer
    )
    destruction_request_review(request=request, grant=True, actor=officer)
    with django_capture_on_commit_callbacks(execute=True):
        tombstone = destruction_request_execute(
            request=request, actor=officer, confirmation=client.client_number
        )

    assert tables_holding(needles) == []
    assert files_holding(settings.MEDIA_ROOT, needles) == []
    # What the law keeps: the declared lines (without free text), the access log.
    assert DeclarationLine.objects.filter(client_id=client.pk).count() == declared
    assert AccessLogEntry.objects.filter(client_id=client.pk).count() > log_entries
    assert not Trajectory.objects.filter(client_id=client.pk).exists()
    assert not Trajectory.history.filter(client_id=client.pk).exists()
    assert not Client.history.filter(id=client.pk).exists()
    report.refresh_from_db()
    assert not report.file
    assert client.pk not in report.client_ids
    # The tombstone: when, by whom, on whose request, on which ground; no identifying data.
    tombstone = Tombstone.objects.get(pk=tombstone.pk)
    assert tombstone.destroyed_by == officer
    assert tombstone.requester == requester
    assert tombstone.ground == "request"
    assert tombstone.removed["trajectories.activity"] > 0
    assert tombstone.kept["exchange.declarationline"] == declared
    assert tombstone.files_redacted > 0
    request.refresh_from_db()
    assert request.status == RequestStatus.EXECUTED
    emptied = Client.objects.get(pk=client.pk)
    assert (emptied.given_name, emptied.family_name, emptied.bsn) == ("", "", "")
    assert emptied.date_of_birth == date(1900, 1, 1)


def test_the_demo_has_a_request_waiting_for_review(postgres_only, seeded_demo):
    request = DestructionRequest.objects.get(status=RequestStatus.PENDING)
    assert request.recorded_by.has_role(Role.PRIVACY_OFFICER)
    assert request.requester == Requester.YOUNG_PERSON
    assert request.client.age_on(request.received_on) >= 16
