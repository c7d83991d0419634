"""Each figure that says an allocation needs attention is defined once (apps/funding/figures.py),
in SQL for the manager's overview and in Python for the alerts and "my clients". On generated
allocations and care, the two forms must give the same answer for every allocation."""

import datetime
import random

import pytest

from apps.control.alerts import funding_alerts_refresh
from apps.funding.figures import (
    ENDS_SOON_DAYS,
    MOSTLY_USED_PERCENT,
    current_q,
    ends_soon,
    is_current,
    mostly_used,
)
from apps.funding.models import AlertKind, Allocation, AllocationStatus, Frequency, FundingAlert
from apps.trajectories.use import allocation_use
from tests.accounts.factories import OrganisationFactory
from tests.funding.builders import current_with_use, log, product, register, trajectory_of

D = datetime.date
TODAY = D(2025, 6, 11)  # a Wednesday, mid-month


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def generated(organisation):
    """Twelve clients, each with one allocation of 100 minutes with a random frequency and
    validity, and care drawn on it around the thresholds: the same seed gives the same data."""
    rng = random.Random(2026)  # noqa: S311 - synthetic data, not cryptography
    care = product(organisation, unit="01", tariff_cents=100)  # per minute
    # What is used of a volume of 100 minutes: around the threshold, where a wrong definition
    # would show; then random care on top for a few.
    for i, used in enumerate([0, 45, 70, 75, 79, 80, 81, 100, 0, 30, 60, 90]):
        trajectory = trajectory_of(organisation)
        frequency = [Frequency.TOTAL, Frequency.PER_WEEK, Frequency.PER_MONTH][i % 3]
        end = TODAY + datetime.timedelta(days=rng.choice([0, 1, 29, 30, 31, 90]))
        register(
            trajectory.client,
            care,
            trajectory.lead_caseworker,
            volume=100,
            frequency=frequency,
            start=D(2025, 5, 1),
            end=end,
        )
        if used:
            log(trajectory, TODAY, minutes=used)
        if i >= 8:
            for _ in range(rng.randint(1, 4)):
                day = TODAY - datetime.timedelta(days=rng.randint(0, 20))
                log(trajectory, day, minutes=rng.choice([5, 10, 15]))
        if i % 5 == 4:  # a few that are no longer current
            Allocation.objects.filter(client=trajectory.client).update(
                status=AllocationStatus.WITHDRAWN
            )  # history is not the point here
    return organisation


def test_the_thresholds_are_the_published_ones():
    assert (MOSTLY_USED_PERCENT, ENDS_SOON_DAYS) == (80, 30)
    assert mostly_used(used=80, capacity=100)
    assert not mostly_used(used=79, capacity=100)
    assert mostly_used(used=4, capacity=5)  # exactly 80%, no rounding error
    assert not mostly_used(used=0, capacity=0)
    assert ends_soon(end=TODAY + datetime.timedelta(days=30), today=TODAY)
    assert not ends_soon(end=TODAY + datetime.timedelta(days=31), today=TODAY)
    assert not ends_soon(end=None, today=TODAY)


def test_current_in_sql_and_in_python_agree(generated):
    in_sql = set(Allocation.objects.filter(current_q(TODAY)).values_list("pk", flat=True))
    in_python = {
        a.pk
        for a in Allocation.objects.all()
        if is_current(status=a.status, end=a.end, today=TODAY)
    }
    assert in_sql == in_python
    assert 0 < len(in_sql) < Allocation.objects.count()


def test_the_overview_flags_agree_with_the_python_figures(generated):
    rows = current_with_use(generated, TODAY)
    uses = allocation_use(allocations=rows, today=TODAY)
    assert rows
    for row in rows:
        use = uses[row.pk]
        assert row.used == use.used
        assert row.mostly_used == mostly_used(used=use.used, capacity=use.capacity), row.number
        assert row.ends_soon == ends_soon(end=row.end, today=TODAY), row.number
    assert any(row.mostly_used for row in rows)
    assert any(not row.mostly_used for row in rows)
    assert any(row.ends_soon for row in rows)


def test_the_alerts_raise_80_percent_exactly_where_the_use_says_so(generated):
    funding_alerts_refresh(today=TODAY)
    alerted = set(
        FundingAlert.objects.filter(kind=AlertKind.ALLOCATION_80).values_list(
            "allocation_id", flat=True
        )
    )
    current = list(Allocation.objects.filter(current_q(TODAY), start__lte=TODAY))
    expected = {
        pk
        for pk, use in allocation_use(allocations=current, today=TODAY).items()
        if use.mostly_used
    }
    assert expected <= alerted  # "used up for waiting care" may add a few more
    assert expected
