"""Two requests for the same client never overdraw an allocation (apps/funding/services.py).

The services lock the client's allocations (SELECT ... FOR UPDATE) before they read the volume
left. Only PostgreSQL has row locks and real concurrency, so these tests run there and skip on
SQLite. They commit for real (``transaction=True``): every thread has its own connection and
sees only what the others committed. ``serialized_rollback`` restores the funding streams the
migrations loaded, which the flush after a transactional test removes.
"""

import datetime
import threading

import pytest
from django.db import connection
from django.db.models import Sum

from apps.funding.models import Allocation, Frequency, Unit
from apps.trajectories.assignment import allocation_register
from apps.trajectories.models import Activity, Trajectory
from apps.trajectories.services import activity_log
from tests.clients.factories import ClientFactory
from tests.funding.factories import ContractFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

D = datetime.date
SESSION_MINUTES = 30


def _trajectory_with_allocation(*, minutes: int) -> tuple[Trajectory, Allocation]:
    """A 15-year-old's trajectory and a Jeugdwet allocation of ``minutes`` in total."""
    client = ClientFactory(date_of_birth=D(2010, 5, 17))
    trajectory = TrajectoryFactory(client=client, start=D(2025, 1, 1))
    contract = ContractFactory(organisation=client.organisation, stream=stream("jeugdwet"))
    product = ProductFactory(contract=contract, unit=Unit.MINUTE)
    allocation, _matched = allocation_register(
        client=client,
        product=product,
        number=f"TW-{client.client_number}",
        volume=minutes,
        frequency=Frequency.TOTAL,
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
        actor=trajectory.lead_caseworker,
    )
    return trajectory, allocation


def _log_session(trajectory: Trajectory, day: D) -> Activity:
    return activity_log(
        trajectory=trajectory,
        domain="care",
        kind="treatment_session",
        date=day,
        duration_minutes=SESSION_MINUTES,
        performed_by=trajectory.lead_caseworker,
        actor=trajectory.lead_caseworker,
    )


def _log_at_the_same_moment(trajectory: Trajectory, *, threads: int, each: int) -> list[Activity]:
    """Start ``threads`` threads that log ``each`` sessions at once, each on its own connection."""
    barrier = threading.Barrier(threads)
    logged: list[Activity] = []
    errors: list[BaseException] = []

    def log_sessions() -> None:
        try:
            # Fetched on this thread's own connection before everyone starts together.
            own = Trajectory.objects.select_related("client", "lead_caseworker").get(
                pk=trajectory.pk
            )
            barrier.wait(timeout=30)
            for session in range(each):
                logged.append(_log_session(own, D(2025, 3, 3) + datetime.timedelta(days=session)))
        except BaseException as error:  # reported on the main thread below
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    workers = [threading.Thread(target=log_sessions) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers), "a thread hangs (deadlock?)"
    assert errors == []
    assert len(logged) == threads * each
    return logged


def _used(allocation: Allocation) -> int:
    funded = allocation.activities.filter(status="recorded", funding_status="funded")
    return funded.aggregate(total=Sum("consumed"))["total"] or 0


def test_two_activities_logged_at_the_same_moment_never_overdraw_an_allocation(postgres_only):
    # Several rounds, each with a fresh client, so that a missing lock cannot hide behind one
    # lucky interleaving.
    for _round in range(5):
        trajectory, allocation = _trajectory_with_allocation(minutes=2 * SESSION_MINUTES)
        first = _log_session(trajectory, D(2025, 3, 2))
        assert first.allocation == allocation  # room for exactly one more session is left

        logged = _log_at_the_same_moment(trajectory, threads=2, each=1)

        assert _used(allocation) <= allocation.capacity
        activities = Activity.objects.filter(pk__in=[activity.pk for activity in logged])
        funded = [a for a in activities if a.funding_status == "funded"]
        unfunded = [a for a in activities if a.funding_status == "unfunded"]
        assert len(funded) == 1
        assert funded[0].allocation_id == allocation.pk
        assert len(unfunded) == 1
        reason = unfunded[0].funding_reason
        assert reason["code"] == "unfunded"
        assert [refusal["code"] for refusal in reason["refusals"]] == ["volume_used"]
        assert reason["refusals"][0]["left"] == 0
        assert _used(allocation) == allocation.capacity  # and nothing was left unused


def test_many_threads_logging_at_once_fund_exactly_the_volume_left(postgres_only):
    trajectory, allocation = _trajectory_with_allocation(minutes=12 * SESSION_MINUTES)

    logged = _log_at_the_same_moment(trajectory, threads=8, each=5)

    assert _used(allocation) <= allocation.capacity
    statuses = Activity.objects.filter(pk__in=[activity.pk for activity in logged])
    assert statuses.filter(funding_status="funded", allocation=allocation).count() == 12
    assert statuses.filter(funding_status="unfunded").count() == 8 * 5 - 12
    for activity in statuses.filter(funding_status="unfunded"):
        assert activity.funding_reason["code"] == "unfunded"
        assert [r["code"] for r in activity.funding_reason["refusals"]] == ["volume_used"]
