import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from apps.reports.build import report_build
from apps.reports.models import ReportRun
from apps.reports.services import report_request

D = datetime.date


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _run(scenario, fmt="csv") -> ReportRun:
    return ReportRun.objects.create(
        organisation=scenario.organisation,
        funder=scenario.funder,
        period_start=D(2025, 2, 1),
        period_end=D(2025, 3, 31),
        format=fmt,
        requested_by=scenario.manager,
    )


def test_building_twice_leaves_one_file(scenario, tmp_path):
    run = _run(scenario)
    report_build(run_id=run.pk)
    first = ReportRun.objects.get(pk=run.pk)
    report_build(run_id=run.pk)  # a second delivery of the same task
    again = ReportRun.objects.get(pk=run.pk)
    assert (again.sha256, again.file.name, again.attempts) == (first.sha256, first.file.name, 1)
    assert len(list(tmp_path.rglob("*.csv"))) == 1


def test_a_worker_that_died_mid_run_builds_it_again_once(scenario, tmp_path):
    run = _run(scenario)
    ReportRun.objects.filter(pk=run.pk).update(status="running", attempts=1, progress=40)
    report_build(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 2)
    assert len(list(tmp_path.rglob("*.csv"))) == 1


def test_a_report_that_keeps_killing_its_worker_is_given_up(scenario, settings):
    run = _run(scenario)
    ReportRun.objects.filter(pk=run.pk).update(
        status="running", attempts=settings.REPORT_MAX_ATTEMPTS
    )
    report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert "3" in run.error
    assert run.attempts == settings.REPORT_MAX_ATTEMPTS
    assert not run.file


def test_a_failed_run_records_a_reason_the_manager_can_read(scenario):
    run = _run(scenario)
    with mock.patch("apps.reports.render.render", side_effect=RuntimeError("the disk is full")):
        report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert "the disk is full" in run.error
    assert "kon niet worden gemaakt" in run.error


def test_progress_rises_to_100(scenario):
    run = _run(scenario, fmt="pdf")
    seen = []
    report_build(run_id=run.pk, on_progress=seen.append)
    run.refresh_from_db()
    assert run.progress == 100
    assert seen == sorted(seen)
    assert seen[-1] == 100


def test_report_request_refuses_a_caseworker(scenario):
    with pytest.raises(PermissionError):
        report_request(
            organisation=scenario.organisation,
            funder=scenario.funder,
            period_start=D(2025, 2, 1),
            period_end=D(2025, 3, 31),
            fmt="csv",
            actor=scenario.caseworker,
        )


def test_report_request_refuses_a_period_in_the_future(scenario):
    with pytest.raises(ValidationError) as error:
        report_request(
            organisation=scenario.organisation,
            funder=scenario.funder,
            period_start=D(2099, 1, 1),
            period_end=D(2099, 2, 1),
            fmt="csv",
            actor=scenario.manager,
        )
    assert "period_start" in error.value.message_dict


def test_a_run_never_stays_running_when_storing_fails(scenario, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker  # the file cannot be written under a file
    run = _run(scenario)
    report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error


def test_a_run_never_stays_running_when_the_renderer_cannot_load(scenario, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "apps.reports.render", None)
    run = _run(scenario)
    report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed"


def test_progress_alone_writes_no_history_rows(scenario):
    run = _run(scenario, fmt="pdf")
    report_build(run_id=run.pk)
    statuses = list(run.history.order_by("history_id").values_list("status", flat=True))
    assert statuses == ["queued", "running", "done"]
