"""The migrations of the allocation variants carry existing allocations over: each becomes
specific, with its product's contract (funding 0011 and 0012). Committed for real, as in
test_product_migration.py (SQLite cannot change its schema inside the test's transaction)."""

import datetime

import pytest

from apps.funding.models import Allocation
from tests.accounts.factories import OrganisationFactory
from tests.funding.builders import product, register, trajectory_of
from tests.migrating import migrate_to

# Migrating changes the schema: as the owner role where there is one (tests/conftest.py).
# A data migration of an earlier release, replayed (about a minute): `make test-deep` only.
pytestmark = [
    pytest.mark.deep,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("as_schema_owner"),
]
BEFORE = [
    ("funding", "0010_funder_code_school_board"),
    ("trajectories", "0007_education_not_priced_per_activity"),
]


def test_existing_allocations_become_specific_with_their_products_contract():
    organisation = OrganisationFactory()
    trajectory = trajectory_of(organisation, date_of_birth=datetime.date(2010, 5, 17))
    allocation = register(
        trajectory.client, product(organisation, code="45A07"), trajectory.lead_caseworker
    )
    contract_id = allocation.product.contract_id
    try:
        migrate_to(BEFORE)
        migrate_to()
    finally:
        migrate_to()
    allocation = Allocation.objects.get(pk=allocation.pk)
    assert (allocation.variant, allocation.contract_id) == ("specific", contract_id)
    assert allocation.history.first().contract_id == contract_id
