"""The pool's invariants held by the database as well as by the forms."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.funding.models import PoolPricing
from tests.funding.builders import IntegralPilotFactory
from tests.funding.factories import ContractFactory, FunderFactory, stream
from tests.pools.factories import PoolFunderFactory


def test_a_funder_takes_part_once_per_law_and_once_without_one(db):
    pool, funder = IntegralPilotFactory(), FunderFactory()
    PoolFunderFactory(pool=pool, funder=funder)
    PoolFunderFactory(pool=pool, funder=funder, stream=stream("jeugdwet"))
    PoolFunderFactory(pool=pool, funder=funder, stream=stream("wmo"))
    for again in (None, stream("wmo")):
        with pytest.raises(IntegrityError), transaction.atomic():
            PoolFunderFactory(pool=pool, funder=funder, stream=again)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"pricing": PoolPricing.CLIENT_MONTH, "price_cents": None}, "price_cents"),
        ({"pricing": PoolPricing.TARIFF, "price_cents": 100}, "price_cents"),
        (
            {"pricing": PoolPricing.TRAJECTORY, "price_cents": 100, "trajectory_months": None},
            "trajectory_months",
        ),
        (
            {
                "pricing": PoolPricing.CLIENT_MONTH,
                "price_cents": 100,
                "domain_weights": {"care": 60, "education": 30},
            },
            "domain_weights",
        ),
        ({"assumed_rejection_percent": 101}, "assumed_rejection_percent"),
    ],
)
def test_a_pools_terms_are_checked(db, values, field):
    pool = IntegralPilotFactory.build(contract=ContractFactory(), **values)
    with pytest.raises(ValidationError) as refused:
        pool.clean()
    assert field in refused.value.message_dict
