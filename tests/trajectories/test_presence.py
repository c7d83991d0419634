"""Presence through the services: residential stays (admission, discharge, leave) and day parts.

The worked examples (each with its source):

| example                                  | nights / units         | funded on               |
|------------------------------------------|------------------------|-------------------------|
| a week's stay, Mon 3 – Mon 10 March 2025  | 7 nights (3 – 9 March) | 43B01, 7 etmalen a week |
|   with two 45-minute therapy sessions     | –                      | 45A07, or unfunded      |
| a leave weekend, Fri 7 – Sun 9 March      | 2 of the 7 nights away | as the contract says    |
| a day with 3 day parts                    | 3 units                | a day-part product: 3   |

Sources:
- A night counts on the date it starts; the day of discharge is not a night. NZa, regeling
  GGZ (NR/REG-1927 art. 5.1.4, "Verblijfsdag met overnachting", normenkaderzorg.nl): "De dag
  van opname en de daarop volgende nacht gelden als één verblijfsdag. De dag waarop de
  patiënt ontslagen wordt – en dus niet 's nachts in de kliniek verblijft – geldt niet als
  verblijfsdag." No rule of the iJw itself on counting etmalen was found in the stored
  sources; WJ756 names unit 14 etmaal and 16 dagdeel (a day part of 4 hours).
- Leave: the Wlz pays leave ("weekendverlof") for at most two consecutive days in a week,
  Monday to Sunday (NZa, vragen en antwoorden, "Mogen deze dagen als weekendverlof
  gedeclareerd worden?"); the period of absence starts the first day after leaving and ends
  the day before the return (Menzis Zorgkantoor, "Bijzondere dagen in de Wlz", from the NZa
  rules). For the Jeugdwet the contract decides: ``Contract.leave_nights_paid`` per
  ``leave_period``.
- Whole units: presence is counted in whole etmalen and day parts (iJw invulinstructie IV042
  as the issue cites it; the text of IV042 itself was not found in the stored sources).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AccessLogEntry
from apps.core.domains import ActivityKind, Attendance
from apps.funding.models import Frequency, LeavePeriod, Unit
from apps.trajectories import presence, services
from apps.trajectories.models import (
    Activity,
    ActivityStatus,
    DayAttendance,
    FundingStatus,
    Stay,
    StayLeave,
)
from apps.trajectories.presence import (
    day_parts_record,
    stay_admit,
    stay_change,
    stay_discharge,
    stay_leave_cancel,
    stay_leave_record,
    stays_extend,
)
from apps.trajectories.tasks import stays_extend_task
from tests.funding.builders import log, register
from tests.funding.factories import ContractFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date
NIGHT = ActivityKind.RESIDENTIAL_STAY


@pytest.fixture
def today(monkeypatch):
    """Today is Sunday 16 March 2025 for the services (nights are never made ahead)."""
    day = {"today": D(2025, 3, 16)}

    def _today():
        return day["today"]

    monkeypatch.setattr(presence, "_today", _today)
    monkeypatch.setattr(services, "_today", _today)
    return day


@pytest.fixture
def trajectory(db):
    return TrajectoryFactory(start=D(2025, 1, 1))


def _contract(trajectory, **values):
    return ContractFactory(
        organisation=trajectory.client.organisation, stream=stream("jeugdwet"), **values
    )


def _stay_allocation(
    trajectory, *, leave_nights_paid=0, leave_period=LeavePeriod.WEEK, nights_a_week=7
):
    """43B01 "Verblijf met behandeling", € 352 an etmaal, 7 etmalen a week."""
    product = ProductFactory(
        contract=_contract(
            trajectory, leave_nights_paid=leave_nights_paid, leave_period=leave_period
        ),
        category="43",
        code="43B01",
        description="Verblijf met behandeling (leefgroep)",
        unit=Unit.DAY_24H,
        tariff_cents=35200,
    )
    return register(
        trajectory.client,
        product,
        trajectory.lead_caseworker,
        number="TW-43B01",
        volume=nights_a_week,
        frequency=Frequency.PER_WEEK,
    )


def _treatment_allocation(trajectory):
    product = ProductFactory(contract=_contract(trajectory), code="45A07", unit=Unit.MINUTE)
    return register(trajectory.client, product, trajectory.lead_caseworker, number="TW-45A07")


def _nights(stay):
    return list(stay.nights.filter(status=ActivityStatus.RECORDED).order_by("date"))


MONDAY = D(2025, 3, 3)


def _admit(trajectory, admitted_on=MONDAY, **values):
    return stay_admit(
        trajectory=trajectory,
        admitted_on=admitted_on,
        actor=trajectory.lead_caseworker,
        **values,
    )


# --- the nights follow from the dates -------------------------------------------------------


def test_a_week_of_stay_is_seven_nights_the_day_of_discharge_is_none(trajectory, today):
    stay = _admit(trajectory, discharged_on=D(2025, 3, 10))
    nights = _nights(stay)
    assert [night.date for night in nights] == [D(2025, 3, day) for day in range(3, 10)]
    for night in nights:
        assert (night.kind, night.domain, night.units) == (NIGHT, "care", 1)
        assert night.attendance == Attendance.PRESENT
        assert night.performed_by == trajectory.lead_caseworker


def test_nights_are_made_up_to_today_and_extended_night_by_night(trajectory, today):
    stay = _admit(trajectory, admitted_on=D(2025, 3, 12))
    assert [night.date for night in _nights(stay)] == [D(2025, 3, d) for d in (12, 13, 14, 15, 16)]
    assert stays_extend() == {"stays": 1, "nights": 0, "failed": 0}  # nothing ahead of today
    today["today"] = D(2025, 3, 18)
    assert stays_extend_task.delay().get() == {"stays": 1, "nights": 2, "failed": 0}
    assert _nights(stay)[-1].date == D(2025, 3, 18)
    # A night logged as the nightly task has no user: recorded as performed by who admitted.
    assert _nights(stay)[-1].history.first().history_user is None


def test_admission_on_the_day_of_discharge_has_no_night(trajectory, today):
    stay = _admit(trajectory, admitted_on=D(2025, 3, 14), discharged_on=D(2025, 3, 14))
    assert _nights(stay) == []


def test_a_discharge_cancels_the_nights_after_it_with_history(trajectory, today):
    stay = _admit(trajectory, admitted_on=D(2025, 3, 10))
    assert len(_nights(stay)) == 7  # 10 – 16 March
    stay_discharge(stay=stay, discharged_on=D(2025, 3, 14), actor=trajectory.lead_caseworker)
    assert [night.date for night in _nights(stay)] == [D(2025, 3, d) for d in (10, 11, 12, 13)]
    cancelled = stay.nights.filter(status=ActivityStatus.CANCELLED).order_by("date")
    assert [night.date for night in cancelled] == [D(2025, 3, d) for d in (14, 15, 16)]
    assert cancelled[0].history.count() == 2  # logged, then cancelled
    assert stays_extend() == {"stays": 0, "nights": 0, "failed": 0}  # a discharged stay stays


def test_a_later_admission_date_cancels_exactly_the_first_nights(trajectory, today):
    stay = _admit(trajectory, admitted_on=D(2025, 3, 10))
    first = {night.date: night.pk for night in _nights(stay)}
    stay_change(stay=stay, admitted_on=D(2025, 3, 12), actor=trajectory.lead_caseworker)
    kept = {night.date: night.pk for night in _nights(stay)}
    assert sorted(kept) == [D(2025, 3, d) for d in range(12, 17)]
    assert all(first[day] == pk for day, pk in kept.items()), "the other nights are untouched"
    stay_change(stay=stay, admitted_on=D(2025, 3, 11), actor=trajectory.lead_caseworker)
    assert len(_nights(stay)) == 6


def test_every_change_of_a_stay_is_logged_for_the_client(trajectory, today):
    stay = _admit(trajectory, admitted_on=D(2025, 3, 14))
    leave = stay_leave_record(
        stay=stay,
        leaves_on=D(2025, 3, 15),
        returns_on=D(2025, 3, 16),
        actor=trajectory.lead_caseworker,
    )
    stay_leave_cancel(leave=leave, actor=trajectory.lead_caseworker)
    stay_discharge(stay=stay, discharged_on=D(2025, 3, 16), actor=trajectory.lead_caseworker)
    details = set(
        AccessLogEntry.objects.filter(client=trajectory.client).values_list("detail", flat=True)
    )
    # The detail names the record in the language of the moment (Dutch by default).
    assert {"verblijf create", "verblijf change", "verlof create", "verlof delete"} <= details


# --- funding: whole nights on the stay allocation, sessions never ----------------------------


def test_a_week_of_stay_with_two_sessions_draws_seven_nights_on_43b01(trajectory, today):
    stay_allocation = _stay_allocation(trajectory)
    treatment = _treatment_allocation(trajectory)
    stay = _admit(trajectory, discharged_on=D(2025, 3, 10))
    sessions = [log(trajectory, D(2025, 3, 4), 45), log(trajectory, D(2025, 3, 6), 45)]
    nights = _nights(stay)
    assert {night.allocation_id for night in nights} == {stay_allocation.pk}
    assert sum(night.consumed for night in nights) == 7  # 7 etmalen, whole units
    for session in sessions:
        session.refresh_from_db()
        assert session.allocation_id == treatment.pk
        assert session.consumed == 45


def test_sessions_without_a_treatment_allocation_wait_and_never_draw_on_43b01(trajectory, today):
    stay_allocation = _stay_allocation(trajectory)
    stay = _admit(trajectory, discharged_on=D(2025, 3, 10))
    session = log(trajectory, D(2025, 3, 4), 45)
    assert session.funding_status == FundingStatus.UNFUNDED
    assert session.allocation_id is None
    assert stay_allocation.activities.filter(kind=NIGHT).count() == 7
    assert not stay_allocation.activities.exclude(kind=NIGHT).exists()
    assert len(_nights(stay)) == 7


def test_nights_beyond_the_weekly_etmalen_wait_and_another_clients_never_count(trajectory, today):
    _stay_allocation(trajectory, nights_a_week=5)
    other = TrajectoryFactory(start=D(2025, 1, 1))
    _stay_allocation(other)
    _admit(other, admitted_on=D(2025, 3, 10))
    stay = _admit(trajectory, admitted_on=D(2025, 3, 10))  # Monday 10 – Sunday 16: 7 nights
    statuses = [night.funding_status for night in _nights(stay)]
    assert statuses == [FundingStatus.FUNDED] * 5 + [FundingStatus.UNFUNDED] * 2
    assert _nights(stay)[-1].funding_reason["refusals"][0]["code"] == "volume_used"


# Leave weekend: admitted Monday 3 March, home from Friday 7 to Sunday 9 March: the nights of
# Friday 7 and Saturday 8 are spent away (2 nights), Sunday 9 in the living group again.
LEAVE_CASES = [
    # (leave nights paid, period, funded nights, not chargeable leave nights)
    pytest.param(0, LeavePeriod.WEEK, 5, 2, id="leave-not-paid"),
    pytest.param(2, LeavePeriod.WEEK, 7, 0, id="two-leave-nights-a-week-as-the-wlz"),
    pytest.param(1, LeavePeriod.WEEK, 6, 1, id="one-leave-night-a-week"),
    pytest.param(1, LeavePeriod.YEAR, 6, 1, id="one-leave-night-a-year"),
]


@pytest.mark.parametrize(("paid", "period", "funded", "not_chargeable"), LEAVE_CASES)
def test_a_leave_weekend_is_paid_as_the_contract_says(
    trajectory, today, paid, period, funded, not_chargeable
):
    allocation = _stay_allocation(trajectory, leave_nights_paid=paid, leave_period=period)
    stay = _admit(trajectory, discharged_on=D(2025, 3, 10))
    stay_leave_record(
        stay=stay,
        leaves_on=D(2025, 3, 7),
        returns_on=D(2025, 3, 9),
        actor=trajectory.lead_caseworker,
        note="Weekend thuis",
    )
    nights = {night.date: night for night in _nights(stay)}
    assert len(nights) == 7
    away = [day for day, night in nights.items() if night.attendance == "absent_authorised"]
    assert away == [D(2025, 3, 7), D(2025, 3, 8)]
    statuses = [night.funding_status for night in nights.values()]
    assert statuses.count(FundingStatus.FUNDED) == funded
    assert statuses.count(FundingStatus.NOT_CHARGEABLE) == not_chargeable
    assert sum(night.consumed for night in nights.values()) == funded
    for night in nights.values():
        if night.funding_status == FundingStatus.NOT_CHARGEABLE:
            assert night.funding_reason["code"] == "leave"
            assert "verlofnacht" in night.funding_reason_text.lower()
            assert night.allocation_id is None
        else:
            assert night.allocation_id == allocation.pk


def test_a_cancelled_leave_makes_its_nights_present_again(trajectory, today):
    _stay_allocation(trajectory)
    stay = _admit(trajectory, discharged_on=D(2025, 3, 10))
    leave = stay_leave_record(
        stay=stay, leaves_on=D(2025, 3, 7), returns_on=D(2025, 3, 9), actor=stay.registered_by
    )
    assert [n.funding_status for n in _nights(stay)].count(FundingStatus.FUNDED) == 5
    stay_leave_cancel(leave=leave, actor=stay.registered_by)
    nights = _nights(stay)
    assert all(night.attendance == Attendance.PRESENT for night in nights)
    assert all(night.funding_status == FundingStatus.FUNDED for night in nights)
    assert StayLeave.objects.get().cancelled


def test_leave_that_lasts_beyond_today_makes_later_nights_leave_as_they_come(trajectory, today):
    stay = _admit(trajectory, admitted_on=D(2025, 3, 10))
    stay_leave_record(
        stay=stay, leaves_on=D(2025, 3, 15), returns_on=D(2025, 3, 18), actor=stay.registered_by
    )
    today["today"] = D(2025, 3, 18)
    stays_extend()
    attendance = {night.date.day: night.attendance for night in _nights(stay)}
    assert attendance[16] == attendance[17] == Attendance.ABSENT_AUTHORISED
    assert attendance[18] == Attendance.PRESENT


# --- day parts ------------------------------------------------------------------------------


def _day_part_allocation(trajectory):
    """07A03 "Dagbesteding", per day part (WJ756 code 16), 10 a week."""
    product = ProductFactory(
        contract=_contract(trajectory),
        category="45",
        code="07A03",
        description="Dagbesteding",
        unit=Unit.DAY_PART,
        tariff_cents=4720,
    )
    return register(
        trajectory.client,
        product,
        trajectory.lead_caseworker,
        number="TW-07A03",
        volume=10,
        frequency=Frequency.PER_WEEK,
    )


def test_three_day_parts_in_a_day_are_three_whole_units(trajectory, today):
    allocation = _day_part_allocation(trajectory)
    attendance = day_parts_record(
        trajectory=trajectory,
        date=D(2025, 3, 12),
        day_parts=["evening", "morning", "afternoon"],
        actor=trajectory.lead_caseworker,
    )
    activity = attendance.activity
    assert attendance.day_parts == ["morning", "afternoon", "evening"]
    assert (activity.kind, activity.units, activity.attendance) == ("day_activity", 3, "present")
    assert activity.allocation_id == allocation.pk
    assert activity.consumed == 3  # whole day parts, not 3 x 240 minutes


def test_changing_the_day_parts_corrects_the_day_and_none_cancels_it(trajectory, today):
    allocation = _day_part_allocation(trajectory)
    actor = trajectory.lead_caseworker
    day = D(2025, 3, 12)
    first = day_parts_record(trajectory=trajectory, date=day, day_parts=["morning"], actor=actor)
    again = day_parts_record(
        trajectory=trajectory, date=day, day_parts=["morning", "afternoon"], actor=actor
    )
    assert again.pk == first.pk
    assert again.activity.pk == first.activity.pk
    again.activity.refresh_from_db()
    assert (again.activity.units, again.activity.consumed) == (2, 2)
    cleared = day_parts_record(trajectory=trajectory, date=day, day_parts=[], actor=actor)
    cleared.activity.refresh_from_db()
    assert cleared.activity.status == ActivityStatus.CANCELLED
    assert cleared.day_parts == []
    back = day_parts_record(trajectory=trajectory, date=day, day_parts=["evening"], actor=actor)
    assert back.activity.pk != first.activity.pk
    assert allocation.activities.filter(status=ActivityStatus.RECORDED).get().units == 1
    assert (
        day_parts_record(trajectory=trajectory, date=D(2025, 3, 13), day_parts=[], actor=actor)
        is None
    )


def test_an_unknown_day_part_is_refused(trajectory, today):
    with pytest.raises(ValidationError) as refused:
        day_parts_record(
            trajectory=trajectory,
            date=D(2025, 3, 12),
            day_parts=["night"],
            actor=trajectory.lead_caseworker,
        )
    assert "day_parts" in refused.value.message_dict
    assert not DayAttendance.objects.exists()


def test_a_day_in_the_future_is_refused_and_nothing_is_saved(trajectory, today):
    with pytest.raises(ValidationError):
        day_parts_record(
            trajectory=trajectory,
            date=D(2025, 3, 17),
            day_parts=["morning"],
            actor=trajectory.lead_caseworker,
        )
    assert not DayAttendance.objects.exists()
    assert not Activity.objects.exists()


# --- bad input: a clear message, nothing half-saved ------------------------------------------

BAD_STAYS = [
    pytest.param({"admitted_on": D(2025, 3, 17)}, "admitted_on", id="admission-in-the-future"),
    pytest.param({"admitted_on": D(2024, 12, 31)}, "admitted_on", id="before-the-trajectory"),
    pytest.param(
        {"admitted_on": D(2025, 3, 10), "discharged_on": D(2025, 3, 9)},
        "discharged_on",
        id="discharge-before-admission",
    ),
    pytest.param(
        {"admitted_on": D(2025, 3, 10), "discharged_on": D(2025, 3, 17)},
        "discharged_on",
        id="discharge-in-the-future",
    ),
]


@pytest.mark.parametrize(("values", "field"), BAD_STAYS)
def test_a_stay_with_impossible_dates_is_refused(trajectory, today, values, field):
    with pytest.raises(ValidationError) as refused:
        stay_admit(trajectory=trajectory, actor=trajectory.lead_caseworker, **values)
    assert field in refused.value.message_dict
    assert not Stay.objects.exists()
    assert not Activity.objects.exists()


def test_overlapping_stays_are_refused_a_transfer_on_the_day_of_discharge_is_not(trajectory, today):
    first = _admit(trajectory, admitted_on=D(2025, 3, 3), discharged_on=D(2025, 3, 8))
    with pytest.raises(ValidationError, match="overlapt"):
        _admit(trajectory, admitted_on=D(2025, 3, 7))
    with pytest.raises(ValidationError, match="overlapt"):
        _admit(trajectory, admitted_on=D(2025, 2, 20), discharged_on=D(2025, 3, 4))
    assert Stay.objects.count() == 1
    _admit(trajectory, admitted_on=D(2025, 3, 8))  # discharged and admitted elsewhere that day
    with pytest.raises(ValidationError, match="overlapt"):
        stay_change(stay=first, discharged_on=D(2025, 3, 9), actor=trajectory.lead_caseworker)
    assert Activity.objects.filter(kind=NIGHT, status="recorded").count() == 5 + 9


def test_a_stay_already_discharged_cannot_be_discharged_again(trajectory, today):
    stay = _admit(trajectory, discharged_on=D(2025, 3, 10))
    with pytest.raises(ValidationError, match="al beëindigd"):
        stay_discharge(stay=stay, discharged_on=D(2025, 3, 12), actor=stay.registered_by)


BAD_LEAVES = [
    pytest.param(D(2025, 3, 8), D(2025, 3, 8), "returns_on", id="returns-the-day-it-leaves"),
    pytest.param(D(2025, 3, 1), D(2025, 3, 4), "leaves_on", id="before-the-admission"),
    pytest.param(D(2025, 3, 8), D(2025, 3, 12), "returns_on", id="after-the-discharge"),
    pytest.param(D(2025, 3, 17), D(2025, 3, 18), "leaves_on", id="starts-in-the-future"),
]


@pytest.mark.parametrize(("leaves_on", "returns_on", "field"), BAD_LEAVES)
def test_leave_outside_the_stay_is_refused(trajectory, today, leaves_on, returns_on, field):
    stay = _admit(trajectory, discharged_on=D(2025, 3, 10))
    with pytest.raises(ValidationError) as refused:
        stay_leave_record(
            stay=stay, leaves_on=leaves_on, returns_on=returns_on, actor=stay.registered_by
        )
    assert field in refused.value.message_dict
    assert not StayLeave.objects.exists()
    assert all(night.attendance == Attendance.PRESENT for night in _nights(stay))


def test_overlapping_leave_is_refused_and_a_stay_cannot_shrink_past_its_leave(trajectory, today):
    stay = _admit(trajectory, discharged_on=D(2025, 3, 10))
    stay_leave_record(
        stay=stay, leaves_on=D(2025, 3, 7), returns_on=D(2025, 3, 9), actor=stay.registered_by
    )
    with pytest.raises(ValidationError, match="overlapt"):
        stay_leave_record(
            stay=stay, leaves_on=D(2025, 3, 8), returns_on=D(2025, 3, 10), actor=stay.registered_by
        )
    with pytest.raises(ValidationError, match="trek het eerst in"):
        stay_change(stay=stay, discharged_on=D(2025, 3, 8), actor=stay.registered_by)
    assert Stay.objects.get().discharged_on == D(2025, 3, 10)
    assert len(_nights(stay)) == 7


def test_a_closed_trajectory_takes_no_stay_and_the_nightly_task_skips_it(trajectory, today):
    stay = _admit(trajectory, admitted_on=D(2025, 3, 14))
    # The stay's nights are care of the trajectory: it closes only once the client is
    # discharged by its end, and a refused close changes nothing.
    with pytest.raises(ValidationError, match="ontslag"):
        services.trajectory_close(
            trajectory=trajectory, end=D(2025, 3, 16), actor=stay.registered_by
        )
    stay_discharge(stay=stay, discharged_on=D(2025, 3, 16), actor=stay.registered_by)
    with pytest.raises(ValidationError, match="ontslag"):
        services.trajectory_close(
            trajectory=trajectory, end=D(2025, 3, 15), actor=stay.registered_by
        )
    trajectory.refresh_from_db()
    assert trajectory.status == "open"
    services.trajectory_close(trajectory=trajectory, end=D(2025, 3, 16), actor=stay.registered_by)
    today["today"] = D(2025, 3, 20)
    assert stays_extend() == {"stays": 0, "nights": 0, "failed": 0}
    other = TrajectoryFactory(start=D(2025, 1, 1))
    services.trajectory_close(trajectory=other, end=D(2025, 3, 16), actor=other.lead_caseworker)
    with pytest.raises(ValidationError, match="open traject"):
        _admit(other)


def test_a_night_or_a_day_of_day_parts_changes_only_through_its_stay_or_day(trajectory, today):
    stay = _admit(trajectory, discharged_on=D(2025, 3, 10))
    night = _nights(stay)[0]
    day = day_parts_record(
        trajectory=trajectory, date=D(2025, 3, 12), day_parts=["morning"], actor=stay.registered_by
    )
    for activity in (night, day.activity):
        with pytest.raises(ValidationError, match="verandert"):
            services.activity_correct(activity=activity, actor=stay.registered_by, units=3)
        with pytest.raises(ValidationError, match="verandert"):
            services.activity_cancel(activity=activity, actor=stay.registered_by)
    night.refresh_from_db()
    assert (night.status, night.units) == ("recorded", 1)


def test_the_activity_form_offers_no_night_to_log_by_hand(trajectory):
    from apps.trajectories.forms import ActivityForm

    form = ActivityForm(lanes={"care"}, goals=trajectory.goals.all())
    kinds = [value for value, _label in form.fields["kind"].choices]
    assert "day_activity" in kinds
    assert "residential_stay" not in kinds
