import datetime
import hashlib

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.reports.models import ReportRun
from tests.accounts.factories import UserFactory

D = datetime.date


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _request(client, scenario, fmt="csv", **overrides):
    data = {
        "funder": scenario.funder.pk,
        "period": "custom",
        "period_start": "2025-02-01",
        "period_end": "2025-03-31",
        "format": fmt,
    }
    data.update(overrides)
    return client.post(reverse("reports:list"), data)


def test_a_manager_requests_a_report_and_downloads_it(
    client, scenario, django_capture_on_commit_callbacks
):
    client.force_login(scenario.manager)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _request(client, scenario)
    assert response.status_code == 302
    assert len(callbacks) == 1  # the build is enqueued only after the request commits
    run = ReportRun.objects.get()
    assert (run.status, run.progress) == ("done", 100)
    page = client.get(reverse("reports:list"))
    assert reverse("reports:download", kwargs={"pk": run.pk}) in page.text
    download = client.get(reverse("reports:download", kwargs={"pk": run.pk}))
    content = b"".join(download.streaming_content)
    assert download["Content-Disposition"].startswith("attachment")
    assert (
        hashlib.sha256(content).hexdigest()
        == run.sha256
        == hashlib.sha256(run.file.read()).hexdigest()
    )
    logged = AccessLogEntry.objects.filter(user=scenario.manager, event="export")
    assert {entry.client_id for entry in logged} == {
        scenario.shielded_client.pk,
        scenario.plain_client.pk,
    }
    assert {entry.basis for entry in logged} == {"management"}


def test_a_pdf_report_is_built_as_well(client, scenario, django_capture_on_commit_callbacks):
    client.force_login(scenario.manager)
    with django_capture_on_commit_callbacks(execute=True):
        _request(client, scenario, fmt="pdf")
    run = ReportRun.objects.get()
    assert run.status == "done", run.error
    assert run.file.read()[:5] == b"%PDF-"


def test_the_status_fragment_shows_progress(client, scenario):
    client.force_login(scenario.manager)
    _request(client, scenario)  # not committed in this test: the run stays queued
    run = ReportRun.objects.get()
    fragment = client.get(reverse("reports:status", kwargs={"pk": run.pk}))
    assert fragment.status_code == 200
    assert 'hx-trigger="every 2s"' in fragment.text
    assert "<html" not in fragment.text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"period_start": "2025-04-01", "period_end": "2025-03-01"}, "period_end"),
        ({"period_start": "2024-01-01", "period_end": "2025-03-01"}, "period_end"),
        ({"period": "custom", "period_start": "", "period_end": ""}, "__all__"),
        ({"period_start": "31-02-2025"}, "period_start"),
    ],
)
def test_a_wrong_period_gets_a_clear_message_and_nothing_is_queued(
    client, scenario, overrides, field
):
    client.force_login(scenario.manager)
    response = _request(client, scenario, **overrides)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.CASEWORKER, Role.TEACHER, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR]
)
def test_other_roles_are_refused_the_request_and_the_download(
    client, scenario, role, django_capture_on_commit_callbacks
):
    client.force_login(scenario.manager)
    with django_capture_on_commit_callbacks(execute=True):
        _request(client, scenario)
    run = ReportRun.objects.get()
    other = UserFactory(organisation=scenario.organisation, roles=[role])
    client.force_login(other)
    assert client.get(reverse("reports:list")).status_code == 404
    assert _request(client, scenario).status_code == 404
    assert client.get(reverse("reports:download", kwargs={"pk": run.pk})).status_code == 404
    assert ReportRun.objects.count() == 1
    assert AccessLogEntry.objects.filter(user=other, outcome="refused").exists()


def test_a_manager_of_another_organisation_is_refused(
    client, scenario, django_capture_on_commit_callbacks
):
    client.force_login(scenario.manager)
    with django_capture_on_commit_callbacks(execute=True):
        _request(client, scenario)
    run = ReportRun.objects.get()
    stranger = UserFactory(roles=[Role.MANAGER])
    client.force_login(stranger)
    assert client.get(reverse("reports:download", kwargs={"pk": run.pk})).status_code == 404
    assert client.get(reverse("reports:status", kwargs={"pk": run.pk})).status_code == 404
    assert _request(client, scenario).status_code == 200  # no contract with this funder
    assert ReportRun.objects.count() == 1


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_a_downloaded_report_is_kept_by_no_cache(
    client, scenario, fmt, django_capture_on_commit_callbacks
):
    client.force_login(scenario.manager)
    with django_capture_on_commit_callbacks(execute=True):
        _request(client, scenario, fmt=fmt)
    run = ReportRun.objects.get()
    download = client.get(reverse("reports:download", kwargs={"pk": run.pk}))
    assert download.status_code == 200
    assert _not_stored(download)
    assert _not_stored(client.get(reverse("reports:list")))


def _not_stored(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives
