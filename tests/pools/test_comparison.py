"""The pool beside the regular route, as a worked example: what the same care would have cost
at the responsible funder's own contract, and the paperwork that route would have taken."""

import datetime

from apps.funding.models import SplitRule
from apps.pools.selectors import pool_comparison, pool_use
from tests.funding.builders import MINUTE, log, product

D = datetime.date


def test_the_comparison_counts_the_regular_routes_cost_and_paperwork(make_pool):
    world = make_pool(price_cents=300_000, split_rule=SplitRule.FIXED, assumed_rejection_percent=25)
    # Utrecht's own Jeugdwet contract prices the regular route: EUR 1.85 a minute.
    product(world.organisation, funder=world.utrecht, unit=MINUTE, tariff_cents=185)
    world.part(world.utrecht, 1000)
    trajectory = world.enrolled(start=D(2025, 3, 1))
    for day, minutes in [
        (D(2025, 3, 3), 60),
        (D(2025, 3, 10), 60),
        (D(2025, 4, 7), 30),
        (D(2025, 4, 7), 30),
    ]:
        log(trajectory, day, minutes=minutes)

    comparison = pool_comparison(pool=world.pool, until=D(2025, 4, 30))

    # The pool: two months of EUR 3,000. The regular route: 120 minutes in March and 60 in
    # April at EUR 1.85, billed per client, product and month.
    assert comparison.pool_cents == 600_000
    assert comparison.regular_cents == 120 * 185 + 60 * 185
    assert comparison.difference_cents == 33_300 - 600_000
    assert comparison.activities == 4
    # One allocation (one client, one product), asked for once; two monthly declarations of
    # one line each; 25 % of two lines rejected is half a line: one, rounded half up.
    assert (comparison.allocations, comparison.requests) == (1, 1)
    assert (comparison.declarations, comparison.declaration_lines) == (2, 2)
    assert comparison.rejections == 1
    # No allocation was ever registered: three days of care went ahead without waiting.
    assert comparison.days_without_waiting == 3
    assert comparison.without_waiting == 4
    assert [funder.name for funder in comparison.regular_funders] == ["Gemeente Utrecht"]


def test_the_forecast_of_a_monthly_price_is_every_planned_month(make_pool):
    world = make_pool(price_cents=300_000, budget_cents=3_000_000)
    world.part(world.utrecht, 1000)
    world.enrolled(start=D(2025, 1, 1))

    use = pool_use(pool=world.pool, today=D(2025, 3, 15))

    # Charged: January to March (the month begun counts); planned: all of 2025.
    assert use.used_cents == 900_000
    assert use.forecast_cents == 3_600_000
    assert use.forecast_over_cents == 600_000
