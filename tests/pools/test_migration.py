"""The data migration that turns the integral pilots of before into pools (pools 0002): each
gets its contract's funder as its only funder, with the whole share and the budget as its
contribution; run twice, it adds nothing."""

import importlib

from django.apps import apps

from apps.pools.models import PoolFunder
from tests.funding.builders import IntegralPilotFactory

pilots_become_pools = importlib.import_module(
    "apps.pools.migrations.0002_existing_pilots_become_pools"
).pilots_become_pools


def test_an_existing_pilot_becomes_a_pool_of_its_contracts_funder(db):
    pilot = IntegralPilotFactory(budget_cents=15_000_000)

    pilots_become_pools(apps, None)
    pilots_become_pools(apps, None)

    part = PoolFunder.objects.get(pool=pilot)
    assert part.funder == pilot.contract.funder
    assert (part.stream, part.share_permille, part.contribution_cents) == (None, 1000, 15_000_000)
    # Its defaults keep the pilot's meaning: per activity at the contract's tariffs, fixed.
    pilot.refresh_from_db()
    assert (pilot.pricing, pilot.split_rule, pilot.price_cents) == ("tariff", "fixed", None)
