"""Pooled budgets in a real browser (in Dutch, the browser's language): a manager opens the
pools, reads a pool of three funders (each funder's share per month, the settlement, the
comparison with its assumptions), enrols a client with the municipality's allocation as its
legal basis, ends another client's part and downloads a funder's export; axe-core on the
pages."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from apps.accounts.models import Role, User
from apps.funding.models import Funder, FunderKind, IntegralPilot, PilotEnrolment, PoolPricing
from apps.pools.models import PoolBasis
from apps.trajectories.assignment import pilot_enrol
from apps.trajectories.models import Trajectory
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.builders import HOUR, IntegralPilotFactory, pilot_product
from tests.funding.factories import FunderFactory, stream
from tests.pools.factories import PoolFunderFactory
from tests.trajectories.factories import TrajectoryFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


@dataclass(frozen=True)
class PoolWorld:
    manager: User
    pool: IntegralPilot
    leaving: Trajectory
    candidate: Trajectory


def _pool_world(record) -> PoolWorld:
    organisation = record.client.organisation
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    pool = IntegralPilotFactory(
        contract__organisation=organisation,
        name="Pool integrale financiering Utrecht",
        start=start,
        end=date(today.year, 12, 31),
        budget_cents=20_000_000,
        pricing=PoolPricing.CLIENT_MONTH,
        price_cents=195_000,
        assumed_rejection_percent=5,
    )
    pilot_product(pool, code="INT-UUR", description="Integrale ondersteuning", unit=HOUR)
    utrecht = Funder.objects.filter(kind=FunderKind.MUNICIPALITY, code="0344").first()
    utrecht = utrecht or FunderFactory(
        kind=FunderKind.MUNICIPALITY, code="0344", name="Gemeente Utrecht"
    )
    insurer = FunderFactory(kind=FunderKind.HEALTH_INSURER, code="3399", name="Zorgverzekeraar")
    swv = FunderFactory(kind=FunderKind.SAMENWERKINGSVERBAND, code="VO2698", name="SWV Utrecht")
    PoolFunderFactory(pool=pool, funder=utrecht, stream=stream("jeugdwet"), share_permille=600)
    PoolFunderFactory(pool=pool, funder=insurer, stream=stream("zvw-ggz"), share_permille=600)
    PoolFunderFactory(pool=pool, funder=swv, share_permille=400)
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])

    def trajectory(given_name, **client):
        return TrajectoryFactory(
            client=ClientFactory(organisation=organisation, given_name=given_name, **client),
            start=start,
            lead_caseworker=record.caseworker,
        )

    leaving = trajectory("Lotte", date_of_birth=today - timedelta(days=17 * 365 + 100))
    pilot_enrol(pilot=pool, client=leaving.client, actor=manager)
    candidate = trajectory("Noa")
    return PoolWorld(manager=manager, pool=pool, leaving=leaving, candidate=candidate)


def test_a_manager_reads_a_pool_enrols_a_client_ends_a_part_and_exports_a_share(
    browser_page, login, screenshot, client_record
):
    page, world = browser_page, _pool_world(client_record)
    login(page, world.manager)

    page.goto("/funding/pools/")
    page.locator(f'main a[href="/funding/pools/{world.pool.pk}/"]').click()
    main = page.locator("main")
    expect(main.locator("h1")).to_have_text("Pool integrale financiering Utrecht")
    expect(main).to_contain_text("De pot naast de reguliere route")
    expect(main).to_contain_text("Aannames")
    expect(main).to_contain_text("5% van de declaratieregels")
    expect(main.locator("section[aria-labelledby=shares-title] thead th")).to_have_count(4)
    screenshot(page, "01-pool")

    enrol = main.locator("form:has(input[name=client])")
    enrol.locator("input[name=client]").fill(world.candidate.client.client_number)
    enrol.locator("select[name=funder]").select_option(label="Gemeente Utrecht")
    enrol.locator("select[name=kind]").select_option("allocation")
    enrol.locator("input[name=reference]").fill("UTR-2025-001")
    enrol.locator("button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    basis = PoolBasis.objects.get(enrolment__client=world.candidate.client)
    assert basis.reference == "UTR-2025-001"
    screenshot(page, "02-enrolled")

    leaving = PilotEnrolment.objects.get(client=world.leaving.client)
    row = main.locator(
        f'form[action="/funding/pools/{world.pool.pk}/enrolments/{leaving.pk}/exit/"]'
    )
    last_day = timezone.localdate().replace(day=1) - timedelta(days=1)
    last_day = max(last_day, world.pool.start)
    row.locator("input[name=end]").fill(last_day.isoformat())
    row.locator("button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    leaving.refresh_from_db()
    assert leaving.end == last_day

    with page.expect_download() as download:
        main.locator("a", has_text="CSV").first.click()
    assert download.value.suggested_filename.endswith(".csv")


def test_no_serious_accessibility_violations_on_the_pool_pages(
    browser_page, login, screenshot, client_record, serious_accessibility_violations
):
    page, world = browser_page, _pool_world(client_record)
    login(page, world.manager)
    found = {}
    for name, path in {
        "pools": "/funding/pools/",
        "pool": f"/funding/pools/{world.pool.pk}/",
    }.items():
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        screenshot(page, name)
        violations = serious_accessibility_violations(page)
        if violations:
            found[name] = violations
    assert found == {}
