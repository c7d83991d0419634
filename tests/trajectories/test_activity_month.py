"""The monthly roll-up of the activities (apps/trajectories/activity_month.py): a PostgreSQL
trigger keeps it equal to the live aggregate of the activities after every kind of write, and
the organisation's funding mosaic read from it equals the one read from the activities."""

import datetime
from dataclasses import asdict
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command

from apps.accounts.models import Role
from apps.trajectories import mosaic as mosaic_module
from apps.trajectories.activity_month import activity_month_differences, activity_month_rebuild
from apps.trajectories.models import Activity, ActivityMonth
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
