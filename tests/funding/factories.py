import datetime

import factory
from factory.django import DjangoModelFactory

from apps.core.domains import KINDS_BY_DOMAIN, NOT_CHARGEABLE_KINDS, ActivityKind
from apps.funding.models import (
    PRESENCE_KINDS_BY_UNIT,
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


def kinds_paid_by(*, stream: FundingStream, unit: str, is_guidance: bool) -> list[str]:
    """The activity kinds a product pays for unless a test says: what it is (the rule the
    migration gave existing products): a stay pays for nights, a day part for day activities,
    guidance for guidance and personal care, anything else for its stream's treatment."""
    paid = [
        kind
        for domain in stream.domains
        for kind in KINDS_BY_DOMAIN.get(domain, ())
        if stream.pays_for(domain=domain, kind=kind) and kind not in NOT_CHARGEABLE_KINDS
    ]
    if unit == Unit.DAY_24H:
        return [ActivityKind.RESIDENTIAL_STAY]
    if unit == Unit.DAY_PART:
        day_parts = PRESENCE_KINDS_BY_UNIT[Unit.DAY_PART]
        return [kind for kind in paid if kind in day_parts] or [ActivityKind.DAY_ACTIVITY]
    support = [ActivityKind.GUIDANCE, ActivityKind.PERSONAL_CARE]
    if is_guidance:
        return support
    presence = {ActivityKind.DAY_ACTIVITY, ActivityKind.RESIDENTIAL_STAY}
    treatment = [kind for kind in paid if kind not in presence and kind not in support]
    return treatment or [kind for kind in paid if kind not in presence]


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product

    contract = factory.SubFactory(ContractFactory)
    category = "45"
    code = factory.Sequence(lambda n: f"45A{n:02d}")
    description = "Ambulante behandeling"
    unit = Unit.MINUTE
    tariff_cents = 175  # EUR 1.75 a minute
    activity_kinds = factory.LazyAttribute(
        lambda product: kinds_paid_by(
            stream=product.contract.stream, unit=product.unit, is_guidance=product.is_guidance
        )
    )
    is_guidance = False


class AllocationFactory(DjangoModelFactory[Allocation]):
    """An allocation straight in the database; tests of the rules use allocation_register."""

    class Meta:
        model = Allocation

    client = factory.SubFactory(ClientFactory)
    product = factory.SubFactory(
        ProductFactory, contract__organisation=factory.SelfAttribute("...client.organisation")
    )
    contract = factory.SelfAttribute("product.contract")
    funder = factory.SelfAttribute("product.contract.funder")
    number = factory.Sequence(lambda n: f"TW{n:06d}")
    volume = 600
    unit = factory.SelfAttribute("product.unit")
    frequency = Frequency.TOTAL
    start = datetime.date(2025, 1, 1)
    end = datetime.date(2025, 12, 31)
