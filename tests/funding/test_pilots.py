"""Integral-funding pilots: the assignment draws on the pilot budget first and falls back to
allocations; the budget is never overdrawn and budget that comes free lets waiting care in;
enrolment absorbs waiting care; and the pilot's report beside what the same care cost a
client on the regular route of contracts and allocations."""

import datetime
import threading
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from apps.accounts.models import Organisation, Role, User
from apps.audit.models import AccessLogEntry
from apps.control.pilots import pilot_get_for, pilot_list, pilot_report
from apps.control.selectors import unfunded_queue
from apps.funding.models import Funder, FunderKind, IntegralPilot, PilotEnrolment, Product
from apps.funding.reasons import funding_reason_text
from apps.funding.rules import ContractProducts, amount_cents
from apps.reports.selectors import report_figures
from apps.trajectories.assignment import pilot_budget_used, pilot_enrol
from apps.trajectories.education import employment_register
from apps.trajectories.models import Activity, Trajectory
from apps.trajectories.services import activity_cancel, activity_correct
from apps.trajectories.use import allocation_use
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.funding.builders import (
    HOUR,
    MINUTE,
    IntegralPilotFactory,
    log,
    pilot_product,
    product,
    register,
    trajectory_of,
)
from tests.funding.factories import FunderFactory

D = datetime.date
PILOT_NAME = "Samen Verder Utrecht"


@dataclass
class PilotWorld:
    organisation: Organisation
    manager: User
    utrecht: Funder
    pilot: IntegralPilot
    care: Product  # the pilot's care product
    jeugdwet: Product  # a regular product of the same municipality

    def enrolled(self, **client) -> Trajectory:
        trajectory = trajectory_of(self.organisation, **client)
        pilot_enrol(pilot=self.pilot, client=trajectory.client, actor=self.manager)
        return trajectory


def _world(budget_cents=1_000_000, domains=("care", "education", "work"), **pilot) -> PilotWorld:
    organisation = OrganisationFactory()
    utrecht = Funder.objects.filter(kind=FunderKind.MUNICIPALITY, code="0344").first()
    utrecht = utrecht or FunderFactory(name="Gemeente Utrecht", code="0344")
    integral = IntegralPilotFactory(
        contract__organisation=organisation,
        contract__funder=utrecht,
        name=PILOT_NAME,
        budget_cents=budget_cents,
        domains=list(domains),
        **pilot,
    )
    return PilotWorld(
        organisation=organisation,
        manager=UserFactory(organisation=organisation, roles=[Role.MANAGER]),
        utrecht=utrecht,
        pilot=integral,
        care=pilot_product(integral, code="INT-ZORG", unit=HOUR, tariff_cents=6000),
        jeugdwet=product(organisation, funder=utrecht, unit=MINUTE, tariff_cents=185),
    )


@pytest.fixture
def world(db) -> PilotWorld:
    return _world()


def _refusals(activity):
    return [refusal["code"] for refusal in activity.funding_reason.get("refusals", [])]


# --- the assignment: the pilot first ----------------------------------------------------------


def test_a_pilot_clients_care_draws_on_the_pilot_before_an_allocation(world):
    trajectory = world.enrolled()
    allocation = register(trajectory.client, world.jeugdwet, world.manager)

    activity = log(trajectory, D(2025, 3, 3), minutes=45)

    assert (activity.funding_status, activity.allocation) == ("pilot", None)
    assert (activity.pilot_product, activity.pilot_cents, activity.consumed) == (
        world.care,
        4500,  # three quarters of an hour at EUR 60
        45,
    )
    assert activity.funding_reason == {
        "code": "pilot",
        "pilot": PILOT_NAME,
        "funder": "Gemeente Utrecht",
        "product": "INT-ZORG",
    }
    with translation.override("en"):
        assert funding_reason_text(activity.funding_reason) == (
            f"Paid from the integral pilot budget {PILOT_NAME} (Gemeente Utrecht), "
            "product INT-ZORG."
        )
    assert pilot_budget_used(pilot=world.pilot) == 4500
    assert allocation_use(allocations=[allocation], today=D(2025, 3, 3))[allocation.pk].used == 0


@pytest.mark.parametrize(
    ("minutes", "tariff", "cents"),
    [(30, 6849, 3425), (30, 6851, 3426), (20, 100, 33), (1, 90, 2)],
    ids=["3424.5-half-up", "3425.5-half-up", "33.3-down", "1.5-half-up"],
)
def test_pilot_cents_are_units_times_tariff_rounded_half_up(world, minutes, tariff, cents):
    world.care.tariff_cents = tariff
    world.care.save()
    trajectory = world.enrolled()

    activity = log(trajectory, D(2025, 3, 3), minutes=minutes)

    assert activity.pilot_cents == cents == amount_cents(minutes, HOUR, tariff)


def test_the_lowest_fitting_pilot_product_prices_the_care_time_units_before_stays(world):
    pilot_product(world.pilot, code="INT-DUUR", unit=HOUR, tariff_cents=9000)
    pilot_product(world.pilot, code="INT-DAGDEEL", unit="16", tariff_cents=100)  # a day part
    trajectory = world.enrolled()

    activity = log(trajectory, D(2025, 3, 3), minutes=60)

    assert (activity.pilot_product, activity.pilot_cents) == (world.care, 6000)


def test_care_outside_the_pilots_period_falls_back_to_the_allocation(db):
    world = _world(start=D(2025, 2, 1), end=D(2025, 6, 30))
    trajectory = world.enrolled()
    allocation = register(trajectory.client, world.jeugdwet, world.manager)

    before = log(trajectory, D(2025, 1, 20))
    during = log(trajectory, D(2025, 2, 3))
    after = log(trajectory, D(2025, 7, 1))

    assert (before.funding_status, before.allocation) == ("funded", allocation)
    assert during.funding_status == "pilot"
    assert (after.funding_status, after.allocation) == ("funded", allocation)


def test_care_outside_the_pilots_period_without_an_allocation_says_why(db):
    world = _world(start=D(2025, 2, 1), end=D(2025, 6, 30))
    trajectory = world.enrolled()

    activity = log(trajectory, D(2025, 1, 20))

    assert activity.funding_status == "unfunded"
    assert activity.funding_reason["refusals"] == [
        {
            "code": "pilot_not_valid_on_date",
            "pilot": PILOT_NAME,
            "start": "2025-02-01",
            "end": "2025-06-30",
            "date": "2025-01-20",
        }
    ]
    with translation.override("en"):
        text = funding_reason_text(activity.funding_reason)
    assert text.startswith("Unfunded: no allocation fits (pilot Samen Verder Utrecht runs from")
    assert "not on" in text


def test_a_domain_the_pilot_does_not_cover_falls_back_to_an_allocation(db):
    world = _world(domains=("care", "education"))
    trajectory = world.enrolled(date_of_birth=D(2008, 3, 1))  # 17: old enough for UWV
    coaching = product(world.organisation, "participatie", unit=HOUR, tariff_cents=8900)
    allocation = register(trajectory.client, coaching, world.manager, volume=10)

    funded = log(trajectory, D(2025, 3, 5), domain="work")
    assert (funded.funding_status, funded.allocation) == ("funded", allocation)

    other = world.enrolled()
    waiting = log(other, D(2025, 3, 5), domain="work")
    assert waiting.funding_status == "unfunded"
    assert waiting.funding_reason["refusals"] == [{"code": "pilot_domain", "pilot": PILOT_NAME}]
    with translation.override("en"):
        assert "does not cover this domain" in funding_reason_text(waiting.funding_reason)


def test_a_pilot_without_a_fitting_product_says_so(db):
    world = _world()
    world.care.unit = "83"  # euros: a session records no amount, so it does not fit
    world.care.save()
    trajectory = world.enrolled()

    activity = log(trajectory, D(2025, 3, 3))

    assert activity.funding_reason["refusals"] == [
        {"code": "pilot_no_product", "pilot": PILOT_NAME}
    ]
    with translation.override("en"):
        assert "no product of pilot" in funding_reason_text(activity.funding_reason)


def test_a_client_outside_the_pilot_is_never_paid_from_it(world):
    outsider = trajectory_of(world.organisation)
    activity = log(outsider, D(2025, 3, 3))
    assert (activity.funding_status, activity.funding_reason) == (
        "unfunded",
        {"code": "no_allocation"},
    )
    assert pilot_budget_used(pilot=world.pilot) == 0


def test_care_that_is_never_billed_does_not_draw_on_the_pilot(world):
    trajectory = world.enrolled()
    consultation = log(trajectory, D(2025, 3, 3), kind="case_consultation")
    assert consultation.funding_status == "not_chargeable"
    assert pilot_budget_used(pilot=world.pilot) == 0


# --- the budget -------------------------------------------------------------------------------


def test_an_exhausted_budget_falls_back_to_the_allocation(db):
    world = _world(budget_cents=5000)
    trajectory = world.enrolled()
    allocation = register(trajectory.client, world.jeugdwet, world.manager)

    first = log(trajectory, D(2025, 3, 3), minutes=30)  # EUR 30 of 50
    second = log(trajectory, D(2025, 3, 4), minutes=30)  # EUR 30 more: too much

    assert first.funding_status == "pilot"
    assert (second.funding_status, second.allocation) == ("funded", allocation)
    assert second.funding_reason["code"] == "assigned"
    assert pilot_budget_used(pilot=world.pilot) == 3000


def test_an_exhausted_budget_without_an_allocation_leaves_the_care_waiting_with_the_reason(db):
    world = _world(budget_cents=5000)
    trajectory = world.enrolled()
    log(trajectory, D(2025, 3, 3), minutes=30)

    waiting = log(trajectory, D(2025, 3, 4), minutes=30)

    assert waiting.funding_status == "unfunded"
    assert waiting.funding_reason == {
        "code": "unfunded",
        "refusals": [
            {"code": "pilot_budget_used", "pilot": PILOT_NAME, "left": 2000, "needed": 3000}
        ],
    }
    with translation.override("en"):
        assert funding_reason_text(waiting.funding_reason) == (
            f"Unfunded: no allocation fits (pilot {PILOT_NAME} has € 20.00 left of its budget; "
            "this activity costs € 30.00). It is matched when one arrives."
        )
    with translation.override("nl"):
        dutch = funding_reason_text(waiting.funding_reason)
    assert dutch
    assert PILOT_NAME in dutch
    assert "pilot_budget_used" not in dutch


def test_the_reason_lists_the_pilots_refusal_before_the_allocations(db):
    world = _world(budget_cents=5000)
    trajectory = world.enrolled()
    register(trajectory.client, world.jeugdwet, world.manager, volume=30)
    log(trajectory, D(2025, 3, 3), minutes=30)  # the pilot
    log(trajectory, D(2025, 3, 4), minutes=30)  # the allocation

    waiting = log(trajectory, D(2025, 3, 5), minutes=30)

    assert _refusals(waiting) == ["pilot_budget_used", "volume_used"]


def test_the_budget_is_never_overdrawn_and_may_be_used_to_the_last_cent(db):
    world = _world(budget_cents=10_000)
    first, second = world.enrolled(), world.enrolled()
    for day in (3, 4, 5, 6):
        for trajectory in (first, second):
            log(trajectory, D(2025, 3, day), minutes=30)  # EUR 30 each

    paid = Activity.objects.filter(funding_status="pilot")
    assert paid.count() == 3
    assert pilot_budget_used(pilot=world.pilot) == 9000
    assert Activity.objects.filter(funding_status="unfunded").count() == 5

    exact = log(first, D(2025, 3, 7), minutes=10)  # EUR 10: exactly what is left
    assert exact.funding_status == "pilot"
    assert pilot_budget_used(pilot=world.pilot) == 10_000 == world.pilot.budget_cents
    assert log(second, D(2025, 3, 7), minutes=1).funding_status == "unfunded"


def test_two_pilots_share_nothing_the_one_ending_first_pays_first(db):
    world = _world(end=D(2025, 12, 31))
    early = IntegralPilotFactory(
        contract__organisation=world.organisation, end=D(2025, 6, 30), budget_cents=3000
    )
    pilot_product(early, code="VROEG", unit=HOUR, tariff_cents=6000)
    trajectory = world.enrolled()
    pilot_enrol(pilot=early, client=trajectory.client, actor=world.manager)

    first = log(trajectory, D(2025, 3, 3), minutes=30)
    second = log(trajectory, D(2025, 3, 4), minutes=30)

    assert first.pilot_product.code == "VROEG"
    assert second.pilot_product == world.care  # the early budget is used up
    assert pilot_budget_used(pilot=early) == 3000
    assert pilot_budget_used(pilot=world.pilot) == 3000


# --- budget that comes free -------------------------------------------------------------------


def test_cancelling_pilot_care_lets_another_pilot_clients_waiting_care_in(db):
    world = _world(budget_cents=3000)
    first, second = world.enrolled(), world.enrolled()
    paid = log(first, D(2025, 3, 3), minutes=30)
    waiting = log(second, D(2025, 3, 4), minutes=30)
    assert _refusals(waiting) == ["pilot_budget_used"]

    activity_cancel(activity=paid, actor=first.lead_caseworker)

    waiting.refresh_from_db()
    assert (waiting.funding_status, waiting.pilot_cents) == ("pilot", 3000)
    assert waiting.absorbed_at is not None
    assert pilot_budget_used(pilot=world.pilot) == 3000


def test_a_shorter_corrected_session_frees_budget_for_waiting_care(db):
    world = _world(budget_cents=6000)
    first, second = world.enrolled(), world.enrolled()
    long_session = log(first, D(2025, 3, 3), minutes=60)
    waiting = log(second, D(2025, 3, 4), minutes=30)
    assert waiting.funding_status == "unfunded"

    activity_correct(activity=long_session, actor=first.lead_caseworker, duration_minutes=30)

    waiting.refresh_from_db()
    assert waiting.funding_status == "pilot"
    assert pilot_budget_used(pilot=world.pilot) == 6000


def test_a_correction_is_priced_again_without_counting_itself(db):
    world = _world(budget_cents=6000)
    trajectory = world.enrolled()
    session = log(trajectory, D(2025, 3, 3), minutes=60)  # the whole budget

    corrected = activity_correct(
        activity=session, actor=trajectory.lead_caseworker, duration_minutes=50
    )

    assert (corrected.funding_status, corrected.pilot_cents) == ("pilot", 5000)


# --- enrolment --------------------------------------------------------------------------------


def test_enrolment_absorbs_the_clients_waiting_care_oldest_first(db):
    world = _world(budget_cents=12_000)  # two hours
    trajectory = trajectory_of(world.organisation)
    waiting = [log(trajectory, D(2025, 3, day), minutes=60) for day in (5, 3, 4)]
    assert {activity.funding_status for activity in waiting} == {"unfunded"}

    absorbed = pilot_enrol(pilot=world.pilot, client=trajectory.client, actor=world.manager)

    assert [activity.date for activity in absorbed] == [D(2025, 3, 3), D(2025, 3, 4)]
    for activity in absorbed:
        activity.refresh_from_db()
        assert activity.funding_status == "pilot"
        assert activity.absorbed_at is not None
        assert activity.history.first().history_user == world.manager
    last = Activity.objects.get(date=D(2025, 3, 5))
    assert (last.funding_status, last.absorbed_at) == ("unfunded", None)
    assert _refusals(last) == ["pilot_budget_used"]
    enrolment = PilotEnrolment.objects.get(client=trajectory.client)
    assert enrolment.history.get().history_user == world.manager
    entry = AccessLogEntry.objects.get(user=world.manager, event="create")
    assert (entry.client, entry.basis) == (trajectory.client, "administration")


def test_care_logged_after_enrolment_is_not_marked_as_absorbed(world):
    trajectory = world.enrolled()
    assert log(trajectory, D(2025, 3, 3)).absorbed_at is None


def test_a_client_of_another_organisation_cannot_be_enrolled(world):
    stranger = trajectory_of(OrganisationFactory())
    with translation.override("en"), pytest.raises(ValidationError) as error:
        pilot_enrol(pilot=world.pilot, client=stranger.client, actor=world.manager)
    with translation.override("en"):
        assert "not a client of the pilot's organisation" in error.value.message_dict["client"][0]
    assert not PilotEnrolment.objects.exists()


def test_a_client_cannot_be_enrolled_twice(world):
    trajectory = world.enrolled()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        pilot_enrol(pilot=world.pilot, client=trajectory.client, actor=world.manager)
    with translation.override("en"):
        assert "already takes part" in error.value.message_dict["client"][0]
    assert PilotEnrolment.objects.count() == 1


def test_the_pilot_list_is_the_organisations_with_its_client_count(world):
    world.enrolled()
    world.enrolled()
    IntegralPilotFactory()  # another organisation's
    pilots = list(pilot_list(organisation=world.organisation))
    assert [(pilot, pilot.client_count) for pilot in pilots] == [(world.pilot, 2)]
    assert pilot_get_for(organisation=OrganisationFactory(), pk=world.pilot.pk) is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"domains": ["living"]}, "domains"),
        ({"domains": []}, "domains"),
        ({"start": D(2023, 1, 1)}, "start"),  # before the contract's start
    ],
)
def test_a_pilot_lies_within_its_contract_and_covers_known_domains(world, values, field):
    pilot = world.pilot
    for name, value in values.items():
        setattr(pilot, name, value)
    with pytest.raises(ValidationError) as error:
        pilot.full_clean()
    assert field in error.value.message_dict


# --- the regular route leaves pilot contracts out ----------------------------------------------


def test_regular_contract_products_leave_pilot_contracts_out(world):
    products = {
        stand_in.product for stand_in in ContractProducts.regular(world.organisation).stand_ins
    }
    assert products == {world.jeugdwet}


def test_the_unfunded_queue_is_valued_at_the_regular_tariff_not_the_pilots(world):
    world.care.tariff_cents = 100  # far cheaper than the regular EUR 1.85 a minute
    world.care.save()
    outsider = trajectory_of(world.organisation)
    log(outsider, D(2025, 3, 3), minutes=60)

    queue = unfunded_queue(organisation=world.organisation)

    (item,) = queue.items
    assert (item.product, item.value_cents) == (world.jeugdwet, 11_100)
    assert queue.total_cents == 11_100


def test_care_only_a_pilot_contract_could_pay_for_has_no_value_in_the_queue(db):
    organisation = OrganisationFactory()
    pilot = IntegralPilotFactory(contract__organisation=organisation)
    pilot_product(pilot, unit=HOUR, tariff_cents=6000)
    log(trajectory_of(organisation), D(2025, 3, 3))

    (item,) = unfunded_queue(organisation=organisation).items

    assert (item.product, item.value_cents) == (None, 0)


# --- the pilot's report beside the regular route ----------------------------------------------

SAME_CARE = [
    # (day, domain, minutes): no lessons, which are not priced on either route (issue 15)
    (D(2025, 3, 3), "care", 60),
    (D(2025, 3, 5), "work", 50),
    (D(2025, 3, 10), "care", 60),
    (D(2025, 3, 17), "care", 60),
]


PILOT_TARIFF = 6850  # one integral tariff an hour, whatever the domain


@dataclass
class SideBySide:
    world: PilotWorld
    pilot_client: Trajectory
    regular_client: Trajectory
    funders: dict[str, Funder]
    regular: dict[str, Product]


def _side_by_side(care=SAME_CARE) -> SideBySide:
    """The same care for client A in the pilot and for client B on regular contracts.

    A and B were born on the same day (17 on 1 March 2025) and live in the same municipality.
    B has one allocation per stream; A none. Both hold a job, beside which the UWV pays job
    coaching.
    """
    world = _world()
    organisation = world.organisation
    funders = {
        "utrecht": world.utrecht,
        "uwv": FunderFactory(name="UWV", kind=FunderKind.UWV),
    }
    regular = {
        "care": world.jeugdwet,  # EUR 1.85 a minute
        "work": product(
            organisation, "participatie", funder=funders["uwv"], unit=HOUR, tariff_cents=8900
        ),
    }
    world.care.tariff_cents = PILOT_TARIFF
    world.care.save()
    born = {"date_of_birth": D(2008, 3, 1)}
    pilot_client = world.enrolled(**born)
    regular_client = trajectory_of(organisation, **born)
    assert pilot_client.client.municipality == regular_client.client.municipality
    for code in ("care", "work"):
        register(regular_client.client, regular[code], world.manager, volume=6000)
    for trajectory in (pilot_client, regular_client):
        employment_register(
            trajectory=trajectory,
            employer="Bakkerij Zonnedal",
            hours_per_week=16,
            start=D(2025, 1, 1),
            end=None,
            actor=world.manager,
        )
        for day, domain, minutes in care:
            log(trajectory, day, minutes=minutes, domain=domain)
    return SideBySide(world, pilot_client, regular_client, funders, regular)


def _drawn_by(client, funders):
    """What the funders' reports bill for the client: the sum of its allocations' lines."""
    return sum(
        block.amount_cents
        for funder in funders
        for block in report_figures(
            organisation=client.organisation,
            funder=funder,
            period_start=D(2025, 1, 1),
            period_end=D(2025, 12, 31),
        ).allocations
        if block.client_id == client.pk
    )


def test_the_pilot_report_sets_the_pilot_beside_what_the_regular_client_drew(db):
    case = _side_by_side()
    pilot_activities = Activity.objects.filter(trajectory=case.pilot_client)
    regular_activities = Activity.objects.filter(trajectory=case.regular_client)
    assert set(pilot_activities.values_list("funding_status", flat=True)) == {"pilot"}
    assert set(regular_activities.values_list("funding_status", flat=True)) == {"funded"}

    report = pilot_report(pilot=case.world.pilot)

    # The pilot: each activity's hours x the pilot tariff, rounded half up.
    expected_pilot = sum(
        amount_cents(minutes, HOUR, PILOT_TARIFF) for _day, _domain, minutes in SAME_CARE
    )
    assert expected_pilot == 3 * 6850 + 5708  # 50 min: 5708.33
    assert report.pilot_cents == expected_pilot
    assert report.pilot_cents == sum(pilot_activities.values_list("pilot_cents", flat=True))
    assert (report.activities, report.minutes, report.clients) == (4, 230, 1)
    assert report.budget_used_cents == expected_pilot

    # The regular route: what B drew, as the funders bill it.
    drawn = _drawn_by(case.regular_client.client, case.funders.values())
    assert drawn == 3 * 60 * 185 + 7417
    assert report.regular_cents == drawn
    assert report.regular_cents == sum(
        amount_cents(
            activity.consumed,
            activity.allocation.product.unit,
            activity.allocation.product.tariff_cents,
        )
        for activity in regular_activities.select_related("allocation__product")
    )
    assert report.difference_cents == drawn - expected_pilot

    # The paperwork the regular route needed: B's allocations, funders, contracts, streams.
    used = {activity.allocation for activity in regular_activities.select_related("allocation")}
    assert report.regular_allocations == len(used) == 2
    assert set(report.regular_funders) == {allocation.funder for allocation in used}
    assert [funder.name for funder in report.regular_funders] == sorted(
        funder.name for funder in case.funders.values()
    )
    assert report.regular_contracts == len({a.product.contract_id for a in used}) == 2
    assert report.regular_streams == 2

    # A had no allocation at all: everything was delivered without waiting for one.
    assert (report.without_waiting, report.without_waiting_minutes) == (4, 230)
    assert report.without_waiting_cents == expected_pilot
    assert (report.no_regular_route, report.no_regular_route_cents) == (0, 0)
    assert [(row.domain, row.activities) for row in report.domains] == [
        ("care", 3),
        ("work", 1),
    ]
    assert sum(row.pilot_cents for row in report.domains) == report.pilot_cents
    assert sum(row.regular_cents for row in report.domains) == report.regular_cents


def test_the_regular_route_is_valued_as_the_funders_bill_it(db):
    case = _side_by_side(care=[(D(2025, 3, 5), "work", 50), (D(2025, 3, 12), "work", 50)])

    report = pilot_report(pilot=case.world.pilot)

    drawn = _drawn_by(case.regular_client.client, case.funders.values())
    assert drawn == 14_833
    assert report.regular_cents == drawn


def test_the_regular_route_of_job_coaching_without_a_job_is_not_the_uwv(db):
    # The UWV pays job coaching only beside a job (Reintegratiebesluit art. 12; see
    # tests/funding/test_education_rules.py): coaching after the job ended has no regular
    # route here, as the funding queue says too.
    case = _side_by_side(care=[(D(2025, 3, 5), "work", 60), (D(2025, 6, 4), "work", 60)])
    for trajectory in (case.pilot_client, case.regular_client):
        job = trajectory.employments.get()
        job.end = D(2025, 5, 31)
        job.save(update_fields=["end"])

    report = pilot_report(pilot=case.world.pilot)

    assert (report.activities, report.no_regular_route) == (2, 1)
    assert report.regular_cents == 8900  # the coaching in March, beside the job


def test_care_no_regular_contract_pays_for_is_counted_apart(db):
    world = _world()
    too_young = world.enrolled()  # 14 in March 2025: too young for UWV, which pays from 16
    product(world.organisation, "participatie", unit=HOUR, tariff_cents=8900)
    log(too_young, D(2025, 3, 5), minutes=60, domain="work")
    log(too_young, D(2025, 3, 6), minutes=60)

    report = pilot_report(pilot=world.pilot)

    assert (report.activities, report.no_regular_route) == (2, 1)
    assert report.no_regular_route_cents == 6000
    assert report.regular_cents == 60 * 185
    assert report.regular_allocations == 1


def test_care_for_which_an_allocation_was_registered_did_not_go_without_waiting(db):
    from django.utils import timezone

    today = timezone.localdate()
    world = _world(
        start=today - datetime.timedelta(days=30), end=today + datetime.timedelta(days=30)
    )
    start = today - datetime.timedelta(days=10)
    with_allocation = world.enrolled(start=start)
    register(
        with_allocation.client,
        world.jeugdwet,
        world.manager,
        start=start,
        end=today + datetime.timedelta(days=30),
    )
    without = world.enrolled(start=start)
    for trajectory in (with_allocation, without):
        assert log(trajectory, today).funding_status == "pilot"

    report = pilot_report(pilot=world.pilot)

    assert report.activities == 2
    assert (report.without_waiting, report.without_waiting_cents) == (1, 6000)


def test_the_report_of_part_of_the_period_counts_the_whole_budget(db):
    case = _side_by_side()
    report = pilot_report(
        pilot=case.world.pilot, period_start=D(2025, 3, 1), period_end=D(2025, 3, 9)
    )
    assert report.activities == 2
    assert report.budget_used_cents == pilot_budget_used(pilot=case.world.pilot)
    assert report.left_cents == report.budget_cents - report.budget_used_cents
    assert report.used_percent == 100 * report.budget_used_cents // report.budget_cents


# --- two clients of one pilot at the same moment (PostgreSQL) ---------------------------------


def _log_for_each_at_once(trajectories) -> list[Activity]:
    """Each trajectory's lead logs a 30-minute session in its own thread, all at once."""
    barrier = threading.Barrier(len(trajectories))
    logged, errors = [], []

    def work(pk):
        try:
            own = Trajectory.objects.select_related("client", "lead_caseworker").get(pk=pk)
            barrier.wait(timeout=30)
            logged.append(log(own, D(2025, 3, 3), minutes=30))
        except BaseException as error:  # reported on the main thread below
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(t.pk,)) for t in trajectories]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hangs (deadlock?)"
    assert errors == []
    return logged


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clients_at_the_same_moment_never_overdraw_the_shared_budget(postgres_only):
    for _round in range(4):  # a missing lock cannot hide behind one lucky interleaving
        world = _world(budget_cents=3000)  # one 30-minute session at EUR 60 an hour
        trajectories = [world.enrolled(), world.enrolled(), world.enrolled()]

        logged = _log_for_each_at_once(trajectories)

        statuses = sorted(
            Activity.objects.filter(pk__in=[a.pk for a in logged]).values_list(
                "funding_status", flat=True
            )
        )
        assert statuses == ["pilot", "unfunded", "unfunded"]
        assert pilot_budget_used(pilot=world.pilot) == 3000


def test_a_lesson_of_a_pilot_client_is_counted_but_never_drawn_from_the_budget(db):
    # Schools are not paid per lesson (issue 15; DESIGN.md, "Funding stream"): a pilot that
    # covers education pays for no lesson either; the lesson counts for attendance.
    world = _world()
    trajectory = world.enrolled()
    lesson = log(trajectory, D(2025, 3, 4), minutes=45, domain="education")
    assert (lesson.funding_status, lesson.pilot_cents) == ("not_chargeable", 0)
    assert lesson.funding_reason == {"code": "school_funded"}
    assert pilot_budget_used(pilot=world.pilot) == 0
