import datetime

import factory
from factory.django import DjangoModelFactory

from apps.funding.models import (
    Allocation,
    Contract,
    ExecutionVariant,
    Frequency,
    Funder,
    FunderKind,
    FundingStream,
    Product,
    Unit,
)
from tests.accounts.factories import OrganisationFactory
from tests.clients.factories import ClientFactory


def stream(code: str) -> FundingStream:
    """A funding stream from the reference data the migration loaded."""
    return FundingStream.objects.get(code=code)


class FunderFactory(DjangoModelFactory[Funder]):
    class Meta:
        model = Funder

    # A region unless a CBS code is given: a municipality's Jeugdwet and Wmo allocations pay
    # only for the clients it is responsible for (woonplaatsbeginsel), so a test that means a
    # municipality says which one, by its CBS code.
    name = factory.Sequence(lambda n: f"Regio {n}")
    code = factory.Sequence(lambda n: f"R{n % 10000:04d}")
    kind = factory.LazyAttribute(
        lambda funder: FunderKind.MUNICIPALITY if funder.code.isdigit() else FunderKind.REGION
    )


class ContractFactory(DjangoModelFactory[Contract]):
    class Meta:
        model = Contract

    funder = factory.SubFactory(FunderFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    stream = factory.LazyFunction(lambda: stream("jeugdwet"))
    reference = factory.Sequence(lambda n: f"CONTRACT-{n}")
    start = datetime.date(2024, 1, 1)
    end = None
    execution_variant = ExecutionVariant.EFFORT


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product

    contract = factory.SubFactory(ContractFactory)
    category = "45"
    code = factory.Sequence(lambda n: f"45A{n:02d}")
    description = "Ambulante behandeling"
    unit = Unit.MINUTE
    tariff_cents = 175  # EUR 1.75 a minute


class AllocationFactory(DjangoModelFactory[Allocation]):
    """An allocation straight in the database; tests of the rules use allocation_register."""

    class Meta:
        model = Allocation

    client = factory.SubFactory(ClientFactory)
    product = factory.SubFactory(
        ProductFactory, contract__organisation=factory.SelfAttribute("...client.organisation")
    )
    funder = factory.SelfAttribute("product.contract.funder")
    number = factory.Sequence(lambda n: f"TW{n:06d}")
    volume = 600
    unit = factory.SelfAttribute("product.unit")
    frequency = Frequency.TOTAL
    start = datetime.date(2025, 1, 1)
    end = datetime.date(2025, 12, 31)
