"""A real Celery worker builds reports: requested on the web page, surviving a killed worker.

Each test starts ``celery -A casemanager worker -Q reports`` in a subprocess (tests/reports/
worker.py) on a Redis database of its own, against the test database, and points the test
process's Celery app at the same broker. The data is committed (``transaction=True``) so that
the worker sees it; ``serialized_rollback`` gives the migrations' reference data back to the
tests after these.

They need PostgreSQL (skipped on SQLite, where a second process cannot share the test
database; CI runs them in its PostgreSQL pass) and Redis at 127.0.0.1:6379 (skipped when it
does not answer, except with ``CI=true``, where that is a failure).
"""

import datetime
import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from apps.funding.models import Allocation, Frequency
from apps.reports.models import ReportFormat, ReportRun, ReportStatus
from apps.reports.services import report_request
from apps.reports.tasks import report_build_task
from apps.trajectories.models import Activity, FundingStatus, Trajectory
from casemanager.celery import app as celery_app
from tests.clients.factories import ClientFactory

from .worker import (
    BROKER_URL,
    VISIBILITY_TIMEOUT,
    Workers,
    celery_app_publishing_to,
    database_url,
    in_ci,
    redis_broker_db_held,
    redis_broker_messages,
    redis_missing,
)

D = datetime.date

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BUILD_TIMEOUT = 60  # seconds a worker may take to finish a run
NOTHING_LEFT = {"waiting": 0, "unacknowledged": 0}
PERIOD = {"period_start": D(2025, 2, 1), "period_end": D(2025, 3, 31)}
# Enough allocations for WeasyPrint to take seconds (about five here), so that the first
# worker is surely killed in the middle of the render.
LARGE_REPORT_CLIENTS = 20
ALLOCATIONS_PER_CLIENT = 5


@pytest.fixture
def broker(postgres_only) -> Iterator[str]:
    """Redis as this process's broker (not eager) for one test, on a database of its own."""
    missing = redis_missing()
    if missing:
        message = f"the Celery worker tests need Redis as the broker: {missing}"
        if in_ci():
            pytest.fail(f"{message}; with CI=true a missing Redis is a failure", pytrace=False)
        pytest.skip(message)
    with redis_broker_db_held(), celery_app_publishing_to(celery_app, BROKER_URL):
        yield BROKER_URL


@pytest.fixture
def workers(broker, settings, tmp_path) -> Iterator[Workers]:
    """Start workers with ``workers.start()``; all of them are stopped after the test."""
    media_root = tmp_path / "media"
    settings.MEDIA_ROOT = str(media_root)  # the same folder for this process and the workers
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casemanager.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "MEDIA_ROOT": str(media_root),
        "CELERY_BROKER_URL": broker,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "DJANGO_DEBUG": "true",
        "PYTHONUNBUFFERED": "1",
    }
    started = Workers(env=env, log_dir=tmp_path)
    try:
        yield started
    finally:
        started.stop_all()  # before the database is flushed: the workers hold connections


def _finished(run: ReportRun) -> bool:
    run.refresh_from_db()
    return run.status in (ReportStatus.DONE, ReportStatus.FAILED)


def _wait_until_acknowledged(workers: Workers) -> None:
    workers.wait_for(
        lambda: redis_broker_messages() == NOTHING_LEFT,
        timeout=10,
        what="the broker to hold no more messages",
    )


def _stored_files(settings) -> list[Path]:
    return sorted(path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _large_report_data(scenario) -> int:
    """Many clients of the scenario's organisation, each with allocations and a funded session.

    Written straight to the database (bulk, so without history, which no report reads): the
    funding rules are tested elsewhere; here the report only has to be long.
    """
    product = scenario.allocations["a"].product
    lead = scenario.caseworker
    allocations, activities = [], []
    for index in range(LARGE_REPORT_CLIENTS):
        client = ClientFactory(organisation=scenario.organisation)
        trajectory = Trajectory.objects.create(
            client=client, start=D(2025, 1, 1), lead_caseworker=lead
        )
        for number in range(ALLOCATIONS_PER_CLIENT):
            allocation = Allocation(
                client=client,
                product=product,
                contract=product.contract,
                funder=scenario.funder,
                number=f"TW-LARGE-{index:03d}-{number}",
                volume=600,
                unit=product.unit,
                frequency=Frequency.TOTAL,
                start=D(2025, 1, 1),
                end=D(2025, 12, 31),
            )
            allocations.append(allocation)
            for day in (D(2025, 2, 3 + number), D(2025, 3, 3 + number)):
                activities.append(
                    Activity(
                        trajectory=trajectory,
                        domain="care",
                        kind="treatment_session",
                        date=day,
                        duration_minutes=45,
                        performed_by=lead,
                        allocation=allocation,
                        funding_status=FundingStatus.FUNDED,
                        consumed=45,
                    )
                )
    Allocation.objects.bulk_create(allocations)
    Activity.objects.bulk_create(activities)
    return len(allocations)


def test_a_real_worker_builds_a_report_requested_through_the_web_page(
    client, scenario, workers, settings
):
    worker = workers.start()
    client.force_login(scenario.manager)

    response = client.post(
        reverse("reports:list"),
        {
            "funder": scenario.funder.pk,
            "period": "custom",
            "period_start": PERIOD["period_start"].isoformat(),
            "period_end": PERIOD["period_end"].isoformat(),
            "format": ReportFormat.CSV,
        },
    )

    assert response.status_code == 302, response.content.decode()
    run = ReportRun.objects.get()
    workers.wait_for(lambda: _finished(run), timeout=BUILD_TIMEOUT, what=f"run {run.pk} to end")
    assert run.status == ReportStatus.DONE, f"{run.error}\n{workers.logs()}"
    assert (run.progress, run.attempts) == (100, 1)
    assert len(worker.received()) == 1  # from Redis: the request did not build it in-process
    _wait_until_acknowledged(workers)

    download = client.get(reverse("reports:download", kwargs={"pk": run.pk}))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == run.sha256
    assert _stored_files(settings) == [Path(run.file.path)]


def test_a_worker_killed_during_the_run_is_replaced_and_the_report_completes(
    scenario, workers, settings
):
    allocations = _large_report_data(scenario)
    first = workers.start()
    run = report_request(
        organisation=scenario.organisation,
        funder=scenario.funder,
        fmt=ReportFormat.PDF,
        actor=scenario.manager,
        **PERIOD,
    )

    def rendering() -> bool:
        run.refresh_from_db()
        return run.status == ReportStatus.RUNNING and run.progress > 5

    workers.wait_for(rendering, timeout=BUILD_TIMEOUT, what=f"run {run.pk} to be rendered")
    seen_rendering = time.monotonic()
    first.kill_hard()
    run.refresh_from_db()
    assert run.status == ReportStatus.RUNNING, (
        f"the run of {allocations} allocations ended before its worker was killed: make the "
        f"report larger\n{workers.logs()}"
    )
    assert run.attempts == 1
    assert not run.file
    assert _stored_files(settings) == []
    assert "succeeded" not in first.log()
    # The killed worker's message is still in Redis, delivered but never acknowledged.
    assert redis_broker_messages() == {"waiting": 0, "unacknowledged": 1}

    # Redis gives the unacknowledged task to another worker once the visibility timeout has
    # passed since the first one received it (before it marked the run running); a new worker
    # looks for such tasks as it starts.
    time.sleep(max(0.0, seen_rendering + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    second = workers.start()
    workers.wait_for(lambda: _finished(run), timeout=BUILD_TIMEOUT, what=f"run {run.pk} to end")

    assert run.status == ReportStatus.DONE, f"{run.error}\n{workers.logs()}"
    assert run.attempts == 2
    assert run.sha256
    assert _stored_files(settings) == [Path(run.file.path)]
    assert _sha256(Path(run.file.path)) == run.sha256
    assert second.received() == first.received()  # the same message, delivered again
    assert len(first.received()) == 1
    _wait_until_acknowledged(workers)


def test_a_run_that_stopped_its_worker_too_often_is_marked_failed_not_retried(
    scenario, workers, settings
):
    run = ReportRun.objects.create(
        organisation=scenario.organisation,
        funder=scenario.funder,
        format=ReportFormat.PDF,
        requested_by=scenario.manager,
        status=ReportStatus.RUNNING,
        progress=23,
        attempts=settings.REPORT_MAX_ATTEMPTS,  # as if its worker died that many times
        **PERIOD,
    )
    worker = workers.start()

    report_build_task.delay(run.pk)

    workers.wait_for(lambda: _finished(run), timeout=BUILD_TIMEOUT, what=f"run {run.pk} to end")
    assert run.status == ReportStatus.FAILED, workers.logs()
    assert str(settings.REPORT_MAX_ATTEMPTS) in run.error
    assert run.finished_at is not None
    assert not run.file
    assert run.progress == 23  # not built again
    assert _stored_files(settings) == []
    _wait_until_acknowledged(workers)  # nothing is left to be tried again
    assert len(worker.received()) == 1
    assert "succeeded" in worker.log()
