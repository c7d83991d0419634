"""On PostgreSQL the database keeps the stored valuation of waiting care complete (migration
0013, apps/trajectories/waiting.py): a row for every waiting activity and none for any other,
pending until it is valued, and running sums per organisation and funder that the unfunded
queue reads instead of adding up every row (docs/performance.md, "The funding overview").

The valuation itself is pinned against the live rule in tests/trajectories/test_waiting.py;
here the rows and the sums are checked after every kind of write."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from apps.clients.models import Client
from apps.clients.services import health_insurance_record
from apps.control.selectors import unfunded_queue, unfunded_queue_summary
from apps.trajectories.models import Activity, WaitingTotal, WaitingValuation
from apps.trajectories.services import activity_cancel, activity_correct
from apps.trajectories.waiting import (
    TOTAL_DIFFERENCES_SQL,
    waiting_revalue_client,
    waiting_rows_complete,
    waiting_totals,
    waiting_value_missing,
)
from tests.accounts.factories import OrganisationFactory
from tests.trajectories.test_waiting import _assert_stored_is_live, mixed  # noqa: F401

D = datetime.date

pytestmark = pytest.mark.usefixtures("postgres_only")


def _waiting_ids() -> set[int]:
    return set(
        Activity.objects.filter(status="recorded", funding_status="unfunded").values_list(
            "pk", flat=True
        )
    )


def _rows() -> set[int]:
    return set(WaitingValuation.objects.values_list("activity_id", flat=True))


def _sums_agree() -> None:
    with connection.cursor() as cursor:
        cursor.execute(TOTAL_DIFFERENCES_SQL)
        assert cursor.fetchone()[0] == 0


def _aggregate(organisation) -> dict:
    """The counts and values per funder added up from the valued rows themselves."""
    totals: dict = {}
    for row in WaitingValuation.objects.filter(organisation=organisation, pending=False):
        count, value = totals.get(row.funder_id, (0, 0))
        totals[row.funder_id] = (count + 1, value + row.value_cents)
    return totals


def test_every_waiting_activity_has_a_row_and_nothing_else_has_one(mixed):  # noqa: F811
    world, clients = mixed
    youth, _mover, _wlz, _turning, insured, _uninsured, _zwolle = clients
    # Logged with Celery eager (the tests' setting, as the demo's): the rows wait, pending,
    # for the next read; the caseworker's request did not value them.
    assert _rows() == _waiting_ids()
    assert len(_rows()) == 27
    assert WaitingValuation.objects.filter(pending=True).count() == 27
    assert not WaitingTotal.objects.exists()
    queue = unfunded_queue(organisation=world.organisation)
    assert queue.count == 27
    assert not WaitingValuation.objects.filter(pending=True).exists()
    _sums_agree()

    # An allocation absorbs the insured adult's care: their rows go with it.
    world.register(insured, "8888", "ZVW-1")
    assert _rows() == _waiting_ids()
    assert len(_rows()) == 23
    _sums_agree()

    # A cancelled waiting activity loses its row; a corrected one is valued again.
    cancelled = Activity.objects.filter(trajectory__client=youth).order_by("date").first()
    activity_cancel(activity=cancelled, actor=world.worker, reason="Dubbel geregistreerd")
    assert cancelled.pk not in _rows()
    corrected = Activity.objects.filter(
        trajectory__client=youth, status="recorded", funding_status="unfunded"
    ).first()
    activity_correct(
        activity=corrected, actor=world.worker, reason="Duur verkeerd", duration_minutes=75
    )
    assert _rows() == _waiting_ids()
    _sums_agree()
    _assert_stored_is_live(world.organisation, limits=(500,))
    # A date changed without the services (the admin, a script): the trigger marks it pending.
    Activity.objects.filter(pk=corrected.pk).update(date=D(2025, 3, 11))
    assert WaitingValuation.objects.get(activity=corrected).pending
    _sums_agree()  # a pending row counts in no sum until it is valued
    _assert_stored_is_live(world.organisation, limits=(500,))
    _sums_agree()


def test_the_running_sums_follow_every_change_the_valuation_follows(mixed):  # noqa: F811
    world, clients = mixed
    youth, mover, _wlz, _turning, insured, uninsured, zwolle = clients
    unfunded_queue(organisation=world.organisation)

    def check():
        summary = unfunded_queue_summary(organisation=world.organisation)
        _sums_agree()
        assert {
            (group.funder.pk if group.funder else None): (group.count, group.total_cents)
            for group in summary.groups
        } == _aggregate(world.organisation)
        _assert_stored_is_live(world.organisation, limits=(500,))

    product = world.products["3311"]
    product.tariff_cents = 150
    product.save()  # every valuation of the organisation pending, then valued again
    check()
    world.move(youth, "0307", D(2025, 3, 15))
    check()
    health_insurance_record(
        client=uninsured, uzovi="3311", start=D(2025, 1, 1), end=None, actor=None
    )
    check()
    world.register(insured, "8888", "ZVW-1")
    check()
    world.session(zwolle, D(2025, 5, 5))
    world.session(mover, D(2025, 5, 6), minutes=25)
    check()
    # After folding, one row per funder; a second fold changes nothing.
    rows = WaitingTotal.objects.filter(organisation_id=world.organisation.pk)
    funders = rows.values("funder_id").distinct().count()
    assert rows.count() == funders
    before = sorted(waiting_totals(organisation=world.organisation), key=str)
    assert sorted(waiting_totals(organisation=world.organisation), key=str) == before
    assert rows.count() == funders
    # Valuing a client again without a change (every rematch does) adds no running sums.
    assert waiting_revalue_client(client=zwolle) == 5
    assert rows.count() == funders


def test_a_client_who_moves_to_another_organisation_takes_the_rows_along(mixed):  # noqa: F811
    world, clients = mixed
    zwolle = clients[-1]
    unfunded_queue(organisation=world.organisation)
    other = OrganisationFactory()
    client = Client.objects.get(pk=zwolle.pk)
    client.organisation = other
    client.save()
    rows = WaitingValuation.objects.filter(activity__trajectory__client=client)
    assert rows.count() == 4
    assert set(rows.values_list("organisation_id", "pending")) == {(other.pk, True)}
    assert unfunded_queue(organisation=world.organisation).count == 23
    assert unfunded_queue(organisation=other).count == 4
    _sums_agree()


def test_rows_lost_in_a_bulk_load_are_found_again(mixed):  # noqa: F811
    """The bench generator's COPY fires no trigger: ``waiting_rows_complete`` (and
    ``manage.py waiting_revalue``) give every waiting activity its row again."""
    world, _clients = mixed
    unfunded_queue(organisation=world.organisation)
    lost = list(WaitingValuation.objects.order_by("pk")[:5].values_list("activity_id", flat=True))
    # As a load without triggers leaves it: rows missing, the sums not those of the rows.
    WaitingValuation.objects.filter(activity_id__in=lost).delete()
    WaitingTotal.objects.all().delete()
    assert waiting_rows_complete() == 5
    assert _rows() == _waiting_ids()
    _sums_agree()  # added up again from the valued rows
    assert waiting_value_missing(organisation=world.organisation) == 5
    _sums_agree()
    _assert_stored_is_live(world.organisation, limits=(500,))
    out = StringIO()
    call_command("waiting_revalue", stdout=out)
    assert "27 waiting activities valued" in out.getvalue()
    _sums_agree()


def test_the_queue_values_only_its_own_organisations_pending_rows(mixed):  # noqa: F811
    world, _clients = mixed
    other = OrganisationFactory()
    assert waiting_value_missing(organisation=other) == 0
    assert WaitingValuation.objects.filter(pending=True).count() == 27
    assert waiting_value_missing(organisation=world.organisation) == 27
    assert waiting_value_missing(organisation=world.organisation) == 0


def test_a_pending_row_under_the_wrong_organisation_goes_to_its_clients(mixed):  # noqa: F811
    """A row marked pending under an organisation that is not its client's (a change made
    outside the services) is handed to the client's organisation, not lost."""
    world, clients = mixed
    zwolle = clients[-1]
    unfunded_queue(organisation=world.organisation)
    other = OrganisationFactory()
    rows = WaitingValuation.objects.filter(activity__trajectory__client=zwolle)
    rows.update(organisation=other, pending=True)
    assert waiting_value_missing(organisation=other) == 0  # none of them is its care
    assert set(rows.values_list("organisation_id", "pending")) == {(world.organisation.pk, True)}
    assert unfunded_queue(organisation=world.organisation).count == 27
    assert unfunded_queue(organisation=other).count == 0
    _sums_agree()
