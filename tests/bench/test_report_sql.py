"""The benchmark's hand-written SQL (bench/run.py) computes the report's figures, annex included,
from the rules as docs/funding.md states them: it must give the same lines as
``report_figures``, or the "within 2x of the SQL" goal compares two different things."""

import datetime

import pytest

from apps.accounts.models import Role
from apps.core.domains import ActivityKind, Domain
from apps.funding.models import Frequency, FunderKind, Unit
from apps.reports.selectors import report_figures
from apps.trajectories.assignment import allocation_register
from apps.trajectories.services import activity_log
from bench.run import HAND_WRITTEN_ANNEX_SQL, HAND_WRITTEN_SQL, report_check
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory, municipality
from tests.funding.factories import ContractFactory, FunderFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date
MARCH = (D(2025, 3, 1), D(2025, 3, 31))


@pytest.fixture
def world(postgres_only):
    """Utrecht's and Amersfoort's Jeugdwet contracts and an insurer's Zvw contract; care funded
    per minute and per hour (110 minutes at € 15.39 an hour: exactly 2,821.5 cents, half up
    2,822), and care waiting unfunded: a Utrecht child's (Utrecht's annex), an Amersfoort
    child's (Amersfoort's), and an adult's that the Zvw covers with no insurer recorded (no
    municipality's)."""
    organisation = OrganisationFactory(name="Stichting Bench")
    worker = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    funders, products = {}, {}
    for cbs_code, name in (("0344", "Gemeente Utrecht"), ("0307", "Gemeente Amersfoort")):
        funder = FunderFactory(name=name, code=cbs_code)
        assert funder.kind == FunderKind.MUNICIPALITY
        funder.streams.set([stream("jeugdwet")])
        contract = ContractFactory(
            funder=funder, organisation=organisation, stream=stream("jeugdwet")
        )
        funders[cbs_code] = funder
        products[cbs_code] = ProductFactory(
            contract=contract, code=f"45A{cbs_code[-2:]}", unit=Unit.MINUTE, tariff_cents=175
        )
        products[f"{cbs_code} hour"] = ProductFactory(
            contract=contract, code=f"46A{cbs_code[-2:]}", unit=Unit.HOUR, tariff_cents=1539
        )
    insurer = FunderFactory(name="Zorgverzekeraar", kind=FunderKind.HEALTH_INSURER, code="3311")
    insurer.streams.set([stream("zvw-ggz")])
    ProductFactory(
        contract=ContractFactory(
            funder=insurer, organisation=organisation, stream=stream("zvw-ggz")
        ),
        category="",
        code="GGZ01",
        unit=Unit.HOUR,
        tariff_cents=11950,
    )

    def trajectory(cbs_code, born):
        client = ClientFactory(
            organisation=organisation, municipality=municipality(cbs_code), date_of_birth=born
        )
        return TrajectoryFactory(client=client, lead_caseworker=worker, start=D(2025, 1, 1))

    def care(on, day, minutes=60):
        return activity_log(
            trajectory=on,
            domain=Domain.CARE,
            kind=ActivityKind.TREATMENT_SESSION,
            date=day,
            duration_minutes=minutes,
            performed_by=worker,
            actor=worker,
        )

    funded = trajectory("0344", D(2012, 6, 1))
    # The hour's allocation alone on 3 March; on 10 March the minute's, which ends first.
    for product, number, start, end in (
        (products["0344 hour"], "TW-HOUR", D(2025, 1, 1), D(2025, 12, 31)),
        (products["0344"], "TW-MIN", D(2025, 3, 8), D(2025, 4, 30)),
    ):
        allocation_register(
            client=funded.client,
            product=product,
            number=number,
            volume=6000,
            frequency=Frequency.TOTAL,
            start=start,
            end=end,
            actor=worker,
        )
    care(funded, D(2025, 3, 3), 110)
    care(funded, D(2025, 3, 10), 45)
    care(funded, D(2025, 2, 24), 50)  # before the period
    waiting = [
        care(trajectory("0344", D(2012, 6, 1)), D(2025, 3, 5)),
        care(trajectory("0344", D(2013, 1, 9)), D(2025, 3, 12), 50),
        care(trajectory("0307", D(2012, 6, 1)), D(2025, 3, 4)),
        care(trajectory("0344", D(2007, 3, 10)), D(2025, 3, 20)),  # 18 on 10 March
    ]
    assert {activity.funding_status for activity in waiting} == {"unfunded"}
    return organisation, funders


@pytest.mark.parametrize("cbs_code", ["0344", "0307"])
def test_the_hand_written_sql_gives_the_reports_lines_and_annex(world, cbs_code):
    from django.db import connection

    organisation, funders = world
    figures = report_figures(
        organisation=organisation,
        funder=funders[cbs_code],
        period_start=MARCH[0],
        period_end=MARCH[1],
    )
    params = {
        "funder": funders[cbs_code].pk,
        "organisation": organisation.pk,
        "start": MARCH[0],
        "end": MARCH[1],
    }
    with connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN_SQL, params)
        lines = cursor.fetchall()
        cursor.execute(HAND_WRITTEN_ANNEX_SQL, params)
        annex = cursor.fetchall()
    check = report_check(figures, lines, annex)
    assert check["equal"], check
    if cbs_code == "0344":
        assert check["lines"] == 2  # per minute and per hour, one month each
        assert 2822 in {line.amount_cents for block in figures.allocations for line in block.months}
        assert check["annex_lines"] == 2  # the adult's care is the Zvw's: not Utrecht's
    else:
        assert check["lines"] == 0
        assert check["annex_lines"] == 1
    assert check["annex_cents"] > 0
