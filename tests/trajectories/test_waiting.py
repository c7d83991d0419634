"""The stored valuation of waiting care (apps.trajectories.waiting) gives the unfunded queue
exactly what working it out live gives, for a mixed set of clients, and stays right after each
change of what the rule reads (docs/performance.md, "Waiting care valued once").

The rule itself (the law that goes first, the responsible funder, its cheapest product) is
pinned with its sources in tests/funding/test_responsible.py; here only its storage is.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.clients.services import client_update, health_insurance_record, wlz_indication_record
from apps.control.selectors import (
    UnfundedFunderGroup,
    UnfundedItem,
    UnfundedQueue,
    _funder_order,
    unfunded_queue,
)
from apps.funding.models import FunderKind
from apps.funding.responsibility import ResponsibleRoutes
from apps.trajectories.models import Activity, WaitingValuation
from apps.trajectories.waiting import waiting_revalue_organisation, waiting_valuations_live
from tests.funding.factories import FunderFactory
from tests.funding.test_responsible import ADULT_BORN, MOVED_ON, World

pytestmark = pytest.mark.django_db
D = datetime.date
# 18 on 20 March 2025: the Jeugdwet's care before, the Zvw's after.
TURNS_18_BORN = D(2007, 3, 20)


def _live_queue(organisation, limit: int) -> UnfundedQueue:
    """The unfunded queue as it was worked out before the valuation was stored: every
    waiting activity valued on the view, grouped in Python."""
    by_funder: dict[int | None, list[UnfundedItem]] = {}
    for activity, found in waiting_valuations_live(
        organisation=organisation, activities=Activity.objects.all()
    ):
        item = UnfundedItem(
            activity=activity,
            product=found.product,
            value_cents=found.value_cents,
            responsible=found.funder,
            stream=found.stream,
        )
        by_funder.setdefault(item.funder.pk if item.funder else None, []).append(item)
    groups = sorted(
        (
            UnfundedFunderGroup(
                funder=items[0].funder,
                items=items,
                count=len(items),
                total_cents=sum(item.value_cents for item in items),
            )
            for items in by_funder.values()
        ),
        key=_funder_order,
    )
    shown, room = [], limit
    for group in groups:
        shown.append(
            UnfundedFunderGroup(
                funder=group.funder,
                items=group.items[: max(room, 0)],
                count=group.count,
                total_cents=group.total_cents,
            )
        )
        room -= group.count
    return UnfundedQueue(
        groups=shown,
        count=sum(group.count for group in groups),
        shown=sum(len(group.items) for group in shown),
        total_cents=sum(group.total_cents for group in groups),
    )


def _pk(obj):
    return obj.pk if obj is not None else None


def _comparable(queue: UnfundedQueue) -> tuple:
    return (
        queue.count,
        queue.shown,
        queue.total_cents,
        [
            (
                _pk(group.funder),
                group.count,
                group.total_cents,
                [
                    (
                        item.activity.pk,
                        item.activity.date,
                        _pk(item.product),
                        item.tariff_euros,
                        item.value_cents,
                        _pk(item.funder),
                        _pk(item.responsible),
                        _pk(item.stream),
                        item.reason,
                        item.client.pk,
                    )
                    for item in group.items
                ],
            )
            for group in queue.groups
        ],
    )


def _assert_stored_is_live(organisation, limits=(500, 7, 1, 0)):
    for limit in limits:
        stored = unfunded_queue(organisation=organisation, limit=limit)
        assert _comparable(stored) == _comparable(_live_queue(organisation, limit)), limit


@pytest.fixture
def mixed():
    """Several funders, a client turning 18, a mover, a Wlz indication, an adult with and one
    without an insurer, a youth whose municipality has no contract, care on many days."""
    world = World()
    FunderFactory(name="Gemeente Zwolle", kind=FunderKind.MUNICIPALITY, code="0193")
    youth = world.client("")
    mover = world.move(world.client(""), "0307", MOVED_ON)
    world.register(mover, "0344", "TW-MOVER", volume=60)  # goes on after the move, then full
    wlz = world.client("")
    wlz_indication_record(
        client=wlz, care_profile="LVG 4", start=D(2025, 3, 12), end=None, actor=None
    )
    turning = world.client("", born=TURNS_18_BORN)
    health_insurance_record(client=turning, uzovi="3311", start=D(2025, 1, 1), end=None, actor=None)
    insured = world.client("", born=ADULT_BORN)
    health_insurance_record(client=insured, uzovi="8888", start=D(2025, 1, 1), end=None, actor=None)
    uninsured = world.client("", born=ADULT_BORN)
    zwolle = world.client("", "0193")
    clients = [youth, mover, wlz, turning, insured, uninsured, zwolle]
    for index, client in enumerate(clients):
        for day, minutes in ((D(2025, 3, 10), 60), (D(2025, 3, 19), 45), (D(2025, 3, 21), 30)):
            world.session(client, day, minutes=minutes + index)
        world.session(client, D(2025, 4, 2 + index), minutes=90)
    return world, clients


def test_the_stored_queue_is_the_live_one(mixed):
    world, _clients = mixed
    queue = unfunded_queue(organisation=world.organisation)
    assert queue.count == 27
    funders = {group.funder.name if group.funder else None for group in queue.groups}
    # Municipalities (one without a contract), the care office, the insurers, and nobody.
    assert {"Gemeente Utrecht", "Zorgkantoor", "Verzekeraar Eigen", None} <= funders
    assert len(funders) >= 6
    _assert_stored_is_live(world.organisation)
    assert WaitingValuation.objects.filter(organisation=world.organisation).count() == 27


def test_what_a_change_drops_is_valued_again(mixed):
    world, clients = mixed
    youth, mover, _wlz, _turning, insured, uninsured, zwolle = clients
    unfunded_queue(organisation=world.organisation)  # everything stored
    # A tariff (the organisation's products), a move, an indication, an insurer, a date of
    # birth, an allocation: each time the stored queue is still the live one.
    product = world.products["3311"]
    product.tariff_cents = 150
    product.save()
    _assert_stored_is_live(world.organisation, limits=(500,))
    world.move(youth, "0307", D(2025, 3, 15))
    _assert_stored_is_live(world.organisation, limits=(500,))
    wlz_indication_record(
        client=zwolle, care_profile="VG 5", start=D(2025, 3, 1), end=None, actor=None
    )
    _assert_stored_is_live(world.organisation, limits=(500,))
    health_insurance_record(
        client=uninsured, uzovi="3311", start=D(2025, 1, 1), end=None, actor=None
    )
    _assert_stored_is_live(world.organisation, limits=(500,))
    client_update(client=mover, date_of_birth=ADULT_BORN, actor=world.worker)
    _assert_stored_is_live(world.organisation, limits=(500,))
    world.register(insured, "8888", "ZVW-1")  # absorbs the insured adult's care
    _assert_stored_is_live(world.organisation, limits=(500,))
    assert not any(
        item.client.pk == insured.pk
        for item in unfunded_queue(organisation=world.organisation).items
    )


def test_the_revaluation_of_everything_gives_the_same(mixed):
    world, _clients = mixed
    before = _comparable(unfunded_queue(organisation=world.organisation))
    assert waiting_revalue_organisation(organisation=world.organisation) == 27
    assert _comparable(unfunded_queue(organisation=world.organisation)) == before


def test_the_queue_reads_a_fixed_number_of_queries(mixed):
    world, clients = mixed
    unfunded_queue(organisation=world.organisation)  # stored
    with CaptureQueriesContext(connection) as small:
        unfunded_queue(organisation=world.organisation)
    # Three times as much care for the same clients (so the same funders are shown).
    for client in clients:
        for day in (D(2025, 5, 5), D(2025, 5, 6), D(2025, 5, 7), D(2025, 6, 2)):
            world.session(client, day)
            world.session(client, day, minutes=20)
    assert unfunded_queue(organisation=world.organisation).count > 27 * 2
    with CaptureQueriesContext(connection) as large:
        unfunded_queue(organisation=world.organisation)
    assert len(small) == len(large)
    _assert_stored_is_live(world.organisation)


def test_one_activity_is_valued_over_the_few_products_that_could_fit_it(mixed):
    """Logging waiting care values that one activity over the products its day, domain and
    paying municipality leave (``ResponsibleRoutes.for_activities``), not the organisation's
    whole product table: the same answer as over all of them, for every waiting activity of
    the mixed set (a mover, a Wlz indication, insurers, a municipality without a contract)."""
    world, _clients = mixed
    activities = list(
        Activity.objects.unfunded()
        .filter(trajectory__client__organisation=world.organisation)
        .select_related("trajectory__client__responsible_municipality")
    )
    everything = ResponsibleRoutes.regular(
        world.organisation, {a.trajectory.client for a in activities}
    )
    read = 0
    for activity in activities:
        one = ResponsibleRoutes.for_activities(world.organisation, [activity])
        assert one.responsible(activity) == everything.responsible(activity), activity.pk
        read += len(one.products.products)
    assert read < len(activities) * len(everything.products.products)
