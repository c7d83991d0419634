"""Allocation changes as the iStandaarden allow them, allocations that end by themselves, and the
unit x frequency rules of registering one.

Sources (iJw / iWmo release 3.2, Zorginstituut Nederland, https://www.istandaarden.nl/ijw/
releases/release-ijw-3.2; read in the copies "Regels op berichten iJw release 3.2", "Codelijst
iJw release 3.2" and "Condities, constraints, restricties per data-element" of the public
repository i-Sociaal-Lab/jaapjunior):

- IV066: "wijzigen van een toewijzing is slechts beperkt toegestaan: de toewijzing kan worden
  verwijderd; de einddatum kan worden aangepast; het budget kan worden aangepast; de omvang kan
  worden aangepast indien de frequentie de waarde 6 (Totaal binnen geldigheidsduur toewijzing)
  heeft". Any other change: "de bestaande toewijzing wordt ingetrokken en een nieuwe toewijzing
  wordt verzonden met als Ingangsdatum de datum waarop de gewijzigde omvang ingaat ... met een
  nieuw ToewijzingNummer". IV093: the current one "krijgt een einddatum GewensteIngangsdatum
  minus 1 dag". OP033x1: removing = end date set to the start date with reason 13.
- JZ002 (reden wijziging toewijzing): 01 administratieve correctie (vervallen) ... 14
  administratieve correctie. CS336: 01 is not used. CS335: 13 (verwijderd) only when the start
  date equals the end date.
- CS338: "Indien eenheid de waarde 14, 16, 83 of 84 heeft en Einddatum groter dan 31-12-2020 of
  leeg is, dan Frequentie vullen met de waarde 2, 4 of 6". CD076: Einddatum "verplicht vullen
  indien Frequentie waarde 2 (per week)".
- No source says that an allocation ends by itself: the issue asks it (an ended allocation never
  becomes active again, IV066 extends only by changing the end date of an active one).
- "Euros and output items are declared per period, not per activity": the sources say this of
  the claim (IV042: GeleverdVolume per product period; IV076 output-based: the volume of the
  weeks whose Sunday lies in the period), not of registering; nothing more is validated when an
  allocation is registered. See the IV076 tests at the end.
"""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from apps.audit.models import AccessLogEntry
from apps.funding.allocation_rules import (
    calendar_weeks_in_period,
    sundays_in_period,
    weekly_claim_ceiling,
)
from apps.funding.models import (
    ALLOCATION_STATUS_TRANSITIONS,
    Allocation,
    AllocationStatus,
    ChangeReason,
    ExecutionVariant,
    Frequency,
    Unit,
)
from apps.trajectories.allocations import (
    ENDED_BY_ITSELF,
    allocation_replace,
    allocations_end_expired,
)
from apps.trajectories.assignment import (
    allocation_change,
    allocation_register,
    allocation_status_change,
)
from apps.trajectories.models import Activity
from apps.trajectories.services import activity_log
from apps.trajectories.tasks import allocations_end_task
from tests.funding.factories import ContractFactory, ProductFactory, stream

D = datetime.date
SHORTENED, EXTENDED, REMOVED = ChangeReason.SHORTENED, ChangeReason.EXTENDED, ChangeReason.REMOVED


def _product(trajectory, unit=Unit.MINUTE, variant=ExecutionVariant.EFFORT):
    contract = ContractFactory(
        organisation=trajectory.client.organisation,
        stream=stream("jeugdwet"),
        execution_variant=variant,
    )
    return ProductFactory(contract=contract, unit=unit)


def _register(trajectory, actor, product=None, **overrides):
    values = {
        "client": trajectory.client,
        "product": product or _product(trajectory),
        "number": overrides.pop("number", "TW-1"),
        "volume": 600,
        "frequency": Frequency.TOTAL,
        "start": D(2025, 1, 1),
        "end": D(2025, 12, 31),
        "actor": actor,
    }
    values.update(overrides)
    allocation, _matched = allocation_register(**values)
    return allocation


def _log(trajectory, actor, day, minutes=60):
    return activity_log(
        trajectory=trajectory,
        domain="care",
        kind="treatment_session",
        date=day,
        duration_minutes=minutes,
        performed_by=actor,
        actor=actor,
    )


def _fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


# --- IV066: what may change ------------------------------------------------------------------


def test_the_end_date_changes_with_its_jz002_reason_in_the_history_and_the_log(
    trajectory, caseworker
):
    allocation = _register(trajectory, caseworker)
    allocation_change(allocation=allocation, actor=caseworker, reason=SHORTENED, end=D(2025, 6, 30))
    allocation = _fresh(allocation)
    assert (allocation.end, allocation.change_reason) == (D(2025, 6, 30), "05")
    latest = allocation.history.first()
    assert (latest.end, latest.change_reason, latest.history_user) == (
        D(2025, 6, 30),
        "05",
        caseworker,
    )
    assert AccessLogEntry.objects.filter(
        user=caseworker, event="change", object_id=str(allocation.pk)
    ).exists()


def test_a_total_volume_changes_and_the_care_is_matched_again(trajectory, caseworker):
    allocation = _register(trajectory, caseworker, volume=60)
    first, second = (
        _log(trajectory, caseworker, D(2025, 3, 3)),
        _log(trajectory, caseworker, D(2025, 3, 4)),
    )
    assert second.funding_status == "unfunded"
    allocation_change(allocation=allocation, actor=caseworker, reason=EXTENDED, volume=120)
    assert _fresh(second).allocation_id == allocation.pk
    assert _fresh(first).allocation_id == allocation.pk


@pytest.mark.parametrize(
    ("registered", "change"),
    [
        ({"frequency": Frequency.PER_WEEK}, {"volume": 120}),  # a weekly volume
        ({"frequency": Frequency.PER_MONTH}, {"volume": 120}),  # a monthly volume
        ({}, {"start": D(2025, 2, 1)}),
        ({}, {"frequency": Frequency.PER_MONTH}),
        ({}, {"unit": Unit.HOUR}),
    ],
)
def test_any_other_change_is_refused_with_the_advice_to_replace_and_nothing_changes(
    trajectory, caseworker, registered, change
):
    allocation = _register(trajectory, caseworker, **registered)
    before = _fresh(allocation)
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        allocation_change(
            allocation=allocation, actor=caseworker, reason=SHORTENED, end=D(2025, 9, 30), **change
        )
    field = next(iter(change))
    with translation.override("en"):
        message = " ".join(refused.value.message_dict[field])
    assert "IV066" in message
    assert "register a new number" in message
    after = _fresh(allocation)
    assert (after.end, after.volume, after.start, after.frequency, after.change_reason) == (
        before.end,
        before.volume,
        before.start,
        before.frequency,
        "",
    )
    assert after.history.count() == 1


def test_the_refusal_reads_in_dutch(trajectory, caseworker):
    allocation = _register(trajectory, caseworker, frequency=Frequency.PER_WEEK)
    with pytest.raises(ValidationError) as refused, translation.override("nl"):
        allocation_change(allocation=allocation, actor=caseworker, reason=SHORTENED, volume=1)
    with translation.override("nl"):
        assert "nieuw toewijzingsnummer" in " ".join(refused.value.message_dict["volume"])


@pytest.mark.parametrize("reason", ["", "01", "99"])
def test_a_change_needs_a_reason_from_jz002_and_never_01(trajectory, caseworker, reason):
    # CS336: 01 (administratieve correctie (vervallen)) is not used.
    allocation = _register(trajectory, caseworker)
    with pytest.raises(ValidationError) as refused:
        allocation_change(
            allocation=allocation, actor=caseworker, reason=reason, end=D(2025, 6, 30)
        )
    assert "reason" in refused.value.message_dict
    assert _fresh(allocation).end == D(2025, 12, 31)


def test_reason_13_removes_an_allocation_only_with_its_end_date_on_its_start_date(
    trajectory, caseworker
):
    # CS335 and OP033x1: "de einddatum van de toewijzing wordt gewijzigd zodat deze gelijk is
    # aan de ingangsdatum van de toewijzing. Daarbij wordt RedenWijziging gevuld met 13".
    allocation = _register(trajectory, caseworker)
    activity = _log(trajectory, caseworker, D(2025, 3, 3))
    with pytest.raises(ValidationError) as refused:
        allocation_change(
            allocation=allocation, actor=caseworker, reason=REMOVED, end=D(2025, 6, 1)
        )
    assert "reason" in refused.value.message_dict
    allocation_change(allocation=allocation, actor=caseworker, reason=REMOVED, end=D(2025, 1, 1))
    allocation = _fresh(allocation)
    assert (allocation.status, allocation.change_reason) == (AllocationStatus.WITHDRAWN, "13")
    assert _fresh(activity).funding_status == "unfunded"


# --- an ended allocation never comes back; allocations end by themselves ------------------


def test_an_ended_allocation_never_becomes_active_again_nor_changes(trajectory, caseworker):
    assert ALLOCATION_STATUS_TRANSITIONS[AllocationStatus.ENDED] == frozenset()
    allocation = _register(trajectory, caseworker, end=D(2025, 3, 31))
    allocations_end_expired(today=D(2025, 4, 1))
    with pytest.raises(ValidationError):
        allocation_status_change(
            allocation=allocation, status=AllocationStatus.ACTIVE, actor=caseworker
        )
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        allocation_change(
            allocation=allocation, actor=caseworker, reason=EXTENDED, end=D(2025, 12, 31)
        )
    with translation.override("en"):
        assert "never becomes active again" in " ".join(refused.value.messages)
    assert _fresh(allocation).status == AllocationStatus.ENDED


def test_an_allocation_is_not_ended_by_hand_before_its_end_date(trajectory, caseworker):
    allocation = _register(trajectory, caseworker, end=None)
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        allocation_status_change(
            allocation=allocation, status=AllocationStatus.ENDED, actor=caseworker
        )
    with translation.override("en"):
        assert "shorten its end date" in " ".join(refused.value.messages)
    assert _fresh(allocation).status == AllocationStatus.ACTIVE


def test_allocations_end_the_night_after_their_end_date_with_history_and_log(
    trajectory, caseworker
):
    ending = _register(trajectory, caseworker, number="ENDS", end=D(2025, 3, 31))
    open_ended = _register(trajectory, caseworker, number="OPEN", end=None, start=D(2025, 4, 1))
    funded = _log(trajectory, caseworker, D(2025, 3, 31))
    assert funded.allocation_id == ending.pk

    assert allocations_end_expired(today=D(2025, 3, 31)) == []  # its last day: still active
    ended = allocations_end_expired(today=D(2025, 4, 1))

    assert [allocation.pk for allocation in ended] == [ending.pk]
    assert _fresh(ending).status == AllocationStatus.ENDED
    assert _fresh(open_ended).status == AllocationStatus.ACTIVE
    latest = _fresh(ending).history.first()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        "ended",
        None,
        ENDED_BY_ITSELF,
    )
    entry = AccessLogEntry.objects.get(object_id=str(ending.pk), event="change")
    assert (entry.user, entry.username, entry.client) == (None, "system", trajectory.client)
    # What it funded stays, and care within its validity logged late is still paid by it.
    assert _fresh(funded).allocation_id == ending.pk
    late = _log(trajectory, caseworker, D(2025, 3, 28))
    assert late.allocation_id == ending.pk
    # Idempotent: a second run the same night ends nothing and logs nothing.
    entries = AccessLogEntry.objects.count()
    assert allocations_end_expired(today=D(2025, 4, 1)) == []
    assert AccessLogEntry.objects.count() == entries
    assert _fresh(ending).history.count() == 2


def test_the_nightly_run_takes_the_same_queries_for_one_or_many_allocations(trajectory, caseworker):
    def queries_to_end(count, start):
        for number in range(count):
            _register(
                trajectory,
                caseworker,
                number=f"Q{start}-{number}",
                start=D(2025, 1, 1),
                end=D(2025, 1, 31),
            )
        with CaptureQueriesContext(connection) as captured:
            assert len(allocations_end_expired(today=D(2025, 2, 1))) == count
        return len(captured)

    assert queries_to_end(1, 1) == queries_to_end(6, 2)


def test_the_nightly_task_is_scheduled_and_reports_what_it_ended(trajectory, caseworker):
    schedule = settings.CELERY_BEAT_SCHEDULE["allocations-end"]
    assert schedule["task"] == allocations_end_task.name
    _register(trajectory, caseworker, end=D(2025, 1, 31))
    assert allocations_end_task() == {"ended": 1}  # today (the real one) is after 2025
    assert allocations_end_task() == {"ended": 0}


# --- replacing an allocation under a new number ----------------------------------------------


def test_replace_ends_the_old_the_day_before_and_the_new_number_takes_over_the_care(
    trajectory, caseworker
):
    # IV066 / IV093: 3 hours a week until June; from 1 July 5 hours a week: a new number.
    old = _register(
        trajectory,
        caseworker,
        number="TW-OLD",
        volume=180,
        frequency=Frequency.PER_WEEK,
        end=D(2025, 12, 31),
    )
    before = _log(trajectory, caseworker, D(2025, 6, 30), minutes=180)
    after = _log(trajectory, caseworker, D(2025, 7, 1), minutes=180)
    new, _matched = allocation_replace(
        allocation=old,
        actor=caseworker,
        reason=SHORTENED,
        number="TW-NEW",
        volume=300,
        frequency=Frequency.PER_WEEK,
        start=D(2025, 7, 1),
        end=D(2025, 12, 31),
    )
    old = _fresh(old)
    assert (old.end, old.status, old.change_reason) == (
        D(2025, 6, 30),
        AllocationStatus.ACTIVE,
        "05",
    )
    assert (new.number, new.start, new.volume, new.replaces) == ("TW-NEW", D(2025, 7, 1), 300, old)
    assert list(old.replaced_by.all()) == [new]
    assert _fresh(before).allocation_id == old.pk
    assert _fresh(after).allocation_id == new.pk
    extra = _log(trajectory, caseworker, D(2025, 7, 2), minutes=120)  # 300 a week now
    assert extra.allocation_id == new.pk


def test_replace_from_the_first_day_withdraws_the_old(trajectory, caseworker):
    old = _register(trajectory, caseworker, number="TW-OLD")
    activity = _log(trajectory, caseworker, D(2025, 3, 3))
    new, _matched = allocation_replace(
        allocation=old,
        actor=caseworker,
        reason=ChangeReason.CORRECTION,
        number="TW-NEW",
        volume=1200,
        frequency=Frequency.TOTAL,
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
    )
    assert _fresh(old).status == AllocationStatus.WITHDRAWN
    assert _fresh(activity).allocation_id == new.pk


@pytest.mark.parametrize(
    "wrong",
    [
        {"number": "TW-OLD"},  # not a new number
        {"frequency": Frequency.PER_WEEK, "end": None},  # CD076
        {"reason": "01"},  # CS336
        {"start": D(2026, 3, 1)},  # after the old one ends: a new allocation, not a replacement
    ],
)
def test_a_refused_replacement_leaves_everything_as_it_was(trajectory, caseworker, wrong):
    old = _register(trajectory, caseworker, number="TW-OLD")
    activity = _log(trajectory, caseworker, D(2025, 8, 4))
    values = {
        "reason": SHORTENED,
        "number": "TW-NEW",
        "volume": 300,
        "frequency": Frequency.TOTAL,
        "start": D(2025, 7, 1),
        "end": D(2025, 12, 31),
    } | wrong
    with pytest.raises(ValidationError):
        allocation_replace(allocation=old, actor=caseworker, **values)
    old_after = _fresh(old)
    assert (old_after.end, old_after.status, old_after.change_reason) == (
        D(2025, 12, 31),
        AllocationStatus.ACTIVE,
        "",
    )
    assert not Allocation.objects.filter(number="TW-NEW").exists()
    assert _fresh(activity).allocation_id == old.pk


def test_an_ended_allocation_is_not_replaced(trajectory, caseworker):
    old = _register(trajectory, caseworker, number="TW-OLD", end=D(2025, 3, 31))
    allocations_end_expired(today=D(2025, 4, 1))
    with pytest.raises(ValidationError):
        allocation_replace(
            allocation=old,
            actor=caseworker,
            reason=SHORTENED,
            number="TW-NEW",
            volume=10,
            frequency=Frequency.TOTAL,
            start=D(2025, 3, 1),
            end=D(2025, 12, 31),
        )
    assert not Allocation.objects.filter(number="TW-NEW").exists()


# --- unit x frequency when an allocation is registered (CS338, CD076) ------------------------


@pytest.mark.parametrize("unit", [Unit.DAY_24H, Unit.DAY_PART, Unit.EURO, Unit.ITEM_EFFORT])
def test_per_day_is_refused_for_etmalen_day_parts_euros_and_effort_items(
    trajectory, caseworker, unit
):
    product = _product(trajectory, unit=unit)
    with pytest.raises(ValidationError) as refused:
        _register(trajectory, caseworker, product, frequency=Frequency.PER_DAY, volume=1)
    messages = refused.value.message_dict["frequency"]
    with translation.override("en"):
        assert "CS338" in " ".join(str(message) for message in messages)
    assert not Allocation.objects.exists()


@pytest.mark.parametrize("unit", [Unit.MINUTE, Unit.HOUR, Unit.ITEM_OUTPUT])
def test_per_day_goes_with_minutes_hours_and_output_items(trajectory, caseworker, unit):
    product = _product(trajectory, unit=unit)
    allocation = _register(trajectory, caseworker, product, frequency=Frequency.PER_DAY, volume=2)
    assert allocation.frequency == Frequency.PER_DAY


def test_per_day_in_etmalen_was_allowed_for_allocations_that_ended_before_2021(
    trajectory, caseworker
):
    # CS338 applies "indien ... Einddatum groter dan 31-12-2020 of leeg is".
    product = _product(trajectory, unit=Unit.DAY_24H)
    product.contract.start = D(2020, 1, 1)
    product.contract.save()
    allocation = _register(
        trajectory,
        caseworker,
        product,
        frequency=Frequency.PER_DAY,
        volume=1,
        start=D(2020, 6, 1),
        end=D(2020, 12, 31),
    )
    assert allocation.pk is not None


def test_per_week_needs_an_end_date_in_english_and_dutch(trajectory, caseworker):
    for language, words in (("en", "needs an end date"), ("nl", "einddatum")):
        with pytest.raises(ValidationError) as refused, translation.override(language):
            _register(trajectory, caseworker, frequency=Frequency.PER_WEEK, end=None)
        with translation.override(language):
            assert words in " ".join(str(m) for m in refused.value.message_dict["end"])
    assert not Allocation.objects.exists()
    weekly = _register(trajectory, caseworker, frequency=Frequency.PER_WEEK, volume=60)
    assert weekly.end == D(2025, 12, 31)


def test_a_weekly_allocation_loses_its_end_date_only_by_replacement(trajectory, caseworker):
    weekly = _register(trajectory, caseworker, frequency=Frequency.PER_WEEK, volume=60)
    with pytest.raises(ValidationError) as refused:
        allocation_change(allocation=weekly, actor=caseworker, reason=EXTENDED, end=None)
    assert "end" in refused.value.message_dict
    assert _fresh(weekly).end == D(2025, 12, 31)


# --- IV076 / IV077: a weekly volume in a month -----------------------------------------------


def _month(day):
    first = day.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return first, last


def _funded_minutes_in(allocation, first, last):
    funded = Activity.objects.filter(
        allocation=allocation, funding_status="funded", date__gte=first, date__lte=last
    )
    return sum(funded.values_list("consumed", flat=True))


def test_iv076_effort_based_the_day_of_delivery_decides_the_month(trajectory, caseworker):
    # IV076, "Methode bij Inspanningsgerichte toewijzing": allocation 07-07-2025 to 07-09-2025
    # for 3 hours a week; 2.5 hours delivered every Thursday. July: 4 deliveries (10 hours),
    # at most 4 weeks x 3 = 12 hours; August: 4 deliveries (10 hours), at most 5 weeks x 3 =
    # 15; September: 1 delivery (2.5 hours), at most 1 week x 3 = 3. Over the validity 9 weeks
    # x 3 = 27 hours. (The source prints July's volume as "7,5 (4 leveringen x 2,5 uur = 10
    # uur)"; its own count is 10.)
    product = _product(trajectory, unit=Unit.HOUR)
    allocation = _register(
        trajectory,
        caseworker,
        product,
        volume=3,
        frequency=Frequency.PER_WEEK,
        start=D(2025, 7, 7),
        end=D(2025, 9, 7),
    )
    thursdays = [D(2025, 7, 10) + datetime.timedelta(weeks=week) for week in range(9)]
    sessions = [_log(trajectory, caseworker, day, minutes=150) for day in thursdays]
    assert all(session.allocation_id == allocation.pk for session in sessions)

    months = {}
    for month in (D(2025, 7, 1), D(2025, 8, 1), D(2025, 9, 1)):
        first, last = _month(month)
        months[month.month] = (
            _funded_minutes_in(allocation, first, last) / 60,
            weekly_claim_ceiling(allocation=allocation, first=first, last=last),
        )
    assert months == {7: (10, 12), 8: (10, 15), 9: (2.5, 3)}
    assert allocation.total_capacity == 27 * 60


def test_a_week_across_two_months_is_one_window_of_the_weekly_volume(trajectory, caseworker):
    # IV076: a week may be split over two product periods; the volume per week still holds for
    # the calendar week (Monday 28 July to Sunday 3 August 2025), and each delivery is claimed
    # in the month of its date.
    product = _product(trajectory, unit=Unit.HOUR)
    allocation = _register(
        trajectory,
        caseworker,
        product,
        volume=3,
        frequency=Frequency.PER_WEEK,
        start=D(2025, 7, 7),
        end=D(2025, 9, 7),
    )
    thursday = _log(trajectory, caseworker, D(2025, 7, 31), minutes=150)
    friday = _log(trajectory, caseworker, D(2025, 8, 1), minutes=30)
    saturday = _log(trajectory, caseworker, D(2025, 8, 2), minutes=30)
    monday = _log(trajectory, caseworker, D(2025, 8, 4), minutes=30)
    assert [a.funding_status for a in (thursday, friday, saturday, monday)] == [
        "funded",
        "funded",
        "unfunded",  # the week's 3 hours are used, although August has begun
        "funded",  # a new calendar week
    ]
    refusal = saturday.funding_reason["refusals"][0]
    assert (refusal["code"], refusal["first"], refusal["last"]) == (
        "volume_used",
        "2025-07-28",
        "2025-08-03",
    )
    assert _funded_minutes_in(allocation, *_month(D(2025, 7, 1))) == 150
    assert _funded_minutes_in(allocation, *_month(D(2025, 8, 1))) == 60
    # The week of 28 July counts in the ceiling of both months (IV077): 4 and 5 weeks.
    assert (
        calendar_weeks_in_period(allocation=allocation, first=D(2025, 7, 1), last=D(2025, 7, 31))
        == 4
    )
    assert (
        calendar_weeks_in_period(allocation=allocation, first=D(2025, 8, 1), last=D(2025, 8, 31))
        == 5
    )


def test_iv077_effort_based_calendar_weeks_per_month_and_over_the_validity(trajectory, caseworker):
    # IV077, "Voorbeeld bij inspanningsgerichte toewijzing": 3 hours a week from 7-10-2025 to
    # 30-12-2025. October 4 weeks (41 to 44): 12 hours; November 5 (44 to 48): 15; December 5:
    # 15. Over the validity week 41 to 52 + 1 = 13 weeks: 39 hours.
    product = _product(trajectory, unit=Unit.HOUR)
    allocation = _register(
        trajectory,
        caseworker,
        product,
        volume=3,
        frequency=Frequency.PER_WEEK,
        start=D(2025, 10, 7),
        end=D(2025, 12, 30),
    )
    ceilings = [
        weekly_claim_ceiling(allocation=allocation, first=first, last=last)
        for first, last in map(_month, (D(2025, 10, 1), D(2025, 11, 1), D(2025, 12, 1)))
    ]
    assert ceilings == [12, 15, 15]
    assert allocation.total_capacity == 39 * 60  # in minutes, as it is consumed


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        # IV076, "Methode bij Outputgerichte toewijzing", voorbeeld 1 (ends on a Sunday):
        # July 3 Sundays (900 euro), August 5 (1500), September 1 (300).
        (D(2025, 9, 7), [90000, 150000, 30000]),
        # Voorbeeld 2 (ends on Saturday 6 September): the broken last week is claimed with
        # August, the month of the allocation's last Sunday: 900, 1800, nothing in September.
        (D(2025, 9, 6), [90000, 180000, 0]),
    ],
)
def test_iv076_output_based_a_weekly_amount_is_claimed_per_sunday(
    trajectory, caseworker, end, expected
):
    product = _product(trajectory, unit=Unit.EURO, variant=ExecutionVariant.OUTPUT)
    allocation = _register(
        trajectory,
        caseworker,
        product,
        volume=30000,  # 300 euro a week, in euro cents (IV024)
        frequency=Frequency.PER_WEEK,
        start=D(2025, 7, 7),
        end=end,
    )
    ceilings = [
        weekly_claim_ceiling(allocation=allocation, first=first, last=last)
        for first, last in map(_month, (D(2025, 7, 1), D(2025, 8, 1), D(2025, 9, 1)))
    ]
    assert ceilings == expected
    july = sundays_in_period(allocation=allocation, first=D(2025, 7, 1), last=D(2025, 7, 31))
    assert july == 3


# --- the migration that carries ended allocations over --------------------------------------


def test_the_migration_gives_a_hand_ended_allocation_the_day_it_ended_as_its_end(
    trajectory, caseworker
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "apps.funding.migrations.0006_allocation_ended_means_validity_over"
    )
    open_ended = _register(trajectory, caseworker, number="OPEN", end=None)
    past = _register(trajectory, caseworker, number="PAST", end=D(2025, 3, 31))
    for allocation in (open_ended, past):  # ended by hand, as the old transitions allowed
        allocation.status = AllocationStatus.ENDED
        allocation.save(update_fields=["status"])
    ended_on = _fresh(open_ended).history.first().history_date.date()

    migration.ended_allocations_end_when_ended(apps, None)

    assert _fresh(open_ended).end == ended_on
    assert _fresh(past).end == D(2025, 3, 31)  # it already ended before it was ended
