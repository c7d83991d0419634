"""What an allocation has used and left, its pace over the last 28 days, and when it runs out
at that pace (apps/funding/use.py), with known data and an explicit day."""

import datetime

import pytest

from apps.funding.models import Frequency
from apps.trajectories.services import activity_cancel
from apps.trajectories.use import allocation_use
from tests.funding.builders import (
    log,
    product,
    register,
    register_weekly_without_end,
    trajectory_of,
)

D = datetime.date
# A Friday. The last 28 days up to it are Saturday 1 March up to and including 28 March.
TODAY = D(2025, 3, 28)
MONDAYS_AND_THURSDAYS = [D(2025, 3, day) for day in (3, 6, 10, 13, 17, 20, 24, 27)]


@pytest.fixture
def jeugdwet(trajectory):
    return product(trajectory.client.organisation)


def _use(allocation, today=TODAY):
    return allocation_use(allocations=[allocation], today=today)[allocation.pk]


def _sessions(trajectory, days, minutes=60):
    return [log(trajectory, day, minutes) for day in days]


def test_twice_a_week_for_four_weeks_on_600_minutes_runs_out_a_week_later(trajectory, jeugdwet):
    allocation = register(trajectory.client, jeugdwet, trajectory.lead_caseworker, volume=600)
    _sessions(trajectory, MONDAYS_AND_THURSDAYS)

    use = _use(allocation)

    assert (use.capacity, use.used, use.left, use.percent) == (600, 480, 120, 80)
    assert (use.total_capacity, use.total_used, use.total_left) == (600, 480, 120)
    assert (use.recent_used, use.observed_days) == (480, 28)
    assert use.burn_per_week == 120
    assert use.budget_percent == 80
    assert not use.windowed
    assert not use.exceeds_window
    # 120 minutes left at 120 a week: gone after exactly seven days.
    assert use.runs_out_on == D(2025, 4, 4)
    assert use.unit_name == "minuten"  # Dutch is the default language


def test_only_the_last_28_days_set_the_pace_but_all_use_counts(trajectory, jeugdwet):
    allocation = register(trajectory.client, jeugdwet, trajectory.lead_caseworker, volume=600)
    _sessions(trajectory, [D(2025, 2, 28), *MONDAYS_AND_THURSDAYS])  # one day too early

    use = _use(allocation)

    assert (use.used, use.left, use.recent_used) == (540, 60, 480)
    assert use.burn_per_week == 120
    # 60 minutes at 480/28 a day last 3.5 days: the fourth day it is gone.
    assert use.runs_out_on == D(2025, 4, 1)


def test_the_same_sessions_seen_a_week_later_set_a_slower_pace(trajectory, jeugdwet):
    allocation = register(trajectory.client, jeugdwet, trajectory.lead_caseworker, volume=600)
    _sessions(trajectory, MONDAYS_AND_THURSDAYS)

    use = _use(allocation, today=D(2025, 4, 4))  # 28 days back: 8 March; six sessions left

    assert (use.recent_used, use.observed_days, use.burn_per_week) == (360, 28, 90)
    assert use.used == 480
    # 120 left at 360/28 a day: 9.33 days, so the tenth day.
    assert use.runs_out_on == D(2025, 4, 14)


def test_a_volume_that_lasts_exactly_two_weeks_runs_out_after_fourteen_days(trajectory, jeugdwet):
    allocation = register(trajectory.client, jeugdwet, trajectory.lead_caseworker, volume=900)
    _sessions(trajectory, [*MONDAYS_AND_THURSDAYS, D(2025, 3, 4), D(2025, 3, 11)])

    use = _use(allocation)

    assert (use.used, use.left, use.burn_per_week) == (600, 300, 150)
    assert use.runs_out_on == TODAY + datetime.timedelta(days=14)  # 300 at 150 a week


def test_an_allocation_that_ends_before_it_runs_out_has_no_forecast(trajectory, jeugdwet):
    allocation = register(
        trajectory.client, jeugdwet, trajectory.lead_caseworker, volume=600, end=D(2025, 4, 3)
    )
    _sessions(trajectory, MONDAYS_AND_THURSDAYS)

    use = _use(allocation)

    assert use.burn_per_week == 120
    assert use.runs_out_on is None  # it would run out on 4 April, the day after it ends


def test_an_allocation_ending_on_the_day_it_runs_out_has_that_forecast(trajectory, jeugdwet):
    allocation = register(
        trajectory.client, jeugdwet, trajectory.lead_caseworker, volume=600, end=D(2025, 4, 4)
    )
    _sessions(trajectory, MONDAYS_AND_THURSDAYS)

    assert _use(allocation).runs_out_on == D(2025, 4, 4)


def test_a_used_up_allocation_runs_out_today(trajectory, jeugdwet):
    allocation = register(trajectory.client, jeugdwet, trajectory.lead_caseworker, volume=480)
    _sessions(trajectory, MONDAYS_AND_THURSDAYS)

    use = _use(allocation)

    assert (use.used, use.left, use.percent, use.budget_percent) == (480, 0, 100, 100)
    assert use.runs_out_on == TODAY


def test_no_activity_means_no_pace_and_no_forecast(trajectory, jeugdwet):
    allocation = register(trajectory.client, jeugdwet, trajectory.lead_caseworker)

    use = _use(allocation)

    assert (use.used, use.left, use.total_used, use.recent_used) == (0, 600, 0, 0)
    assert (use.observed_days, use.burn_per_day, use.burn_per_week) == (28, 0.0, 0)
    assert use.runs_out_on is None
    assert not use.exceeds_window


def test_use_only_long_ago_gives_no_pace(trajectory, jeugdwet):
    allocation = register(trajectory.client, jeugdwet, trajectory.lead_caseworker)
    _sessions(trajectory, [D(2025, 1, 6), D(2025, 1, 13)])

    use = _use(allocation)

    assert (use.used, use.recent_used, use.burn_per_week) == (120, 0, 0)
    assert use.runs_out_on is None


def test_unfunded_and_cancelled_activities_do_not_count(trajectory, jeugdwet):
    allocation = register(trajectory.client, jeugdwet, trajectory.lead_caseworker, volume=120)
    first, _second, refused = _sessions(
        trajectory, [D(2025, 3, 3), D(2025, 3, 6), D(2025, 3, 10)], minutes=60
    )
    assert refused.funding_status == "unfunded"
    assert _use(allocation).used == 120

    activity_cancel(activity=first, actor=trajectory.lead_caseworker)

    # The cancelled session gave its 60 minutes back; the waiting one took them.
    use = _use(allocation)
    assert (use.used, use.recent_used) == (120, 120)
    refused.refresh_from_db()
    assert refused.funding_status == "funded"
    assert refused.absorbed_at is not None


def test_an_allocation_valid_for_ten_days_is_measured_over_those_ten_days(trajectory, jeugdwet):
    # Valid from Wednesday 19 March: 19 up to and including 28 March are ten days.
    allocation = register(
        trajectory.client,
        jeugdwet,
        trajectory.lead_caseworker,
        volume=120,
        frequency=Frequency.PER_WEEK,
        start=D(2025, 3, 19),
    )
    _sessions(trajectory, [D(2025, 3, 19), D(2025, 3, 20), D(2025, 3, 24), D(2025, 3, 25)])

    use = _use(allocation)

    assert (use.recent_used, use.observed_days) == (240, 10)
    assert use.burn_per_week == 168  # 240 in 10 days; over 28 days it would have been 60
    assert use.windowed
    assert use.window == (D(2025, 3, 24), D(2025, 3, 30))
    assert (use.capacity, use.used, use.left) == (120, 120, 0)
    # A week's volume at this pace lasts five days: more than a window's volume per window.
    assert use.exceeds_window
    assert use.runs_out_on == TODAY  # used up in this window


def test_a_weekly_allocation_at_a_pace_below_its_volume_does_not_exceed_the_window(
    trajectory, jeugdwet
):
    allocation = register_weekly_without_end(
        trajectory.client, jeugdwet, trajectory.lead_caseworker, volume=180
    )
    days = [D(2025, 3, day) for day in (3, 4, 5, 10, 11, 12, 17, 18, 19, 24, 25)]
    _sessions(trajectory, days)

    thursday = _use(allocation, today=D(2025, 3, 27))
    assert thursday.window == (D(2025, 3, 24), D(2025, 3, 30))
    assert (thursday.used, thursday.left) == (120, 60)
    assert thursday.recent_used == 660
    assert thursday.burn_per_week == 165  # 660 in 28 days
    assert not thursday.exceeds_window
    # 60 left at 660/28 a day: 2.5 days, so on Sunday, the window's last day.
    assert thursday.runs_out_on == D(2025, 3, 30)
    # A windowed allocation without an end has no total: its window is what is budgeted.
    assert (thursday.total_capacity, thursday.total_left, thursday.total_percent) == (
        None,
        None,
        None,
    )
    assert thursday.budget_percent == thursday.percent == 66

    # Seen a day later the same rest outlasts the window: no forecast.
    assert _use(allocation, today=TODAY).runs_out_on is None


def test_a_windowed_allocation_with_an_end_is_budgeted_over_its_whole_validity(
    trajectory, jeugdwet
):
    allocation = register(
        trajectory.client,
        jeugdwet,
        trajectory.lead_caseworker,
        volume=120,
        frequency=Frequency.PER_WEEK,
        start=D(2025, 3, 3),
        end=D(2025, 3, 30),  # four ISO weeks: 480 minutes in all
    )
    _sessions(trajectory, [D(2025, 3, 3), D(2025, 3, 4), D(2025, 3, 24), D(2025, 3, 25)])

    use = _use(allocation)

    assert (use.used, use.percent) == (120, 100)  # this week's volume is used
    assert (use.total_capacity, use.total_used, use.total_percent) == (480, 240, 50)
    assert use.budget_percent == 50


def test_an_allocation_that_has_not_started_yet_has_no_pace(trajectory, jeugdwet):
    allocation = register(
        trajectory.client, jeugdwet, trajectory.lead_caseworker, start=D(2025, 4, 1)
    )

    use = _use(allocation)

    assert (use.observed_days, use.burn_per_week, use.runs_out_on) == (0, 0, None)


def test_the_use_of_many_allocations_is_read_in_one_query(
    trajectory, jeugdwet, django_assert_num_queries
):
    organisation = trajectory.client.organisation
    allocations = []
    for volume in (600, 900, 1200):
        other = trajectory_of(organisation)
        allocations.append(register(other.client, jeugdwet, other.lead_caseworker, volume=volume))
        _sessions(other, MONDAYS_AND_THURSDAYS[:4])
    weekly = register(
        trajectory.client, jeugdwet, trajectory.lead_caseworker, frequency=Frequency.PER_WEEK
    )
    _sessions(trajectory, [D(2025, 3, 24)])
    allocations.append(weekly)

    with django_assert_num_queries(1):
        uses = allocation_use(allocations=allocations, today=TODAY)
        figures = [
            (use.used, use.left, use.runs_out_on, use.burn_per_week) for use in uses.values()
        ]

    # 240 minutes in the last 28 days: 60 a week; 360, 660 and 960 left last 42, 77, 112 days.
    assert figures == [
        (240, 360, TODAY + datetime.timedelta(days=42), 60),
        (240, 660, TODAY + datetime.timedelta(days=77), 60),
        (240, 960, TODAY + datetime.timedelta(days=112), 60),
        (60, 540, None, 15),  # the weekly one: 540 left this week, the window closes first
    ]
    assert uses[weekly.pk].used == 60


def test_no_allocations_need_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert allocation_use(allocations=[], today=TODAY) == {}
