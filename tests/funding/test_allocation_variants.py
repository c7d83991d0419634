"""Allocation variants: specific, aspecific and generic, through the services.

Sources (iJw 3.2, Zorginstituut Nederland; read in the copies of the iJw documentation in the
public repository i-Sociaal-Lab/jaapjunior, "Procesbeschrijving iJw" and the invulinstructies):

- Procesbeschrijving 3.1.1 (inspanningsgericht): "De toewijzing kan specifiek, aspecifiek of
  generiek zijn. Bij een specifieke toewijzing is in de toewijzing opgenomen welk product er
  moet worden geleverd, wat het volume in tijdseenheden is en met welke frequentie ... Bij een
  aspecifieke toewijzing is het aan de aanbieder te bepalen welke van de gecontracteerde
  producten binnen de categorie worden ingezet. Daarbij wordt geen volume of frequentie
  aangegeven, maar kan met een budget worden aangegeven hoeveel er maximaal in de betreffende
  periode besteed mag worden ... Bij een generieke toewijzing zijn zowel productcategorie als
  productcode leeg, en wordt alleen het maximum bedrag in het budget aangegeven".
- Procesbeschrijving 3.3 (Toewijzen): aspecifiek "alleen een productcategorie", specifiek "ook
  een specifieke productcode", generiek "geen productcategorie en ook geen productcode ...
  maar alleen een budget".
- IV075: "Bij het aanvragen van een specifieke toewijzing moet zowel de productcategorie als de
  productcode gevuld worden. Bij het aanvragen van aspecifieke toewijzingen moet alleen de
  productcategorie gevuld zijn. Bij het aanvragen van generieke toewijzingen is het product
  leeg".
- IV066 (see test_allocation_changes.py): "het budget kan worden aangepast", with a JZ002
  reason. Procesbeschrijving 3.3.1 lists "Wijzigen van het budget" among the changes.
- JZ020 category 55, "Landelijk ingekochte zorg" (national functions), bought aspecifically.
- No source gives a worked example of an aspecific budget drawn by several products; the
  example below is ours. The value of an activity is units x tariff rounded half up to cents,
  as amount_cents (IV042 whole cents per line); which product prices it within the category is
  the provider's choice in the standard: we take the cheapest that fits.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from apps.funding.models import (
    Allocation,
    AllocationVariant,
    ChangeReason,
    Frequency,
    Unit,
)
from apps.funding.reasons import refusal_text
from apps.reports.selectors import report_figures
from apps.trajectories.allocations import allocation_replace
from apps.trajectories.assignment import allocation_change, allocation_register
from apps.trajectories.models import Activity
from apps.trajectories.services import activity_log
from tests.funding.factories import ContractFactory, ProductFactory, stream

D = datetime.date
ASPECIFIC, GENERIC = AllocationVariant.ASPECIFIC, AllocationVariant.GENERIC


@pytest.fixture
def contract(trajectory):
    return ContractFactory(
        organisation=trajectory.client.organisation,
        stream=stream("jeugdwet"),
        start=D(2025, 1, 1),
        end=None,
    )


@pytest.fixture
def national(contract):
    """Two category-55 products (national functions) and one of category 45."""
    treatment = ProductFactory(
        contract=contract,
        category="55",
        code="55A01",
        unit=Unit.HOUR,
        tariff_cents=12_000,
        activity_kinds=["treatment_session"],
    )
    crisis = ProductFactory(
        contract=contract,
        category="55",
        code="55A02",
        unit=Unit.MINUTE,
        tariff_cents=333,
        activity_kinds=["crisis_contact"],
    )
    guidance = ProductFactory(
        contract=contract,
        category="45",
        code="45A12",
        unit=Unit.HOUR,
        tariff_cents=6_000,
        activity_kinds=["family_session"],
    )
    return treatment, crisis, guidance


def _register(trajectory, actor, contract, **values):
    allocation, _matched = allocation_register(
        client=trajectory.client,
        product=None,
        number=values.pop("number", "TW-55"),
        volume=values.pop("volume", None),
        frequency=None,
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
        actor=actor,
        contract=contract,
        **values,
    )
    return allocation


def _log(trajectory, actor, day, kind="treatment_session", minutes=60):
    return activity_log(
        trajectory=trajectory,
        domain="care",
        kind=kind,
        date=day,
        duration_minutes=minutes,
        performed_by=actor,
        actor=actor,
    )


def _fresh(activity):
    return Activity.objects.get(pk=activity.pk)


def test_an_aspecific_category_55_budget_is_drawn_by_two_products_and_never_overdrawn(
    trajectory, caseworker, contract, national
):
    treatment, crisis, _guidance = national
    allocation = _register(
        trajectory, caseworker, contract, variant=ASPECIFIC, category="55", budget_cents=30_000
    )
    assert (allocation.unit, allocation.frequency, allocation.volume) == (
        Unit.EURO,
        Frequency.TOTAL,
        None,
    )
    session = _fresh(_log(trajectory, caseworker, D(2025, 3, 3), minutes=90))  # 1.5 h x 120
    contact = _fresh(_log(trajectory, caseworker, D(2025, 3, 4), "crisis_contact", minutes=25))
    assert (session.allocation, session.priced_product, session.consumed) == (
        allocation,
        treatment,
        18_000,
    )
    # 25 minutes x € 3.33 = € 83.25
    assert (contact.allocation, contact.priced_product, contact.consumed) == (
        allocation,
        crisis,
        8_325,
    )
    third = _fresh(_log(trajectory, caseworker, D(2025, 3, 5), minutes=60))
    assert third.funding_status == "unfunded"
    assert third.allocation is None
    assert third.priced_product is None
    refusal = next(r for r in third.funding_reason["refusals"] if r["code"] == "budget_used")
    assert (refusal["left"], refusal["needed"]) == (30_000 - 18_000 - 8_325, 12_000)
    # The category rule holds without and with budget: family sessions are category 45.
    family = _fresh(_log(trajectory, caseworker, D(2025, 3, 6), "family_session"))
    assert family.funding_status == "unfunded"
    with translation.override("en"):
        assert refusal_text(refusal) == (
            "allocation TW-55 has € 36.75 left of its budget of € 300.00; this activity, "
            "priced by product 55A01 Ambulante behandeling, costs € 120.00"
        )


def test_the_budget_changes_as_iv066_allows_and_the_waiting_care_is_paid(
    trajectory, caseworker, contract, national
):
    allocation = _register(
        trajectory, caseworker, contract, variant=ASPECIFIC, category="55", budget_cents=15_000
    )
    first = _log(trajectory, caseworker, D(2025, 3, 3))
    second = _log(trajectory, caseworker, D(2025, 3, 4))
    assert _fresh(second).funding_status == "unfunded"
    allocation_change(
        allocation=allocation,
        actor=caseworker,
        reason=ChangeReason.EXTENDED,
        budget_cents=24_000,
    )
    assert _fresh(first).allocation == _fresh(second).allocation == allocation
    allocation.refresh_from_db()
    assert (allocation.budget_cents, allocation.change_reason) == (24_000, "04")
    assert allocation.history.first().budget_cents == 24_000
    with pytest.raises(ValidationError) as raised:
        allocation_change(
            allocation=allocation, actor=caseworker, reason=ChangeReason.EXTENDED, volume=10
        )
    assert "volume" in raised.value.message_dict


def test_a_generic_budget_is_priced_by_any_product_of_its_contract(
    trajectory, caseworker, contract, national
):
    _treatment, _crisis, guidance = national
    allocation = _register(trajectory, caseworker, contract, variant=GENERIC, budget_cents=6_000)
    family = _fresh(_log(trajectory, caseworker, D(2025, 3, 3), "family_session", minutes=60))
    assert (family.allocation, family.priced_product, family.consumed) == (
        allocation,
        guidance,
        6_000,
    )
    more = _fresh(_log(trajectory, caseworker, D(2025, 3, 4), "family_session", minutes=1))
    assert more.funding_status == "unfunded"
    # Replacing keeps the variant; the new one carries a new budget.
    new, _matched = allocation_replace(
        allocation=allocation,
        actor=caseworker,
        reason=ChangeReason.EXTENDED,
        number="TW-56",
        volume=None,
        frequency=None,
        start=D(2025, 3, 4),
        end=D(2025, 12, 31),
        budget_cents=10_000,
    )
    assert (new.variant, new.budget_cents, new.product) == (GENERIC, 10_000, None)
    assert _fresh(more).allocation == new
    assert _fresh(more).consumed == 100


def test_an_aspecific_allocation_without_a_budget_has_no_limit_but_keeps_its_category(
    trajectory, caseworker, contract, national
):
    allocation = _register(trajectory, caseworker, contract, variant=ASPECIFIC, category="55")
    assert allocation.capacity is None
    sessions = [
        _fresh(_log(trajectory, caseworker, D(2025, 3, day), minutes=600)) for day in (3, 4)
    ]
    assert all(session.allocation == allocation for session in sessions)
    assert sessions[0].consumed == 120_000
    family = _fresh(_log(trajectory, caseworker, D(2025, 3, 5), "family_session"))
    refusal = next(r for r in family.funding_reason["refusals"] if r["number"] == "TW-55")
    assert refusal["code"] == "variant_no_product"
    assert refusal["category"] == "55"
    with translation.override("en"):
        assert "no product of category 55" in refusal_text(refusal)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"variant": ASPECIFIC}, "category"),
        ({"variant": ASPECIFIC, "category": "99"}, "category"),
        ({"variant": ASPECIFIC, "category": "43"}, "category"),  # no 43 product on the contract
        ({"variant": ASPECIFIC, "category": "55", "volume": 10}, "volume"),
        ({"variant": GENERIC}, "budget_cents"),
        ({"variant": GENERIC, "budget_cents": 100, "category": "55"}, "category"),
        ({"variant": GENERIC, "budget_cents": 0}, "budget_cents"),
        ({"variant": AllocationVariant.SPECIFIC, "budget_cents": 100}, "product"),
    ],
)
def test_each_variant_says_what_may_and_must_be_given(
    trajectory, caseworker, contract, national, values, field
):
    with pytest.raises(ValidationError) as raised:
        _register(trajectory, caseworker, contract, **values)
    assert field in raised.value.message_dict
    assert not Allocation.objects.exists()


def test_a_specific_allocation_has_no_budget(trajectory, caseworker, contract, national):
    with pytest.raises(ValidationError) as raised:
        allocation_register(
            client=trajectory.client,
            product=national[0],
            number="TW-1",
            volume=10,
            frequency=Frequency.TOTAL,
            start=D(2025, 1, 1),
            end=D(2025, 12, 31),
            actor=caseworker,
            budget_cents=100,
        )
    assert "budget_cents" in raised.value.message_dict


def test_the_database_refuses_a_variant_filled_otherwise(
    trajectory, caseworker, contract, national
):
    allocation = _register(trajectory, caseworker, contract, variant=GENERIC, budget_cents=500)
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.filter(pk=allocation.pk).update(budget_cents=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.filter(pk=allocation.pk).update(product=national[0])


def test_the_funders_report_lists_what_each_product_priced_on_the_budget(
    trajectory, caseworker, contract, national
):
    _register(
        trajectory, caseworker, contract, variant=ASPECIFIC, category="55", budget_cents=30_000
    )
    _log(trajectory, caseworker, D(2025, 3, 3), minutes=90)
    _log(trajectory, caseworker, D(2025, 3, 4), "crisis_contact", minutes=25)
    with translation.override("en"):  # the report is written in the language of its run
        figures = report_figures(
            organisation=trajectory.client.organisation,
            funder=contract.funder,
            period_start=D(2025, 3, 1),
            period_end=D(2025, 3, 31),
        )
        blocks = [
            (block.number, block.product_code, block.units, block.amount_cents, block.variant)
            for block in figures.allocations
        ]
    variant = "Aspecific · product category 55 · budget € 300.00 over the validity"
    assert blocks == [
        ("TW-55", "55A01", Decimal("1.5"), 18_000, variant),
        ("TW-55", "55A02", Decimal(25), 8_325, variant),
    ]
    assert sum(line.amount_cents for line in figures.summary) == 26_325
