"""The manager's figures: allocations with their use, the unfunded queue and its value in euros,
caseloads and contracts, computed against the database."""

import datetime
import itertools

import pytest

from apps.accounts.models import Role
from apps.control.selectors import (
    allocation_list_current,
    allocation_page_with_use,
    caseload_per_worker,
    contract_list,
    unfunded_queue,
)
from apps.funding.models import AllocationStatus, Frequency, FunderKind, Unit
from apps.trajectories.assignment import (
    allocation_register,
    allocation_status_change,
    allocation_used_in_window,
)
from apps.trajectories.models import TeamRole
from apps.trajectories.services import (
    activity_cancel,
    activity_log,
    care_team_join,
    care_team_leave,
)
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.builders import current_with_use
from tests.funding.factories import (
    AllocationFactory,
    ContractFactory,
    FunderFactory,
    ProductFactory,
    stream,
)
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date
_numbers = itertools.count(1)


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def caseworker(organisation):
    return UserFactory(organisation=organisation, roles=[Role.CASEWORKER])


def _trajectory(organisation, caseworker, **client):
    """An open trajectory of a 15-year-old client (born 17 May 2010) since 1 January 2025."""
    return TrajectoryFactory(
        client=ClientFactory(organisation=organisation, **client),
        start=D(2025, 1, 1),
        lead_caseworker=caseworker,
    )


def _product(organisation, stream_code="jeugdwet", funder=None, contract=None, **overrides):
    if contract is None:
        contract = ContractFactory(
            organisation=organisation,
            stream=stream(stream_code),
            **({"funder": funder} if funder is not None else {}),
        )
    if stream_code not in ("jeugdwet", "wmo"):
        overrides.setdefault("category", "")
    return ProductFactory(contract=contract, **overrides)


def _register(trajectory, actor, product, **overrides):
    values = {
        "client": trajectory.client,
        "product": product,
        "number": f"TW-{next(_numbers)}",
        "volume": 600,
        "frequency": Frequency.TOTAL,
        "start": D(2025, 1, 1),
        "end": D(2025, 12, 31),
        "actor": actor,
    }
    values.update(overrides)
    allocation, _matched = allocation_register(**values)
    return allocation


def _log(trajectory, actor, **overrides):
    values = {
        "trajectory": trajectory,
        "domain": "care",
        "kind": "treatment_session",
        "date": D(2025, 3, 3),
        "duration_minutes": 60,
        "performed_by": actor,
        "actor": actor,
        "note": "GEHEIM gesprek",
    }
    values.update(overrides)
    return activity_log(**values)


def _by_number(organisation, today):
    return {a.number: a for a in current_with_use(organisation, today)}


# --- allocations and their use -----------------------------------------------------------


@pytest.fixture
def total_and_weekly(organisation, caseworker):
    """A total allocation of 10 hours and a weekly one of 120 minutes, with activities."""
    hours = _trajectory(organisation, caseworker)
    total = _register(
        hours,
        caseworker,
        _product(organisation, unit=Unit.HOUR, tariff_cents=9000),
        number="TOTAL-10H",
        volume=10,
    )
    for day, minutes in ((D(2025, 3, 3), 60), (D(2025, 3, 10), 120), (D(2025, 4, 1), 300)):
        _log(hours, caseworker, date=day, duration_minutes=minutes)
    cancelled = _log(hours, caseworker, date=D(2025, 4, 2), duration_minutes=30)
    activity_cancel(activity=cancelled, actor=caseworker)

    minutes = _trajectory(organisation, caseworker)
    weekly = _register(
        minutes,
        caseworker,
        _product(organisation, unit=Unit.MINUTE),
        number="WEEK-120M",
        volume=120,
        frequency=Frequency.PER_WEEK,
        end=D(2025, 6, 30),
    )
    for day, duration in ((D(2025, 2, 26), 60), (D(2025, 3, 3), 60), (D(2025, 3, 5), 35)):
        _log(minutes, caseworker, date=day, duration_minutes=duration)
    return total, weekly, minutes


def test_a_total_allocation_counts_everything_it_funded_in_its_validity(
    organisation, total_and_weekly
):
    total = _by_number(organisation, D(2025, 6, 1))["TOTAL-10H"]
    assert total.used == 480  # minutes; the cancelled activity gave its 30 back
    assert total.used_in_unit == pytest.approx(8.0)
    assert total.used_percent == 80
    assert total.mostly_used is True


def test_a_weekly_allocation_counts_the_current_iso_week_only(organisation, total_and_weekly):
    weekly = _by_number(organisation, D(2025, 3, 6))["WEEK-120M"]  # Thursday: 3 to 9 March
    assert weekly.used == 95
    assert weekly.used_in_unit == pytest.approx(95.0)
    assert weekly.used_percent == 79
    assert weekly.mostly_used is False
    assert _by_number(organisation, D(2025, 3, 12))["WEEK-120M"].used == 0
    assert _by_number(organisation, D(2025, 2, 27))["WEEK-120M"].used == 60


def test_eighty_percent_used_is_flagged_from_exactly_eighty(
    organisation, caseworker, total_and_weekly
):
    _total, _weekly, trajectory = total_and_weekly
    _log(trajectory, caseworker, date=D(2025, 3, 6), duration_minutes=1)  # 96 of 120
    weekly = _by_number(organisation, D(2025, 3, 6))["WEEK-120M"]
    assert (weekly.used, weekly.used_percent, weekly.mostly_used) == (96, 80, True)


@pytest.mark.parametrize(
    "today", [D(2025, 2, 27), D(2025, 3, 3), D(2025, 3, 6), D(2025, 4, 1), D(2025, 6, 30)]
)
def test_the_used_figures_agree_with_the_services_window(organisation, total_and_weekly, today):
    for allocation in current_with_use(organisation, today):
        used, _first, _last = allocation_used_in_window(allocation=allocation, day=today)
        assert allocation.used == used, allocation.number


def test_allocations_ending_within_30_days_are_flagged(organisation, total_and_weekly):
    early = _by_number(organisation, D(2025, 5, 31))  # the weekly one ends on 30 June
    assert early["WEEK-120M"].ends_soon is True
    assert early["TOTAL-10H"].ends_soon is False
    assert _by_number(organisation, D(2025, 5, 30))["WEEK-120M"].ends_soon is False


def test_allocations_are_sorted_by_end_date_with_open_ends_last(organisation, caseworker):
    trajectory = _trajectory(organisation, caseworker)
    product = _product(organisation)
    for number, end in (("OPEN", None), ("LATE", D(2025, 12, 31)), ("EARLY", D(2025, 6, 30))):
        _register(trajectory, caseworker, product, number=number, end=end)
    numbers = [a.number for a in current_with_use(organisation, D(2025, 3, 1))]
    assert numbers == ["EARLY", "LATE", "OPEN"]


def test_ended_withdrawn_and_foreign_allocations_are_not_listed(organisation, caseworker):
    trajectory = _trajectory(organisation, caseworker)
    product = _product(organisation)
    _register(trajectory, caseworker, product, number="CURRENT")
    _register(trajectory, caseworker, product, number="PAST", end=D(2025, 2, 28))
    withdrawn = _register(trajectory, caseworker, product, number="WITHDRAWN")
    allocation_status_change(
        allocation=withdrawn, status=AllocationStatus.WITHDRAWN, actor=caseworker
    )
    AllocationFactory(number="FOREIGN")
    assert set(_by_number(organisation, D(2025, 3, 1))) == {"CURRENT"}


def test_a_page_of_the_allocation_list_is_one_query(
    organisation, caseworker, django_assert_num_queries
):
    for _ in range(5):
        trajectory = _trajectory(organisation, caseworker)
        _register(trajectory, caseworker, _product(organisation))
        _log(trajectory, caseworker)
    today = D(2025, 3, 3)
    ids = list(
        allocation_list_current(organisation=organisation, today=today).values_list("pk", flat=True)
    )
    with django_assert_num_queries(1):
        rows = allocation_page_with_use(ids=ids, today=today)
        assert [(a.client.client_number, a.funder.name, a.product.code) for a in rows]
    assert [a.used for a in rows] == [60] * 5


# --- the unfunded queue ------------------------------------------------------------------


def test_the_queue_values_minutes_at_a_minute_tariff(organisation, caseworker):
    trajectory = _trajectory(organisation, caseworker)
    _product(organisation, unit=Unit.MINUTE, tariff_cents=175)
    activity = _log(trajectory, caseworker, duration_minutes=45, expected_funding="Jeugdwet")
    queue = unfunded_queue(organisation=organisation)
    [item] = queue.items
    assert item.activity == activity
    assert item.value_cents == 45 * 175
    assert queue.total_cents == 7875
    assert str(queue.total_euros) == "78.75"


def test_the_queue_values_minutes_at_an_hour_tariff(organisation, caseworker):
    trajectory = _trajectory(organisation, caseworker)
    _product(organisation, unit=Unit.HOUR, tariff_cents=9000)
    _log(trajectory, caseworker, duration_minutes=90)
    _log(trajectory, caseworker, duration_minutes=45)
    _log(trajectory, caseworker, duration_minutes=1)  # 150 cents, exactly
    queue = unfunded_queue(organisation=organisation)
    assert sorted(item.value_cents for item in queue.items) == [150, 6750, 13500]
    assert queue.total_cents == 20400


def test_an_item_product_counts_one_item_per_activity(organisation, caseworker):
    trajectory = _trajectory(organisation, caseworker)
    _product(organisation, unit=Unit.ITEM_OUTPUT, tariff_cents=25000)
    _log(trajectory, caseworker, kind="crisis_contact", duration_minutes=30)
    assert [item.value_cents for item in unfunded_queue(organisation=organisation).items] == [25000]


def test_when_several_products_fit_the_lowest_value_counts(organisation, caseworker):
    trajectory = _trajectory(organisation, caseworker)
    cheap_funder = FunderFactory(name="Gemeente Goedkoop")
    _product(organisation, unit=Unit.MINUTE, tariff_cents=175)  # 90 min: EUR 157.50
    _product(organisation, funder=cheap_funder, unit=Unit.HOUR, tariff_cents=9000)  # EUR 135
    _product(organisation, unit=Unit.HOUR, tariff_cents=9500)  # EUR 142.50
    _log(trajectory, caseworker, duration_minutes=90)
    queue = unfunded_queue(organisation=organisation)
    [item] = queue.items
    assert item.value_cents == 13500
    assert item.product.tariff_cents == 9000
    assert item.funder == cheap_funder


def test_without_a_fitting_contract_the_value_is_zero(organisation, caseworker):
    trajectory = _trajectory(organisation, caseworker)
    _product(organisation, "onderwijs", unit=Unit.HOUR, tariff_cents=6000)  # pays no care
    _product(  # the right stream, but the contract ended before the activity
        organisation,
        contract=ContractFactory(
            organisation=organisation, start=D(2024, 1, 1), end=D(2024, 12, 31)
        ),
    )
    _product(organisation, "wmo", category="", unit=Unit.MINUTE)  # Wmo: from 18 only
    ProductFactory(tariff_cents=1)  # another organisation's contract
    _log(trajectory, caseworker, duration_minutes=60)
    queue = unfunded_queue(organisation=organisation)
    [item] = queue.items
    assert (item.product, item.funder, item.value_cents) == (None, None, 0)
    assert queue.total_cents == 0
    assert [group.funder for group in queue.groups] == [None]


def test_the_queue_is_grouped_by_funder_with_totals_and_no_contract_last(organisation, caseworker):
    trajectory = _trajectory(organisation, caseworker, date_of_birth=D(2008, 5, 17))  # 16
    municipality = FunderFactory(name="Gemeente Utrecht")
    trainer = FunderFactory(name="Gemeente Werkstad (Participatiewet)")
    school = FunderFactory(
        name="Samenwerkingsverband Eemland", kind=FunderKind.SAMENWERKINGSVERBAND
    )
    _product(organisation, funder=municipality, unit=Unit.MINUTE, tariff_cents=175)
    _product(organisation, "onderwijs", funder=school, unit=Unit.HOUR, tariff_cents=6000)
    _product(organisation, "participatie", funder=trainer, unit=Unit.HOUR, tariff_cents=6000)
    _log(trajectory, caseworker, duration_minutes=60, date=D(2025, 3, 4))
    _log(trajectory, caseworker, duration_minutes=30, date=D(2025, 3, 3))
    lesson = _log(  # schools are not paid per lesson: never waiting, never valued
        trajectory,
        caseworker,
        domain="education",
        kind="lesson",
        attendance="present",
        duration_minutes=90,
    )
    assert lesson.funding_status == "not_chargeable"
    _log(trajectory, caseworker, domain="work", kind="work_training", duration_minutes=90)
    # Care counted in items: no contract counted in minutes or hours could pay for it.
    _log(trajectory, caseworker, duration_minutes=None, units=2)
    queue = unfunded_queue(organisation=organisation)
    assert [(g.funder, g.count, g.total_cents) for g in queue.groups] == [
        (municipality, 2, 60 * 175 + 30 * 175),
        (trainer, 1, 9000),
        (None, 1, 0),
    ]
    assert [item.activity.date for item in queue.groups[0].items] == [
        D(2025, 3, 3),
        D(2025, 3, 4),
    ]
    assert (queue.count, queue.shown, queue.total_cents) == (4, 4, 15750 + 9000)


def test_the_queue_lists_at_most_the_limit_but_totals_everything(organisation, caseworker):
    trajectory = _trajectory(organisation, caseworker)
    _product(organisation, unit=Unit.MINUTE, tariff_cents=100)
    for day in range(1, 6):
        _log(trajectory, caseworker, date=D(2025, 3, day), duration_minutes=10)
    queue = unfunded_queue(organisation=organisation, limit=3)
    assert (queue.count, queue.shown, len(queue.items), queue.total_cents) == (5, 3, 3, 5000)
    assert queue.groups[0].count == 5


def test_the_queue_holds_only_recorded_unfunded_activities_of_the_organisation(
    organisation, caseworker
):
    trajectory = _trajectory(organisation, caseworker)
    product = _product(organisation, unit=Unit.MINUTE)
    waiting = _log(trajectory, caseworker, date=D(2025, 3, 3))
    cancelled = _log(trajectory, caseworker, date=D(2025, 3, 4))
    activity_cancel(activity=cancelled, actor=caseworker)
    _log(trajectory, caseworker, kind="case_consultation")  # not chargeable
    other = _trajectory(organisation, caseworker)
    _register(other, caseworker, product)
    _log(other, caseworker)  # funded
    foreign = TrajectoryFactory(start=D(2025, 1, 1))
    _log(foreign, foreign.lead_caseworker)
    assert [item.activity for item in unfunded_queue(organisation=organisation).items] == [waiting]


def test_the_queue_never_loads_an_activitys_note(organisation, caseworker):
    trajectory = _trajectory(organisation, caseworker)
    _log(trajectory, caseworker)
    [item] = unfunded_queue(organisation=organisation).items
    assert "note" in item.activity.get_deferred_fields()


@pytest.mark.usefixtures("postgres_only")  # SQLite reads a page's groups one by one
def test_the_queue_takes_a_fixed_number_of_queries_whatever_its_size(
    organisation, caseworker, django_assert_num_queries
):
    # The activities; the products, the streams and the funders (the responsible funder is
    # named also without a contract); the clients' facts: their history, Wlz indications,
    # health insurers and allocations (apps.funding.responsibility.funding_facts).
    for _ in range(3):
        trajectory = _trajectory(organisation, caseworker)
        for day in range(1, 8):
            _log(trajectory, caseworker, date=D(2025, 3, day))
    _product(organisation)
    _product(organisation, unit=Unit.HOUR, tariff_cents=9000)
    unfunded_queue(organisation=organisation)  # values what the new products dropped
    # Whether any waiting activity lacks its stored valuation, the counts and totals per
    # funder (on PostgreSQL the running sums: folded, then read), the funders, the first rows
    # (apps.trajectories.waiting).
    with django_assert_num_queries(5):
        queue = unfunded_queue(organisation=organisation)
        assert [(item.client.client_number, item.reason, item.value_cents) for item in queue.items]
    assert queue.count == 21


# --- caseload and contracts --------------------------------------------------------------


def test_caseload_counts_distinct_clients_per_role_over_ongoing_memberships(
    organisation, caseworker
):
    teacher = UserFactory(organisation=organisation, roles=[Role.TEACHER], last_name="Zwart")
    trajectories = [_trajectory(organisation, caseworker) for _ in range(3)]
    for trajectory in trajectories[:2]:
        care_team_join(
            trajectory=trajectory,
            user=teacher,
            role=TeamRole.TEACHER,
            start=D(2025, 1, 1),
            actor=caseworker,
        )
    # The caseworker also teaches one of their own clients: still one client in all.
    care_team_join(
        trajectory=trajectories[0],
        user=caseworker,
        role=TeamRole.TEACHER,
        start=D(2025, 1, 1),
        actor=caseworker,
    )
    left = care_team_join(
        trajectory=trajectories[2],
        user=teacher,
        role=TeamRole.TEACHER,
        start=D(2025, 1, 1),
        actor=caseworker,
    )
    care_team_leave(membership=left, end=D(2025, 2, 1), actor=caseworker)
    TrajectoryFactory()  # another organisation's care team
    rows = {row.user_id: row for row in caseload_per_worker(organisation=organisation)}
    assert set(rows) == {caseworker.pk, teacher.pk}
    roles = list(TeamRole.values)
    assert rows[caseworker.pk].counts == [
        3 if role == "caseworker" else 1 if role == "teacher" else 0 for role in roles
    ]
    assert rows[caseworker.pk].total == 3
    assert rows[teacher.pk].counts == [2 if role == "teacher" else 0 for role in roles]
    assert rows[teacher.pk].total == 2


def test_caseload_is_one_query(organisation, caseworker, django_assert_num_queries):
    for _ in range(4):
        _trajectory(organisation, caseworker)
    with django_assert_num_queries(1):
        assert [row.total for row in caseload_per_worker(organisation=organisation)] == [4]


def test_contracts_count_their_products_and_current_allocations(organisation, caseworker):
    trajectory = _trajectory(organisation, caseworker)
    contract = ContractFactory(organisation=organisation, reference="JW-2025")
    first = ProductFactory(contract=contract)
    ProductFactory(contract=contract)
    _register(trajectory, caseworker, first, end=D(2025, 12, 31))
    _register(trajectory, caseworker, first, end=D(2025, 12, 31))
    _register(trajectory, caseworker, first, end=D(2025, 2, 28))  # ended
    ContractFactory(organisation=organisation, reference="WMO-2025", stream=stream("wmo"))
    ContractFactory(reference="FOREIGN")
    contracts = {
        c.reference: c for c in contract_list(organisation=organisation, today=D(2025, 6, 1))
    }
    assert set(contracts) == {"JW-2025", "WMO-2025"}
    assert (contracts["JW-2025"].product_count, contracts["JW-2025"].active_allocation_count) == (
        2,
        2,
    )
    assert (contracts["WMO-2025"].product_count, contracts["WMO-2025"].active_allocation_count) == (
        0,
        0,
    )


def test_a_session_is_valued_at_a_time_product_not_as_a_share_of_an_etmaal(db):
    import datetime

    from apps.control.selectors import unfunded_queue
    from apps.funding.models import Frequency, Unit
    from apps.trajectories.assignment import allocation_register
    from apps.trajectories.services import activity_log
    from tests.funding.factories import ContractFactory, ProductFactory, stream
    from tests.trajectories.factories import TrajectoryFactory

    trajectory = TrajectoryFactory(start=datetime.date(2025, 1, 1))
    lead = trajectory.lead_caseworker
    contract = ContractFactory(
        organisation=trajectory.client.organisation, stream=stream("jeugdwet")
    )
    ProductFactory(
        contract=contract, code="43B01", unit=Unit.DAY_24H, tariff_cents=35200, category="43"
    )
    ambulant = ProductFactory(contract=contract, code="45A07", unit=Unit.MINUTE, tariff_cents=185)
    allocation_register(
        client=trajectory.client,
        product=ambulant,
        number="LATER",
        volume=600,
        frequency=Frequency.TOTAL,
        start=datetime.date(2025, 6, 1),
        end=None,
        actor=lead,
    )
    activity_log(
        trajectory=trajectory,
        domain="care",
        kind="treatment_session",
        date=datetime.date(2025, 3, 3),
        duration_minutes=45,
        performed_by=lead,
        actor=lead,
    )
    [item] = unfunded_queue(organisation=trajectory.client.organisation).items
    assert (item.product.code, item.value_cents) == ("45A07", 8325)
