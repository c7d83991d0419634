"""The data migration that turns the integral pilots of before into pools (pools 0002): each
gets its contract's funder as its only funder, with the whole share and the budget as its
contribution; run twice, it adds nothing."""

import datetime
import importlib

import pytest
from django.apps import apps

from apps.funding.models import PilotEnrolment
from apps.pools.models import PoolFunder
from tests.funding.builders import IntegralPilotFactory
from tests.migrating import migrate_to

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


# --- the migrations themselves, replayed (make test-deep) ----------------------------------

BEFORE = [("funding", "0013_allocation_source"), ("pools", None)]


@pytest.mark.deep
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("as_schema_owner")
def test_a_pilot_of_before_and_its_enrolment_migrate_to_a_pool():
    """Funding 0014/0015 give the enrolment the pilot's start; pools 0002 the funder."""
    from tests.clients.factories import ClientFactory
    from tests.funding.factories import ContractFactory, stream

    contract = ContractFactory(stream=stream("integraal"))
    client = ClientFactory(organisation=contract.organisation)
    try:
        old = migrate_to(BEFORE)
        OldPilot = old.get_model("funding", "IntegralPilot")
        OldEnrolment = old.get_model("funding", "PilotEnrolment")
        pilot = OldPilot.objects.create(
            contract_id=contract.pk,
            name="Pilot van voorheen",
            domains=["care", "work"],
            budget_cents=5_000_000,
            start=datetime.date(2025, 2, 1),
            end=datetime.date(2025, 12, 31),
        )
        OldEnrolment.objects.create(pilot_id=pilot.pk, client_id=client.pk)
        migrate_to()
    finally:
        migrate_to()
    enrolment = PilotEnrolment.objects.get(pilot_id=pilot.pk)
    assert (enrolment.start, enrolment.end) == (datetime.date(2025, 2, 1), None)
    part = PoolFunder.objects.get(pool_id=pilot.pk)
    assert (part.funder_id, part.share_permille, part.contribution_cents) == (
        contract.funder_id,
        1000,
        5_000_000,
    )
