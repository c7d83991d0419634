"""The comparison prices GGZ treatment from the 18th birthday as the insurer pays it: the
zorgprestatiemodel's prestaties derived from the sessions, not a price per minute.

Source: zorgprestatiemodel.atlassian.net, "Prestaties" (version 1.03, after NZa beleidsregel
"Prestaties en tarieven ggz en fz", BR/REG-22137b): a NZa prestatie is the only title to
declare care; for prestaties with a maximum tariff a provider and an insurer may agree a price
up to 10 % above it, only in a written contract; the prestaties come back as declaration lines
of the declaration to the insurer (EI standard, through VECOZO). Without a contract the
prestatie is priced at the maximum tariff (docs/zvw.md, "Tariffs and contracts"). The
Jeugdwet pays GGZ treatment until the day before the 18th birthday (Jeugdwet art. 1.1 and 1.2
lid 1; docs/funding.md).
"""

import datetime

from apps.clients.models import HealthInsurance
from apps.funding.models import SplitRule
from apps.pools.selectors import pool_comparison
from apps.zvw.models import Profession
from apps.zvw.services import contract_tariff_set, insurer_contract_create, max_tariff_set
from tests.funding.builders import MINUTE, log, product
from tests.zvw.factories import practitioner

D = datetime.date
TREATMENT_45 = "consult:behandeling:gz_psycholoog:45"
DIAGNOSTICS_15 = "consult:diagnostiek:gz_psycholoog:15"


def _world(make_pool):
    world = make_pool(price_cents=300_000, split_rule=SplitRule.FIXED)
    world.part(world.utrecht, 1000)
    # The regular route before the birthday: Utrecht's Jeugdwet contract, EUR 1.85 a minute.
    product(world.organisation, funder=world.utrecht, unit=MINUTE, tariff_cents=185)
    # An insurer's price per minute, as the demo had it: the comparison must not use it.
    product(world.organisation, "zvw-ggz", funder=world.insurer, unit=MINUTE, tariff_cents=999)
    manager = world.manager
    max_tariff_set(year=2025, prestatie=TREATMENT_45, code="DEMO-CB45", cents=19_800, actor=manager)
    max_tariff_set(
        year=2025, prestatie=DIAGNOSTICS_15, code="DEMO-CD15", cents=9_000, actor=manager
    )
    contract = insurer_contract_create(
        organisation=world.organisation, uzovi="3311", year=2025, reference="ZM-25", actor=manager
    )
    # The agreed tariff of the treatment consult; the diagnostic one has none: maximum tariff.
    contract_tariff_set(contract=contract, prestatie=TREATMENT_45, cents=20_000, actor=manager)
    # The client turns 18 on 15 June 2025, insured with Zorgverzekeraar Midden (3311).
    trajectory = world.enrolled(start=D(2025, 6, 1), date_of_birth=D(2007, 6, 15))
    HealthInsurance.objects.create(client=trajectory.client, uzovi="3311", start=D(2025, 1, 1))
    psychologist = practitioner(world.organisation, Profession.GZ_PSYCHOLOOG)
    return world, trajectory, psychologist


def test_a_client_turning_18_mid_month_is_priced_by_the_municipality_then_by_prestaties(
    make_pool,
):
    world, trajectory, psychologist = _world(make_pool)
    log(trajectory, D(2025, 6, 2), minutes=60, actor=psychologist)  # Jeugdwet
    log(trajectory, D(2025, 6, 14), minutes=45, actor=psychologist)  # the day before: Jeugdwet
    log(trajectory, D(2025, 6, 15), minutes=47, actor=psychologist)  # the birthday: Zvw
    log(trajectory, D(2025, 6, 20), minutes=20, actor=psychologist, kind="diagnostics")

    comparison = pool_comparison(pool=world.pool, until=D(2025, 6, 30))

    # Before the birthday: 105 minutes at Utrecht's EUR 1.85, one line of June. From it: a
    # treatment consult from 45 minutes at the contract tariff (EUR 200.00) and a diagnostic
    # consult from 15 minutes at the maximum tariff (EUR 90.00), never the EUR 9.99 a minute.
    assert comparison.regular_cents == 105 * 185 + 20_000 + 9_000
    assert comparison.activities == 4
    # One allocation (Utrecht's); the Zvw needs none. One declaration to Utrecht and one to
    # the insurer for June: Utrecht's one line, the insurer's two prestaties.
    assert (comparison.allocations, comparison.requests) == (1, 1)
    assert (comparison.declarations, comparison.declaration_lines) == (2, 3)
    # Only the Jeugdwet care could have waited for an allocation.
    assert (comparison.without_waiting, comparison.days_without_waiting) == (2, 2)
    assert comparison.no_regular_route == 0
    assert {funder.name for funder in comparison.regular_funders} == {
        "Gemeente Utrecht",
        "Zorgverzekeraar Midden",
    }


def test_a_prestatie_without_a_tariff_has_no_regular_price(make_pool):
    world, trajectory, psychologist = _world(make_pool)
    # 20 minutes of treatment: the consult from 15 minutes, for which no tariff is recorded.
    log(trajectory, D(2025, 6, 16), minutes=20, actor=psychologist)
    # A worker without a listed profession registers no consult: nothing to pay on that route.
    log(trajectory, D(2025, 6, 17), minutes=50)

    comparison = pool_comparison(pool=world.pool, until=D(2025, 6, 30))

    assert comparison.no_regular_route == 1
    assert comparison.regular_cents == 0
    assert (comparison.declarations, comparison.declaration_lines) == (0, 0)
