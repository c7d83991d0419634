"""Worked examples of a pooled budget: what it costs and how the split rule (verdeelsleutel)
divides it over its funders; a trajectory price with an early exit; the year-end settlement;
a client who turns 18 inside the pool.

Integral funding ("bekostiging" of the whole programme instead of per law and product) is
an agreement between the funders, not a national standard: the split rules and the price
forms are the ones the pool records (see e.g. GGD Haaglanden, "Hoe kan bekostiging helpen in
de transitie naar passende zorg?", Epibul 2025-1, on bundled and population-based payment
beside payment per service). The age edges are the funding streams' own (fixtures/reference/
funding_streams.json): the Jeugdwet pays until the 18th birthday (Jeugdwet art. 1.1, a
"jeugdige" is under 18), GGZ under the Zvw from it.
"""

import datetime

import pytest

from apps.funding.models import EarlyExit, FunderKind, PilotEnrolment, PoolPricing, SplitRule
from apps.pools.ledger import half_up, pool_ledger, split_cents
from apps.pools.selectors import pool_settlement
from apps.pools.services import pool_exit, pool_payment_record
from apps.trajectories.models import Activity
from tests.clients.factories import municipality
from tests.funding.builders import MINUTE, log, product

from .conftest import funder

D = datetime.date


def _shares(ledger, month):
    return {
        share.funder.name: share.cents
        for (_funder, share_month), share in ledger.shares.items()
        if share_month == month
    }


def test_split_cents_adds_up_and_gives_the_cent_left_to_the_largest_remainder():
    assert split_cents(10_001, {"a": 500, "b": 300, "c": 200}) == {"a": 5001, "b": 3000, "c": 2000}
    assert split_cents(100, {"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert split_cents(100, {"a": 0}) == {}
    assert half_up(5, 2) == 3
    assert half_up(4, 3) == 1


def test_a_pool_of_three_funders_with_fixed_shares(make_pool):
    world = make_pool(price_cents=10_001, split_rule=SplitRule.FIXED)
    world.part(world.utrecht, 500)
    world.part(world.insurer, 300)
    world.part(world.swv, 200)
    world.enrolled(start=D(2025, 3, 1))

    ledger = pool_ledger(pool=world.pool, until=D(2025, 3, 31))

    # EUR 100.01 for March: 50 %, 30 %, 20 %; the cent left over goes to the half cent.
    assert _shares(ledger, D(2025, 3, 1)) == {
        "Gemeente Utrecht": 5001,
        "Zorgverzekeraar Midden": 3000,
        "SWV VO Utrecht": 2000,
    }
    assert ledger.total_cents == 10_001


def test_a_month_begun_later_is_charged_pro_rata_of_its_days(make_pool):
    world = make_pool(price_cents=300_000)
    world.part(world.utrecht, 1000)
    world.enrolled(start=D(2025, 3, 17))

    ledger = pool_ledger(pool=world.pool, until=D(2025, 4, 30))

    # 15 of March's 31 days of EUR 3,000: 1,451.6129 -> 1,451.61; April whole.
    assert _shares(ledger, D(2025, 3, 1)) == {"Gemeente Utrecht": 145_161}
    assert _shares(ledger, D(2025, 4, 1)) == {"Gemeente Utrecht": 300_000}


def test_a_split_per_domain(make_pool):
    world = make_pool(
        split_rule=SplitRule.DOMAIN,
        price_cents=300_000,
        domain_weights={"care": 60, "education": 25, "work": 15},
    )
    uwv = funder(FunderKind.UWV, "UWV", "UWV")
    world.part(world.utrecht, domains={"care": 1000, "work": 500})
    world.part(world.swv, domains={"education": 1000})
    world.part(uwv, domains={"work": 500})
    world.enrolled(start=D(2025, 5, 1))

    ledger = pool_ledger(pool=world.pool, until=D(2025, 5, 31))

    # Care 60 % (EUR 1,800) Utrecht; education 25 % (EUR 750) the samenwerkingsverband; work
    # 15 % (EUR 450) half Utrecht, half the UWV.
    assert _shares(ledger, D(2025, 5, 1)) == {
        "Gemeente Utrecht": 180_000 + 22_500,
        "SWV VO Utrecht": 75_000,
        "UWV": 22_500,
    }


def test_each_pays_what_it_would_have_paid_on_the_regular_route(make_pool):
    world = make_pool(pricing=PoolPricing.TARIFF, price_cents=None, split_rule=SplitRule.REGULAR)
    amersfoort = funder(FunderKind.MUNICIPALITY, "0307", "Gemeente Amersfoort")
    # Each municipality's own Jeugdwet contract prices the regular route of its own clients
    # (woonplaatsbeginsel): Utrecht at EUR 1.85 a minute, Amersfoort at EUR 1.60.
    product(world.organisation, funder=world.utrecht, unit=MINUTE, tariff_cents=185)
    product(world.organisation, funder=amersfoort, unit=MINUTE, tariff_cents=160)
    world.part(world.utrecht)
    world.part(amersfoort)
    in_utrecht = world.enrolled()
    in_amersfoort = world.enrolled(
        municipality=municipality("0307"), responsible_municipality=municipality("0307")
    )
    log(in_utrecht, D(2025, 3, 3), minutes=60)
    log(in_amersfoort, D(2025, 3, 4), minutes=90)

    ledger = pool_ledger(pool=world.pool)

    # The pool pays EUR 60 an hour; each municipality pays its own client's care.
    assert _shares(ledger, D(2025, 3, 1)) == {
        "Gemeente Utrecht": 6000,
        "Gemeente Amersfoort": 9000,
    }


def test_a_price_per_client_goes_by_the_regular_value_and_a_month_without_care_is_shown(
    make_pool,
):
    world = make_pool(price_cents=300_000, split_rule=SplitRule.REGULAR)
    product(world.organisation, funder=world.utrecht, unit=MINUTE, tariff_cents=185)
    world.part(world.utrecht)
    world.part(world.insurer)
    trajectory = world.enrolled(start=D(2025, 3, 1))
    log(trajectory, D(2025, 3, 3), minutes=60)

    ledger = pool_ledger(pool=world.pool, until=D(2025, 4, 30))

    assert _shares(ledger, D(2025, 3, 1)) == {"Gemeente Utrecht": 300_000}
    # No care in April: no regular route to divide by; the month is not hidden.
    assert _shares(ledger, D(2025, 4, 1)) == {}
    assert ledger.unattributed == {D(2025, 4, 1): 300_000}


@pytest.mark.parametrize(
    ("early_exit", "february", "march"),
    [
        (EarlyExit.MONTHS_BEGUN, 100_000, 100_000),
        (EarlyExit.FULL, 100_000, 1_100_000),
    ],
)
def test_a_client_who_leaves_after_two_months_of_a_trajectory_price(
    make_pool, early_exit, february, march
):
    world = make_pool(
        pricing=PoolPricing.TRAJECTORY,
        price_cents=1_200_000,
        trajectory_months=12,
        early_exit=early_exit,
    )
    world.part(world.utrecht, 1000)
    trajectory = world.enrolled(start=D(2025, 2, 1))
    after = log(trajectory, D(2025, 4, 2), minutes=60)
    assert after.funding_status == "pilot"
    assert after.pilot_cents == 0  # a price per client: the activity draws nothing itself

    pool_exit(
        enrolment=PilotEnrolment.objects.get(client=trajectory.client),
        end=D(2025, 3, 31),
        actor=world.manager,
    )

    # EUR 12,000 over 12 months is EUR 1,000 a month; the client leaves on 31 March.
    ledger = pool_ledger(pool=world.pool)
    assert [(charge.month, charge.cents) for charge in ledger.charges] == [
        (D(2025, 2, 1), february),
        (D(2025, 3, 1), march),
    ]
    # Care after the exit is no longer the pool's: it waits for an allocation again.
    after.refresh_from_db()
    assert after.funding_status == "unfunded"
    assert after.pilot_product is None


def test_a_year_end_settlement_where_one_funder_overpaid(make_pool):
    world = make_pool(price_cents=300_000, split_rule=SplitRule.FIXED)
    parts = {
        "utrecht": world.part(world.utrecht, 500),
        "insurer": world.part(world.insurer, 300),
        "swv": world.part(world.swv, 200),
    }
    world.enrolled(start=D(2025, 1, 1))
    paid = {"utrecht": 2_000_000, "insurer": 1_080_000, "swv": 600_000}
    for name, cents in paid.items():
        pool_payment_record(
            part=parts[name],
            paid_on=D(2025, 1, 15),
            amount_cents=cents,
            year=2025,
            actor=world.manager,
        )

    settlement = pool_settlement(pool=world.pool, year=2025)

    # Twelve months of EUR 3,000 is EUR 36,000: Utrecht owes 18,000, paid 20,000 and gets
    # 2,000 back; the insurer is settled; the samenwerkingsverband pays 1,200 more.
    assert {
        line.funder.name: (line.owed_cents, line.paid_cents, line.balance_cents)
        for line in settlement.lines
    } == {
        "Gemeente Utrecht": (1_800_000, 2_000_000, 200_000),
        "Zorgverzekeraar Midden": (1_080_000, 1_080_000, 0),
        "SWV VO Utrecht": (720_000, 600_000, -120_000),
    }
    assert settlement.owed_cents == 3_600_000
    assert settlement.unattributed_cents == 0


def test_a_client_who_turns_18_inside_the_pool_the_insurers_share_starts_that_day(make_pool):
    world = make_pool(price_cents=300_000, split_rule=SplitRule.FIXED)
    world.part(world.utrecht, 1000, stream_code="jeugdwet")  # until the 18th birthday
    world.part(world.insurer, 1000, stream_code="zvw-ggz")  # from the 18th birthday
    world.enrolled(start=D(2025, 6, 1), date_of_birth=D(2007, 6, 15))

    ledger = pool_ledger(pool=world.pool, until=D(2025, 6, 30))

    # June: 14 days aged 17 (1-14 June), 16 days aged 18 (from 15 June, the birthday).
    assert _shares(ledger, D(2025, 6, 1)) == {
        "Gemeente Utrecht": 140_000,
        "Zorgverzekeraar Midden": 160_000,
    }
    assert [(charge.first, charge.last) for charge in ledger.charges] == [
        (D(2025, 6, 1), D(2025, 6, 14)),
        (D(2025, 6, 15), D(2025, 6, 30)),
    ]


def test_care_on_the_day_before_the_18th_birthday_is_the_municipalitys_on_it_the_insurers(
    make_pool,
):
    world = make_pool(pricing=PoolPricing.TARIFF, price_cents=None, split_rule=SplitRule.FIXED)
    world.part(world.utrecht, 1000, stream_code="jeugdwet")
    world.part(world.insurer, 1000, stream_code="zvw-ggz")
    trajectory = world.enrolled(date_of_birth=D(2007, 6, 15))
    log(trajectory, D(2025, 6, 14), minutes=60)  # the day before
    log(trajectory, D(2025, 6, 15), minutes=30)  # the birthday

    ledger = pool_ledger(pool=world.pool)

    assert _shares(ledger, D(2025, 6, 1)) == {
        "Gemeente Utrecht": 6000,
        "Zorgverzekeraar Midden": 3000,
    }


def test_care_before_the_client_takes_part_is_not_the_pools(make_pool):
    world = make_pool(pricing=PoolPricing.TARIFF, price_cents=None)
    trajectory = world.enrolled(start=D(2025, 3, 1))

    before = log(trajectory, D(2025, 2, 28))
    on_the_day = log(trajectory, D(2025, 3, 1))

    assert before.funding_status == "unfunded"
    assert before.funding_reason["refusals"][0]["code"] == "pool_not_enrolled_on_date"
    assert (on_the_day.funding_status, on_the_day.pilot_cents) == ("pilot", 6000)


def test_a_budget_per_client_is_never_overdrawn(make_pool):
    world = make_pool(pricing=PoolPricing.CLIENT_BUDGET, price_cents=10_000)
    trajectory = world.enrolled()

    first = log(trajectory, D(2025, 3, 3), minutes=60)  # EUR 60 of the client's EUR 100
    second = log(trajectory, D(2025, 3, 4), minutes=60)  # another EUR 60: too much
    third = log(trajectory, D(2025, 3, 5), minutes=40)  # EUR 40: exactly what is left

    assert (first.funding_status, first.pilot_cents) == ("pilot", 6000)
    assert second.funding_status == "unfunded"
    assert second.funding_reason["refusals"][0]["code"] == "pool_client_budget_used"
    assert (third.funding_status, third.pilot_cents) == ("pilot", 4000)


def test_an_enrolment_outside_the_pools_period_is_refused(make_pool):
    from django.core.exceptions import ValidationError

    world = make_pool()
    with pytest.raises(ValidationError) as refused:
        world.enrolled(start=D(2026, 1, 1))
    assert "start" in refused.value.message_dict
    assert not Activity.objects.exists()
