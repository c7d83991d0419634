"""The funding mosaic (apps/funding/mosaic.py): how many funders, streams, contracts and
allocations pay for an organisation's or a trajectory's care, how its value splits over them,
and month by month, computed in the database with known data."""

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from apps.accounts.models import Organisation, Role, User
from apps.funding.models import Allocation, Funder, FunderKind, IntegralPilot
from apps.trajectories.assignment import pilot_enrol
from apps.trajectories.education import school_placement_register
from apps.trajectories.models import Activity, Trajectory
from apps.trajectories.mosaic import MosaicSchooling, funding_mosaic
from apps.trajectories.services import activity_cancel
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
Q1 = {"period_start": D(2025, 1, 1), "period_end": D(2025, 3, 31)}


@dataclass
class MosaicWorld:
    organisation: Organisation
    manager: User
    utrecht: Funder
    swv: Funder
    pilot: IntegralPilot
    regular: Trajectory  # Jeugdwet and UWV allocations, a school placement
    second: Trajectory  # a Jeugdwet allocation
    in_pilot: Trajectory
    waiting: Trajectory
    allocations: list[Allocation]


@pytest.fixture
def world(db) -> MosaicWorld:
    """Two funders, three streams, four contracts (one a pilot), three allocations.

    Delivered in the first quarter of 2025, in cents:

    - January: regular's session 60 min x 200 = 12,000 (Utrecht, Jeugdwet);
    - February: regular's session 12,000 and work training 45 min at 60/hour = 4,500 (UWV,
      participatie); in_pilot's session 60 min at 90/hour = 9,000 from the pilot (Utrecht,
      integral);
    - March: second's session 30 min x 200 = 6,000 (Utrecht, Jeugdwet, another allocation),
      and waiting's session, unfunded.

    Never counted: a consultation (not billed), a lesson (schools are not paid per lesson: it
    counts as a school registration), a cancelled session, a session after the quarter, and
    another organisation's care on a contract with the same funder.
    """
    organisation = OrganisationFactory()
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    utrecht = FunderFactory(name="Gemeente Utrecht", code="0344")
    swv = FunderFactory(name="Samenwerkingsverband Zonnedal", kind=FunderKind.SAMENWERKINGSVERBAND)
    uwv = FunderFactory(name="UWV", code="UWV", kind=FunderKind.UWV)
    jeugdwet = product(organisation, funder=utrecht, unit=MINUTE, tariff_cents=200)
    jeugdwet_2 = product(organisation, funder=utrecht, unit=MINUTE, tariff_cents=200)
    education = product(organisation, "onderwijs", funder=swv, unit=HOUR, tariff_cents=6000)
    work = product(organisation, "participatie", funder=uwv, unit=HOUR, tariff_cents=6000)
    pilot = IntegralPilotFactory(contract__organisation=organisation, contract__funder=utrecht)
    pilot_product(pilot, unit=HOUR, tariff_cents=9000)

    regular = trajectory_of(organisation, date_of_birth=D(2008, 1, 1))  # 17: work from 16
    second = trajectory_of(organisation)
    in_pilot = trajectory_of(organisation)
    waiting = trajectory_of(organisation)
    allocations = [
        register(regular.client, jeugdwet, manager),
        register(regular.client, work, manager, volume=10),
        register(second.client, jeugdwet_2, manager),
    ]
    pilot_enrol(pilot=pilot, client=in_pilot.client, actor=manager)

    log(regular, D(2025, 1, 13))
    log(regular, D(2025, 2, 10))
    register(regular.client, education, manager, volume=10)  # pays no lesson: not counted
    log(regular, D(2025, 2, 11), minutes=45, domain="work", kind="work_training")
    log(regular, D(2025, 2, 11), minutes=100, domain="education")  # not priced
    school_placement_register(
        trajectory=regular,
        actor=regular.lead_caseworker,
        school_name="De Brug (vso)",
        board_code="41234",
        school_type="vso",
        samenwerkingsverband=swv,
        tlv_number="TLV-1",
        tlv_category="2",
        tlv_start=D(2024, 8, 1),
        tlv_end=D(2026, 7, 31),
        start=D(2024, 8, 19),
    )
    log(in_pilot, D(2025, 2, 12))
    log(second, D(2025, 3, 10), minutes=30)
    assert log(waiting, D(2025, 3, 11)).funding_status == "unfunded"
    log(regular, D(2025, 3, 12), kind="case_consultation")
    activity_cancel(activity=log(second, D(2025, 3, 13)), actor=manager)
    log(regular, D(2025, 4, 1))

    elsewhere = OrganisationFactory()
    foreign = trajectory_of(elsewhere)
    register(foreign.client, product(elsewhere, funder=utrecht), manager)
    log(foreign, D(2025, 2, 10))
    log(trajectory_of(elsewhere), D(2025, 2, 10))  # waits, elsewhere

    return MosaicWorld(
        organisation=organisation,
        manager=manager,
        utrecht=utrecht,
        swv=swv,
        pilot=pilot,
        regular=regular,
        second=second,
        in_pilot=in_pilot,
        waiting=waiting,
        allocations=allocations,
    )


def _parts(mosaic):
    return [
        (
            part.funder.name,
            part.stream.code,
            part.pilot,
            part.activities,
            part.value_cents,
            part.share,
        )
        for part in mosaic.parts
    ]


def _months(mosaic):
    return [
        (
            row.month,
            row.funders,
            row.streams,
            row.contracts,
            row.allocations,
            row.activities,
            row.value_cents,
            row.unfunded,
        )
        for row in mosaic.months
    ]


def test_the_organisations_mosaic_counts_funders_streams_contracts_and_allocations(world):
    mosaic = funding_mosaic(organisation=world.organisation, **Q1)

    assert (mosaic.period_start, mosaic.period_end) == (D(2025, 1, 1), D(2025, 3, 31))
    assert (mosaic.funders, mosaic.streams, mosaic.contracts, mosaic.pilots) == (2, 3, 4, 1)
    assert mosaic.allocations == 3
    assert mosaic.activities == 5  # funded or paid by the pilot
    assert mosaic.unfunded == 1
    assert mosaic.value_cents == 12_000 + 12_000 + 4_500 + 9_000 + 6_000


def test_the_value_splits_over_funder_and_stream_with_shares(world):
    mosaic = funding_mosaic(organisation=world.organisation, **Q1)

    # 30,000 of 43,500 is 69.0%, 9,000 is 20.7%, 4,500 is 10.3%.
    assert _parts(mosaic) == [
        ("Gemeente Utrecht", "jeugdwet", False, 3, 30_000, 69),
        ("Gemeente Utrecht", "integraal", True, 1, 9_000, 21),
        ("UWV", "participatie", False, 1, 4_500, 10),
    ]
    assert sum(part.value_cents for part in mosaic.parts) == mosaic.value_cents


def test_the_months_show_the_trend(world):
    mosaic = funding_mosaic(organisation=world.organisation, **Q1)

    assert _months(mosaic) == [
        # month, funders, streams, contracts, allocations, activities, value, unfunded
        (D(2025, 1, 1), 1, 1, 1, 1, 1, 12_000, 0),
        (D(2025, 2, 1), 2, 3, 3, 2, 3, 25_500, 0),
        (D(2025, 3, 1), 1, 1, 1, 1, 1, 6_000, 1),
    ]
    assert sum(row.value_cents for row in mosaic.months) == mosaic.value_cents


def test_a_shorter_period_counts_only_its_care(world):
    mosaic = funding_mosaic(
        organisation=world.organisation, period_start=D(2025, 2, 1), period_end=D(2025, 2, 28)
    )
    assert (mosaic.funders, mosaic.streams, mosaic.contracts, mosaic.allocations) == (2, 3, 3, 2)
    assert (mosaic.activities, mosaic.value_cents, mosaic.unfunded) == (3, 25_500, 0)
    assert [row.month for row in mosaic.months] == [D(2025, 2, 1)]


def test_a_trajectorys_mosaic_counts_only_its_own_care(world):
    mosaic = funding_mosaic(trajectory=world.regular, **Q1)

    assert (mosaic.funders, mosaic.streams, mosaic.contracts, mosaic.pilots) == (2, 2, 2, 0)
    assert (mosaic.allocations, mosaic.activities, mosaic.unfunded) == (2, 3, 0)
    assert mosaic.value_cents == 28_500
    assert _parts(mosaic) == [
        ("Gemeente Utrecht", "jeugdwet", False, 2, 24_000, 84),
        ("UWV", "participatie", False, 1, 4_500, 16),
    ]


def test_a_pilot_clients_mosaic_is_one_funder_and_one_budget(world):
    mosaic = funding_mosaic(trajectory=world.in_pilot, **Q1)
    assert (mosaic.funders, mosaic.streams, mosaic.contracts, mosaic.pilots) == (1, 1, 1, 1)
    assert (mosaic.allocations, mosaic.value_cents) == (0, 9_000)
    assert _parts(mosaic) == [("Gemeente Utrecht", "integraal", True, 1, 9_000, 100)]


def test_a_waiting_trajectory_has_only_unfunded_care(world):
    mosaic = funding_mosaic(trajectory=world.waiting, **Q1)
    assert (mosaic.funders, mosaic.activities, mosaic.value_cents, mosaic.unfunded) == (0, 0, 0, 1)
    assert mosaic.parts == []
    assert _months(mosaic) == [(D(2025, 3, 1), 0, 0, 0, 0, 0, 0, 1)]


def test_another_organisations_care_is_never_counted(world):
    elsewhere = Organisation.objects.exclude(pk=world.organisation.pk).get()
    theirs = funding_mosaic(organisation=elsewhere, **Q1)
    assert (theirs.funders, theirs.allocations, theirs.activities, theirs.unfunded) == (1, 1, 1, 1)
    assert theirs.value_cents == 60 * 175  # the factory's tariff

    empty = funding_mosaic(organisation=OrganisationFactory(), **Q1)
    assert (empty.funders, empty.activities, empty.value_cents, empty.unfunded) == (0, 0, 0, 0)
    assert (empty.parts, empty.months) == ([], [])


def test_hours_are_valued_per_minute_and_rounded_half_up_per_part(db):
    organisation = OrganisationFactory()
    training = product(organisation, "participatie", unit=HOUR, tariff_cents=6001)
    trajectory = trajectory_of(organisation, date_of_birth=D(2000, 1, 1))
    register(trajectory.client, training, trajectory.lead_caseworker, volume=10)
    log(trajectory, D(2025, 2, 3), minutes=30, domain="work", kind="work_training")  # 3000.5
    log(trajectory, D(2025, 3, 3), minutes=30, domain="work", kind="work_training")  # 3000.5

    mosaic = funding_mosaic(organisation=organisation, **Q1)

    assert [part.value_cents for part in mosaic.parts] == [6001]  # exact sum, then rounded
    assert [row.value_cents for row in mosaic.months] == [3001, 3001]  # each month rounded


def _bulk_funded(world, count):
    """More funded care in every month of the quarter, straight into the database."""
    allocation = world.allocations[0]
    Activity.objects.bulk_create(
        Activity(
            trajectory=world.regular,
            domain="care",
            kind="treatment_session",
            date=D(2025, 1 + n % 3, 1 + n % 28),
            duration_minutes=1,
            performed_by=world.manager,
            allocation=allocation,
            funding_status="funded",
            consumed=1,
            funding_reason={"code": "assigned", "number": allocation.number},
        )
        for n in range(count)
    )


def test_the_number_of_queries_does_not_grow_with_the_data(world, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as small:
        funding_mosaic(organisation=world.organisation, **Q1)
    _bulk_funded(world, 90)
    other_funder = product(world.organisation, "wlz", unit=HOUR, tariff_cents=9850)
    extra = trajectory_of(world.organisation)
    register(extra.client, other_funder, world.manager, volume=10)
    log(extra, D(2025, 3, 20))

    with django_assert_max_num_queries(len(small)):
        mosaic = funding_mosaic(organisation=world.organisation, **Q1)

    # Four grouped queries, the funders and the streams; the school placements per funding
    # basis and the count of school registrations; on PostgreSQL the funded care's running
    # sums are folded before they are read.
    assert len(small) <= 9
    assert (mosaic.funders, mosaic.streams, mosaic.activities) == (3, 4, 5 + 90 + 1)


# --- the education domain: funded per pupil or by a lump sum, not per lesson ----------------
# Sources (issue 15): a TLV of the samenwerkingsverband admits a pupil to (V)SO or
# praktijkonderwijs (swv-vo-2505.nl, "wat is een toelaatbaarheidsverklaring"; swvam.nl, "TLV");
# the school is funded for the pupil, never per lesson, so lessons are registrations only.


def test_the_mosaic_shows_the_education_domains_funding_basis_not_a_price_per_lesson(world):
    mosaic = funding_mosaic(organisation=world.organisation, **Q1)
    assert mosaic.schooling == [
        MosaicSchooling(basis="duo_tlv", samenwerkingsverband="Samenwerkingsverband Zonnedal",
                        pupils=1)
    ]  # fmt: skip
    with translation.override("en"):
        assert mosaic.schooling[0].basis_label.startswith("Per pupil through DUO")
    assert mosaic.school_registrations == 1  # the lesson: counted, not valued
    assert "onderwijs" not in {part.stream.code for part in mosaic.parts}

    own = funding_mosaic(trajectory=world.regular, **Q1)
    assert [(row.basis, row.pupils) for row in own.schooling] == [("duo_tlv", 1)]
    assert own.school_registrations == 1
    other = funding_mosaic(trajectory=world.second, **Q1)
    assert (other.schooling, other.school_registrations) == ([], 0)


def test_a_placement_outside_the_period_is_not_in_the_mosaic(world):
    mosaic = funding_mosaic(
        organisation=world.organisation, period_start=D(2024, 1, 1), period_end=D(2024, 6, 30)
    )
    assert mosaic.schooling == []
