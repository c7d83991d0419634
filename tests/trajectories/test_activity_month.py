"""The monthly roll-up of the activities (apps/trajectories/activity_month.py): a PostgreSQL
trigger keeps it equal to the live aggregate of the activities after every kind of write, and
the organisation's funding mosaic read from it equals the one read from the activities."""

import datetime
from dataclasses import asdict
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.funding.models import Allocation
from apps.trajectories import mosaic as mosaic_module
from apps.trajectories.activity_month import activity_month_differences, activity_month_rebuild
from apps.trajectories.models import Activity, ActivityMonth, AllocationSpan, FundedMonth
from apps.trajectories.mosaic import funding_mosaic
from apps.trajectories.services import activity_cancel, activity_correct
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.funding.builders import log, product, register, trajectory_of

D = datetime.date

pytestmark = pytest.mark.usefixtures("postgres_only")


def _equal():
    only_stored, only_live = activity_month_differences()
    assert (only_stored, only_live) == (set(), set())


@pytest.fixture
def world(db):
    organisation = OrganisationFactory()
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    care = product(organisation, tariff_cents=200)
    waiting = trajectory_of(organisation)
    other = trajectory_of(organisation)
    elsewhere = OrganisationFactory()
    return {
        "organisation": organisation,
        "manager": manager,
        "care": care,
        "waiting": waiting,
        "other": other,
        "foreign": trajectory_of(elsewhere),
        "foreign_care": product(elsewhere, tariff_cents=300),
    }


def _mosaics_equal(organisation, start, end):
    def plain(mosaic):
        data = asdict(mosaic)
        for part in data["parts"]:
            part["funder"], part["stream"] = part["funder"].pk, part["stream"].pk
        return data

    from_rollup = funding_mosaic(organisation=organisation, period_start=start, period_end=end)
    with mock.patch.object(mosaic_module, "rollup_in_use", return_value=False):
        live = funding_mosaic(organisation=organisation, period_start=start, period_end=end)
    assert plain(from_rollup) == plain(live)
    return from_rollup


def test_the_rollup_follows_inserts_edits_deletes_rematches_and_moves(world):
    trajectory, manager = world["waiting"], world["manager"]
    # Inserts: care waiting for an allocation, a lesson (never billed), a consultation.
    first = log(trajectory, D(2025, 1, 13))
    log(trajectory, D(2025, 2, 10), minutes=45)
    log(trajectory, D(2025, 2, 11), minutes=100, domain="education")
    log(trajectory, D(2025, 2, 12), kind="case_consultation")
    log(world["foreign"], D(2025, 2, 10))
    assert first.funding_status == "unfunded"
    _equal()

    # A rematch: the new allocation absorbs the waiting care (unfunded becomes funded).
    register(trajectory.client, world["care"], manager)
    register(world["foreign"].client, world["foreign_care"], manager)
    first.refresh_from_db()
    assert first.funding_status == "funded"
    _equal()

    # Edits: another month and another duration (its allocation consumes more).
    activity_correct(activity=first, actor=manager, date=D(2025, 3, 3), duration_minutes=90)
    _equal()
    # A cancellation leaves the roll-up.
    activity_cancel(activity=log(trajectory, D(2025, 3, 4)), actor=manager)
    _equal()

    # Moves and bulk writes that bypass the models' save(): another trajectory, another month.
    Activity.objects.filter(pk=first.pk).update(trajectory=world["other"])
    Activity.objects.filter(trajectory=trajectory, date__month=2).update(date=D(2025, 4, 1))
    Activity.objects.bulk_create(
        Activity(
            trajectory=world["other"],
            domain="care",
            kind="treatment_session",
            date=D(2025, 5, n + 1),
            duration_minutes=1,
            performed_by=manager,
            funding_status="unfunded",
            funding_reason={"code": "no_allocation"},
        )
        for n in range(3)
    )
    _equal()

    # Deletes: a group left empty is removed, not kept at zero.
    Activity.objects.filter(trajectory=world["other"], date__month=5).delete()
    _equal()
    assert not ActivityMonth.objects.filter(month=D(2025, 5, 1)).exists()
    assert not ActivityMonth.objects.filter(activities__lte=0).exists()


def test_the_rebuild_command_computes_it_again_and_checks_it(world):
    log(world["waiting"], D(2025, 1, 13))
    register(world["waiting"].client, world["care"], world["manager"])
    log(world["waiting"], D(2025, 2, 3), minutes=30)
    rows = ActivityMonth.objects.count()
    ActivityMonth.objects.update(activities=99)  # out of step: a bulk load without triggers
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("activity_month_rebuild", "--check", stdout=out)
    assert "differs" in out.getvalue()

    assert activity_month_rebuild() == rows
    _equal()
    out = StringIO()
    call_command("activity_month_rebuild", "--check", stdout=out)
    assert "equals" in out.getvalue()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2025, 1, 1), D(2025, 12, 31)),  # whole months only
        (D(2025, 1, 15), D(2025, 3, 10)),  # cut at both ends
        (D(2025, 2, 3), D(2025, 2, 20)),  # within one month
        (D(2025, 2, 1), D(2025, 2, 28)),  # exactly one month
    ],
)
def test_the_organisations_mosaic_from_the_rollup_equals_the_live_one(world, start, end):
    trajectory = world["waiting"]
    log(trajectory, D(2025, 1, 13))
    log(trajectory, D(2025, 1, 20), minutes=45)
    register(trajectory.client, world["care"], world["manager"])
    for day in (D(2025, 2, 2), D(2025, 2, 25), D(2025, 3, 5), D(2025, 3, 20)):
        log(trajectory, day, minutes=25)
    log(trajectory, D(2025, 2, 11), minutes=100, domain="education")
    log(world["other"], D(2025, 2, 14))  # waits
    register(world["other"].client, product(world["organisation"], tariff_cents=150), None)
    log(world["other"], D(2025, 3, 14), minutes=35)
    log(world["foreign"], D(2025, 2, 10))

    mosaic = _mosaics_equal(world["organisation"], start, end)
    assert mosaic.activities > 0 or start.month == end.month == 2


def test_a_decrement_whose_row_is_gone_leaves_nothing(world):
    """A client's record destroyed row by row (apps/retention) may remove the roll-up rows
    before the activities: their decrements then leave no negative row behind."""
    activity = log(world["waiting"], D(2025, 1, 13))
    ActivityMonth.objects.all().delete()
    Activity.objects.filter(pk=activity.pk).delete()
    assert not ActivityMonth.objects.exists()
    _equal()


# --- the funded care's running sums (FundedMonth) -----------------------------------------------


def _funded_rows(organisation):
    return FundedMonth.objects.filter(organisation_id=organisation.pk).count()


def test_the_funded_sums_grow_by_inserts_and_are_folded_when_read(world):
    trajectory = world["waiting"]
    register(trajectory.client, world["care"], world["manager"])
    for day in range(1, 6):
        log(trajectory, D(2025, 2, day), minutes=20)
    # One group (the allocation's funder, contract and product in February), written as the
    # first row and a pair of rows (what it was taken away, what it is added) per later write.
    assert _funded_rows(world["organisation"]) == 1 + 2 * 4
    _equal()

    mosaic = _mosaics_equal(world["organisation"], D(2025, 1, 1), D(2025, 3, 31))
    assert _funded_rows(world["organisation"]) == 1
    assert (mosaic.activities, mosaic.allocations) == (5, 1)
    assert isinstance(mosaic.months[0].allocations, int)
    _equal()


def test_an_allocation_that_changes_its_product_takes_its_sums_along(world):
    trajectory = world["waiting"]
    allocation = register(trajectory.client, world["care"], world["manager"])
    log(trajectory, D(2025, 2, 3), minutes=30)
    log(trajectory, D(2025, 3, 3), minutes=30)
    year = (D(2025, 1, 1), D(2025, 12, 31))
    before = _mosaics_equal(world["organisation"], *year)
    other = product(world["organisation"], "wmo", tariff_cents=600, unit=world["care"].unit)
    Allocation.objects.filter(pk=allocation.pk).update(
        product=other, contract=other.contract, funder=other.contract.funder
    )
    _equal()
    mosaic = _mosaics_equal(world["organisation"], *year)
    assert [part.stream.code for part in mosaic.parts] == ["wmo"]
    assert mosaic.value_cents == 3 * before.value_cents  # 600 cents a unit instead of 200


@pytest.mark.parametrize(
    ("end", "live_days"),
    [
        (D(2025, 3, 25), False),  # no care after the 25th in March: March read whole
        (D(2025, 3, 10), True),  # care on the 20th: March's days up to the 10th read live
    ],
)
def test_a_period_that_ends_after_the_last_care_of_its_month_reads_that_month_whole(
    world, end, live_days
):
    """The default period ends today, and nothing is recorded ahead of today: its month is then
    read from the roll-up, not from the activities of every organisation."""
    trajectory = world["waiting"]
    register(trajectory.client, world["care"], world["manager"])
    for day in (D(2025, 2, 2), D(2025, 3, 5), D(2025, 3, 20)):
        log(trajectory, day, minutes=25)
    with CaptureQueriesContext(connection) as queries:
        mosaic = funding_mosaic(
            organisation=world["organisation"], period_start=D(2025, 1, 1), period_end=end
        )
    read_live = any("DATE_TRUNC" in query["sql"] for query in queries.captured_queries)
    assert read_live is live_days
    assert mosaic.activities == (3 if end.day == 25 else 2)
    _mosaics_equal(world["organisation"], D(2025, 1, 1), end)


@pytest.mark.parametrize(
    ("start", "end", "allocations"),
    [
        (D(2025, 1, 1), D(2025, 4, 30), 1),  # the whole span
        (D(2025, 2, 1), D(2025, 3, 31), 0),  # within its gap: none
        (D(2025, 2, 1), D(2025, 4, 30), 1),  # from the gap to its end
        (D(2024, 11, 1), D(2025, 1, 31), 1),  # up to its first month
    ],
)
def test_the_distinct_allocations_of_whole_months_count_an_allocation_with_a_gap_right(
    world, start, end, allocations
):
    """An allocation with care in January and April only: the spans know its first and last
    month and that its months do not run without a gap, so a period in the gap counts it
    not."""
    trajectory = world["waiting"]
    register(trajectory.client, world["care"], world["manager"])
    log(trajectory, D(2025, 1, 13), minutes=25)
    april = log(trajectory, D(2025, 4, 7), minutes=25)
    assert AllocationSpan.objects.get().months == 2
    mosaic = _mosaics_equal(world["organisation"], start, end)
    assert mosaic.allocations == allocations

    # Its last month goes: the span ends in January again.
    activity_cancel(activity=april, actor=world["manager"])
    span = AllocationSpan.objects.get()
    assert (span.first_month, span.last_month, span.months) == (D(2025, 1, 1), D(2025, 1, 1), 1)
    _equal()
