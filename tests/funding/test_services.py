"""The funding assignment rules, tested on their own (DESIGN.md, "Assigning funding")."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.funding.models import AllocationStatus, ChangeReason, Frequency, Unit
from apps.funding.reasons import funding_reason_text
from apps.trajectories.assignment import (
    allocation_change,
    allocation_register,
    allocation_withdraw,
    funding_preview,
)
from apps.trajectories.models import Activity
from apps.trajectories.services import activity_cancel, activity_correct, activity_log
from tests.funding.factories import ContractFactory, ProductFactory, stream

D = datetime.date
_numbers = itertools.count(1)


def _product(trajectory, stream_code="jeugdwet", **overrides):
    contract = ContractFactory(
        organisation=trajectory.client.organisation, stream=stream(stream_code)
    )
    return ProductFactory(contract=contract, **overrides)


def _register(trajectory, caseworker, product=None, **overrides):
    values = {
        "client": trajectory.client,
        "product": product or _product(trajectory),
        "number": overrides.pop("number", None) or f"TW-{next(_numbers)}",
        "volume": 600,
        "frequency": Frequency.TOTAL,
        "start": D(2025, 1, 1),
        "end": D(2025, 12, 31),
        "actor": caseworker,
    }
    values.update(overrides)
    allocation, _matched = allocation_register(**values)
    return allocation


def _log(trajectory, caseworker, **overrides):
    values = {
        "trajectory": trajectory,
        "domain": "care",
        "kind": "treatment_session",
        "date": D(2025, 3, 3),
        "duration_minutes": 60,
        "performed_by": caseworker,
        "actor": caseworker,
        "note": "Gesprek over veiligheidsplan",
    }
    values.update(overrides)
    return activity_log(**values)


# --- assignment ------------------------------------------------------------------------


def test_activity_is_assigned_to_the_clients_fitting_allocation_with_its_reason(
    trajectory, caseworker
):
    allocation = _register(trajectory, caseworker, number="TW-1")
    activity = _log(trajectory, caseworker)
    assert activity.allocation == allocation
    assert activity.funding_status == "funded"
    assert activity.consumed == 60
    with translation.override("en"):
        assert "the only fitting allocation" in funding_reason_text(activity.funding_reason)
        assert "TW-1" in funding_reason_text(activity.funding_reason)


def test_another_clients_allocation_is_never_used(trajectory, caseworker):
    from tests.trajectories.factories import TrajectoryFactory

    other = TrajectoryFactory(client__organisation=trajectory.client.organisation)
    _register(other, caseworker)
    activity = _log(trajectory, caseworker)
    assert activity.funding_status == "unfunded"
    assert activity.funding_reason == {"code": "no_allocation"}


def test_among_several_fitting_allocations_the_one_that_ends_first_wins(trajectory, caseworker):
    _register(trajectory, caseworker, number="LATE", end=D(2025, 12, 31))
    early = _register(trajectory, caseworker, number="EARLY", end=D(2025, 6, 30))
    activity = _log(trajectory, caseworker)
    assert activity.allocation == early
    assert activity.funding_reason["fitting"] == 2
    with translation.override("en"):
        assert "the one that ends first" in funding_reason_text(activity.funding_reason)


def test_an_allocation_outside_its_validity_does_not_pay(trajectory, caseworker):
    _register(trajectory, caseworker, number="SPRING", start=D(2025, 4, 1), end=D(2025, 6, 30))
    activity = _log(trajectory, caseworker, date=D(2025, 3, 31))
    assert activity.funding_status == "unfunded"
    assert activity.funding_reason["refusals"][0]["code"] == "not_valid_on_date"


def test_a_stream_pays_only_for_its_domains_and_kinds(trajectory, caseworker):
    # Schools are not paid per lesson (issue 15): the education stream pays for no activity,
    # and a lesson is a registration that is never drawn on an allocation.
    _register(
        trajectory,
        caseworker,
        product=_product(trajectory, "onderwijs", unit=Unit.HOUR, category=""),
    )
    care = _log(trajectory, caseworker)
    assert care.funding_reason["refusals"][0]["code"] == "stream_does_not_pay"
    lesson = _log(trajectory, caseworker, domain="education", kind="lesson", attendance="present")
    assert lesson.funding_status == "not_chargeable"
    assert lesson.funding_reason == {"code": "school_funded"}


def test_registrations_and_absences_are_not_chargeable(trajectory, caseworker):
    _register(
        trajectory,
        caseworker,
        product=_product(trajectory, "onderwijs", unit=Unit.HOUR, category=""),
    )
    absent = _log(
        trajectory, caseworker, domain="education", kind="lesson", attendance="absent_unauthorised"
    )
    consultation = _log(trajectory, caseworker, kind="case_consultation")
    assert absent.funding_status == consultation.funding_status == "not_chargeable"
    assert absent.allocation is None
    # Not priced whether present or not: the lesson counts for attendance only.
    assert absent.funding_reason == {"code": "school_funded"}


# --- the 18th birthday ---------------------------------------------------------------------


@pytest.fixture
def turning_18(trajectory):
    client = trajectory.client
    client.date_of_birth = D(2007, 6, 15)  # 18 on 15 June 2025
    client.save()
    return trajectory


def test_jeugdwet_pays_the_day_before_the_18th_birthday_and_not_on_it(turning_18, caseworker):
    _register(turning_18, caseworker, number="JW")
    before = _log(turning_18, caseworker, date=D(2025, 6, 14))
    on = _log(turning_18, caseworker, date=D(2025, 6, 15))
    assert before.funding_status == "funded"
    assert on.funding_status == "unfunded"
    refusal = on.funding_reason["refusals"][0]
    assert refusal["code"] == "age_limit"
    assert refusal["birthday"] == "2025-06-15"
    with translation.override("en"):
        assert "extended youth care" in funding_reason_text(on.funding_reason)


def test_recorded_extended_youth_care_lets_the_jeugdwet_pay_after_18(turning_18, caseworker):
    client = turning_18.client
    client.extended_youth_care_until = D(2026, 6, 14)
    client.save()
    _register(turning_18, caseworker, number="JW")
    after = _log(turning_18, caseworker, date=D(2025, 7, 1))
    assert after.funding_status == "funded"


def test_guidance_is_never_extended_after_18(turning_18, caseworker):
    client = turning_18.client
    client.extended_youth_care_until = D(2026, 6, 14)
    client.save()
    _register(turning_18, caseworker, product=_product(turning_18, is_guidance=True), number="BG")
    after = _log(turning_18, caseworker, date=D(2025, 7, 1), kind="guidance")
    assert after.funding_status == "unfunded"
    assert after.funding_reason["refusals"][0]["code"] == "guidance_not_extended"


def test_wmo_takes_over_at_18(turning_18, caseworker):
    # Guidance: what the Wmo pays for adults (Wmo 2015 art. 1.1.1, "begeleiding"); the
    # Jeugdwet's guidance stops on the 18th birthday and is never extended.
    _register(turning_18, caseworker, product=_product(turning_18, is_guidance=True), number="JW")
    wmo = _register(
        turning_18,
        caseworker,
        product=_product(turning_18, "wmo", category="02", unit=Unit.HOUR, is_guidance=True),
        number="WMO",
    )
    before = _log(turning_18, caseworker, date=D(2025, 6, 14), kind="guidance")
    after = _log(turning_18, caseworker, date=D(2025, 6, 16), kind="guidance")
    assert before.allocation.number == "JW"
    assert after.allocation == wmo
    assert after.consumed == 60  # minutes drawn from an allocation counted in hours


# --- volume in the frequency window ------------------------------------------------------


def test_volume_is_never_overdrawn_in_the_week(trajectory, caseworker):
    _register(trajectory, caseworker, number="WEEK", volume=90, frequency=Frequency.PER_WEEK)
    monday = _log(trajectory, caseworker, date=D(2025, 3, 3))
    wednesday = _log(trajectory, caseworker, date=D(2025, 3, 5))
    next_monday = _log(trajectory, caseworker, date=D(2025, 3, 10))
    assert monday.funding_status == "funded"
    assert wednesday.funding_status == "unfunded"
    refusal = wednesday.funding_reason["refusals"][0]
    assert refusal["code"] == "volume_used"
    assert (refusal["left"], refusal["needed"], refusal["first"], refusal["last"]) == (
        30,
        60,
        "2025-03-03",
        "2025-03-09",
    )
    assert next_monday.funding_status == "funded"


def test_month_and_day_windows(trajectory, caseworker):
    _register(
        trajectory,
        caseworker,
        number="MONTH",
        volume=2,
        unit=Unit.HOUR,
        frequency=Frequency.PER_MONTH,
        product=_product(trajectory, unit=Unit.HOUR),
    )
    assert (
        _log(trajectory, caseworker, date=D(2025, 1, 31), duration_minutes=120).funding_status
        == "funded"
    )
    assert (
        _log(trajectory, caseworker, date=D(2025, 1, 2), duration_minutes=1).funding_status
        == "unfunded"
    )
    assert (
        _log(trajectory, caseworker, date=D(2025, 2, 1), duration_minutes=120).funding_status
        == "funded"
    )


def test_item_units_count_one_per_activity(trajectory, caseworker):
    _register(
        trajectory,
        caseworker,
        number="ITEMS",
        volume=2,
        product=_product(trajectory, unit=Unit.ITEM_EFFORT),
    )
    results = [
        _log(trajectory, caseworker, date=D(2025, 3, day)).funding_status for day in (3, 4, 5)
    ]
    assert results == ["funded", "funded", "unfunded"]


def test_a_euro_allocation_needs_an_amount(trajectory, caseworker):
    _register(
        trajectory,
        caseworker,
        number="EUR",
        volume=500,
        product=_product(trajectory, unit=Unit.EURO, tariff_cents=100),
    )
    no_amount = _log(trajectory, caseworker)
    assert no_amount.funding_reason["refusals"][0]["code"] == "unit_does_not_fit"
    with_amount = _log(trajectory, caseworker, units=120, duration_minutes=None)
    assert with_amount.funding_status == "funded"
    assert with_amount.consumed == 120


# --- unfunded care waits and is matched later ----------------------------------------------


def test_allocation_register_absorbs_waiting_activities_oldest_first_until_used(
    trajectory, caseworker
):
    crisis = [
        _log(
            trajectory,
            caseworker,
            kind="crisis_contact",
            date=D(2025, 2, day),
            expected_funding="Jeugdwet, gemeente Utrecht, crisis",
        )
        for day in (10, 3, 17)
    ]
    assert {a.funding_status for a in crisis} == {"unfunded"}
    _allocation, matched = allocation_register(
        client=trajectory.client,
        product=_product(trajectory, category="46"),
        number="LATE",
        volume=120,
        frequency=Frequency.TOTAL,
        start=D(2025, 2, 1),
        end=D(2025, 12, 31),
        actor=caseworker,
    )
    assert [a.date for a in matched] == [D(2025, 2, 3), D(2025, 2, 10)]
    waiting = Activity.objects.get(date=D(2025, 2, 17))
    assert waiting.funding_status == "unfunded"
    assert waiting.funding_reason["refusals"][0]["code"] == "volume_used"
    assert matched[0].history.first().history_user == caseworker


def test_activity_cancel_gives_units_back_to_waiting_care(trajectory, caseworker):
    _register(trajectory, caseworker, number="SMALL", volume=60)
    first = _log(trajectory, caseworker, date=D(2025, 3, 3))
    second = _log(trajectory, caseworker, date=D(2025, 3, 4))
    assert second.funding_status == "unfunded"
    activity_cancel(activity=first, actor=caseworker)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.allocation, first.consumed) == ("cancelled", None, 0)
    assert second.funding_status == "funded"
    assert first.history.count() == 2  # nothing is deleted; the cancellation is in history


def test_activity_correct_keeps_the_original_in_history_and_reassigns(trajectory, caseworker):
    allocation = _register(trajectory, caseworker, number="A", volume=100)
    activity = _log(trajectory, caseworker, duration_minutes=90)
    corrected = activity_correct(
        activity=activity, actor=caseworker, duration_minutes=45, note="Gecorrigeerd"
    )
    assert corrected.consumed == 45
    assert corrected.allocation == allocation
    original = corrected.history.last()
    assert (original.duration_minutes, original.note) == (90, "Gesprek over veiligheidsplan")


def test_allocation_change_to_a_smaller_volume_releases_the_latest_activities(
    trajectory, caseworker
):
    allocation = _register(trajectory, caseworker, number="SHRINK", volume=180)
    activities = [_log(trajectory, caseworker, date=D(2025, 3, day)) for day in (3, 4, 5)]
    allocation_change(
        allocation=allocation, actor=caseworker, reason=ChangeReason.SHORTENED, volume=120
    )
    statuses = [Activity.objects.get(pk=a.pk).funding_status for a in activities]
    assert statuses == ["funded", "funded", "unfunded"]
    assert Activity.objects.get(pk=activities[0].pk).history.count() == 1  # unchanged: no new row


def test_allocation_withdraw_moves_its_activities_to_another_or_unfunded(trajectory, caseworker):
    first = _register(trajectory, caseworker, number="FIRST", end=D(2025, 6, 30))
    second = _register(trajectory, caseworker, number="SECOND", end=D(2025, 12, 31))
    activity = _log(trajectory, caseworker)
    assert activity.allocation == first
    allocation_withdraw(allocation=first, actor=caseworker)
    activity.refresh_from_db()
    assert activity.allocation == second
    first.refresh_from_db()
    assert first.status == AllocationStatus.WITHDRAWN


def test_funding_preview_decides_without_saving(trajectory, caseworker):
    allocation = _register(trajectory, caseworker, number="PREVIEW")
    activity = Activity(
        trajectory=trajectory,
        domain="care",
        kind="intake",
        date=D(2025, 3, 3),
        duration_minutes=60,
        performed_by=caseworker,
    )
    funding_preview(activity=activity)
    assert activity.allocation == allocation
    assert activity.pk is None
    assert not Activity.objects.exists()


def test_an_explicitly_chosen_allocation_that_cannot_pay_is_a_clear_error(trajectory, caseworker):
    euro = _register(
        trajectory, caseworker, number="EUR", product=_product(trajectory, unit=Unit.EURO)
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _log(trajectory, caseworker, allocation=euro)
    with translation.override("en"):
        assert "counted in euro" in str(error.value.message_dict["allocation"][0])
    assert not Activity.objects.exists()


# --- allocation validation ---------------------------------------------------------------


def test_allocation_register_refuses_an_end_before_the_start(trajectory, caseworker):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _register(trajectory, caseworker, start=D(2025, 6, 1), end=D(2025, 5, 31))
    with translation.override("en"):
        assert "before the start" in str(error.value.message_dict["end"][0])


def test_allocation_number_is_unique_per_funder(trajectory, caseworker):
    product = _product(trajectory)
    _register(trajectory, caseworker, product=product, number="TW-9")
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _register(trajectory, caseworker, product=product, number="TW-9")
    with translation.override("en"):
        assert "already used" in str(error.value.message_dict["number"][0])
    other_funder = _register(trajectory, caseworker, number="TW-9")
    assert other_funder.number == "TW-9"


def test_allocation_unit_must_fit_its_product(trajectory, caseworker):
    with pytest.raises(ValidationError) as error:
        _register(trajectory, caseworker, unit=Unit.EURO)
    assert "unit" in error.value.message_dict
    hours = _register(
        trajectory, caseworker, unit=Unit.HOUR, volume=10
    )  # minutes product, hour volume
    assert hours.capacity == 600


def test_a_product_of_another_organisation_is_refused(trajectory, caseworker):
    foreign = ProductFactory()
    with pytest.raises(ValidationError) as error:
        _register(trajectory, caseworker, product=foreign)
    assert "product" in error.value.message_dict


def test_an_allocation_outside_its_contracts_period_is_refused(trajectory, caseworker):
    contract = ContractFactory(
        organisation=trajectory.client.organisation,
        stream=stream("jeugdwet"),
        start=D(2025, 1, 1),
        end=D(2025, 6, 30),
    )
    product = ProductFactory(contract=contract)
    with pytest.raises(ValidationError) as error:
        _register(trajectory, caseworker, product=product, start=D(2025, 1, 1), end=D(2025, 12, 31))
    assert "start" in error.value.message_dict
    assert _register(trajectory, caseworker, product=product, end=D(2025, 6, 30)).pk


@pytest.mark.parametrize(
    ("frequency", "end", "expected"),
    [
        (Frequency.TOTAL, D(2025, 1, 31), 600),
        (Frequency.PER_WEEK, D(2025, 1, 31), 600 * 5),  # 1 January 2025 is a Wednesday
        (Frequency.PER_MONTH, D(2025, 3, 15), 600 * 3),
        (Frequency.PER_DAY, D(2025, 1, 10), 600 * 10),
        (Frequency.PER_WEEK, None, None),
    ],
)
def test_total_capacity_counts_the_windows_of_the_validity(frequency, end, expected):
    from apps.funding.models import Allocation

    allocation = Allocation(
        volume=600, unit=Unit.MINUTE, frequency=frequency, start=D(2025, 1, 1), end=end
    )
    assert allocation.total_capacity == expected
