"""Edge cases of a pooled budget's money: the parts always add up to the charge, a month
with a 29 February, a client born on 29 February, a client enrolled and leaving in the same
month, a cost no funder pays for at the client's age, the ledger up to a day computed from
the whole ledger, and a share total above the whole refused.

The age edges are the funding streams' own (fixtures/reference/funding_streams.json): the
Jeugdwet pays until the 18th birthday (Jeugdwet art. 1.1), GGZ under the Zvw from it. A
birthday on 29 February falls on 1 March in a year without one (apps.clients.models.Client
.birthday, as the Burgerlijk Wetboek counts a term in years, art. 1:2 BW on age in whole
years).
"""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError

from apps.funding.models import PilotEnrolment, SplitRule
from apps.pools.ledger import pool_ledger, split_cents
from apps.pools.models import PoolFunder
from apps.pools.selectors import pool_settlement
from apps.pools.services import pool_exit
from tests.funding.factories import stream

D = datetime.date


def _shares(ledger, month):
    return {
        share.funder.name: share.cents
        for (_funder, share_month), share in ledger.shares.items()
        if share_month == month
    }


@pytest.mark.parametrize("total", [0, 1, 2, 99, 100, 10_001, 999_999])
def test_split_cents_always_adds_up_to_the_whole(total):
    for weights in itertools.product([0, 1, 3, 333, 600, 1000], repeat=3):
        parts = split_cents(total, dict(zip("abc", weights, strict=True)))
        if any(weights) and total:
            assert sum(parts.values()) == total
            assert all(cents >= 0 for cents in parts.values())
        else:
            assert parts == {}


def test_the_largest_remainder_gets_the_cent_left_over():
    # 100 cents by 1:2 is 33.33 and 66.67: the larger remainder (0.67) gets the cent.
    assert split_cents(100, {"a": 1, "b": 2}) == {"a": 33, "b": 67}
    # 101 by three equal weights: 33.67 each; the first two in order get a cent.
    assert split_cents(101, {"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 34, "c": 33}


def test_a_february_with_29_days_is_charged_pro_rata_of_its_29_days(make_pool):
    world = make_pool(price_cents=290_000, start=D(2028, 1, 1), end=D(2028, 12, 31))
    world.part(world.utrecht, 1000)
    world.enrolled(start=D(2028, 2, 15))

    ledger = pool_ledger(pool=world.pool, until=D(2028, 2, 29))

    # 15 of February 2028's 29 days (15 to 29) of EUR 2,900: EUR 1,500.00.
    assert _shares(ledger, D(2028, 2, 1)) == {"Gemeente Utrecht": 150_000}


def test_a_client_born_on_29_february_turns_18_on_1_march_in_a_year_without_one(make_pool):
    world = make_pool(
        price_cents=280_000,
        split_rule=SplitRule.FIXED,
        start=D(2026, 1, 1),
        end=D(2026, 12, 31),
    )
    world.part(world.utrecht, 1000, stream_code="jeugdwet")
    world.part(world.insurer, 1000, stream_code="zvw-ggz")
    world.enrolled(start=D(2026, 2, 1), date_of_birth=D(2008, 2, 29))

    ledger = pool_ledger(pool=world.pool, until=D(2026, 3, 31))

    # 2026 has no 29 February: the 18th birthday is 1 March, so February is wholly the
    # municipality's and March wholly the insurer's.
    assert _shares(ledger, D(2026, 2, 1)) == {"Gemeente Utrecht": 280_000}
    assert _shares(ledger, D(2026, 3, 1)) == {"Zorgverzekeraar Midden": 280_000}


def test_a_client_enrolled_and_leaving_in_the_same_month(make_pool):
    world = make_pool(price_cents=310_000, split_rule=SplitRule.FIXED)
    world.part(world.utrecht, 600)
    world.part(world.swv, 400)
    trajectory = world.enrolled(start=D(2025, 3, 10))
    pool_exit(
        enrolment=PilotEnrolment.objects.get(client=trajectory.client),
        end=D(2025, 3, 20),
        actor=world.manager,
    )

    ledger = pool_ledger(pool=world.pool)

    # 11 of March's 31 days of EUR 3,100: EUR 1,100, 60 / 40; nothing after March.
    assert _shares(ledger, D(2025, 3, 1)) == {"Gemeente Utrecht": 66_000, "SWV VO Utrecht": 44_000}
    assert ledger.months() == [D(2025, 3, 1)]
    assert ledger.total_cents == 110_000


def test_no_funder_paying_at_the_clients_age_leaves_the_cost_unattributed(make_pool):
    world = make_pool(price_cents=300_000, split_rule=SplitRule.FIXED)
    world.part(world.utrecht, 1000, stream_code="jeugdwet")  # pays until the 18th birthday
    world.enrolled(start=D(2025, 1, 1), date_of_birth=D(2000, 1, 1))  # 25: no one pays

    ledger = pool_ledger(pool=world.pool, until=D(2025, 1, 31))
    settlement = pool_settlement(pool=world.pool, year=2025)

    assert ledger.shares == {}
    assert ledger.unattributed == {D(2025, 1, 1): 300_000}
    assert settlement.unattributed_cents == 12 * 300_000
    assert settlement.owed_cents == 0


def test_the_ledger_up_to_a_day_is_the_ledger_computed_up_to_it(make_pool):
    world = make_pool(price_cents=300_000, split_rule=SplitRule.FIXED)
    world.part(world.utrecht, 1000, stream_code="jeugdwet")
    world.part(world.insurer, 1000, stream_code="zvw-ggz")
    world.enrolled(start=D(2025, 3, 17), date_of_birth=D(2007, 6, 15))

    whole = pool_ledger(pool=world.pool)
    for day in (D(2025, 3, 16), D(2025, 3, 17), D(2025, 6, 14), D(2025, 6, 15), D(2025, 12, 31)):
        derived, computed = whole.up_to(day), pool_ledger(pool=world.pool, until=day)
        assert [(c.month, c.first, c.cents) for c in derived.charges] == [
            (c.month, c.first, c.cents) for c in computed.charges
        ]
        assert {key: share.cents for key, share in derived.shares.items()} == {
            key: share.cents for key, share in computed.shares.items()
        }


def test_shares_above_the_whole_at_one_age_are_refused(make_pool):
    world = make_pool(split_rule=SplitRule.FIXED)
    world.part(world.utrecht, 600, stream_code="jeugdwet")
    world.part(world.insurer, 600, stream_code="zvw-ggz")  # another age: 600 + 600 is fine

    fits = PoolFunder(pool=world.pool, funder=world.swv, share_permille=400)
    fits.full_clean()
    too_much = PoolFunder(pool=world.pool, funder=world.swv, share_permille=401)
    with pytest.raises(ValidationError) as refused:
        too_much.full_clean()
    assert "share_permille" in refused.value.message_dict
    adult_part = PoolFunder(
        pool=world.pool, funder=world.swv, stream=stream("zvw-ggz"), share_permille=500
    )
    with pytest.raises(ValidationError):
        adult_part.full_clean()
