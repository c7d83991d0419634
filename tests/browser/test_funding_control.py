"""Funding control in a real browser: a manager works through the alerts, registers an
allocation that absorbs waiting care, reads the mosaic and a pilot; a caseworker sees the
alerts and the pace of use on the client page; axe-core on every new page."""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from apps.accounts.models import Role, User
from apps.control.alerts import funding_alerts_refresh
from apps.core.domains import ActivityKind, Domain
from apps.funding.models import AlertKind, Allocation, FundingAlert, IntegralPilot
from apps.trajectories.assignment import pilot_enrol
from apps.trajectories.models import Activity, Trajectory
from apps.trajectories.services import activity_log
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.builders import HOUR, IntegralPilotFactory, pilot_product
from tests.trajectories.factories import TrajectoryFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


@dataclass(frozen=True)
class Control:
    manager: User
    waiting: Trajectory  # care waiting for more than 14 days
    candidate: Trajectory  # care waiting, to be enrolled in the pilot
    pilot: IntegralPilot


def _session(trajectory, days_ago, minutes=60, performed_by=None):
    performed_by = performed_by or trajectory.lead_caseworker
    return activity_log(
        trajectory=trajectory,
        domain=Domain.CARE,
        kind=ActivityKind.TREATMENT_SESSION,
        date=timezone.localdate() - timedelta(days=days_ago),
        duration_minutes=minutes,
        performed_by=performed_by,
        actor=performed_by,
        note="ZORGNOTITIE die een manager nooit ziet",
    )


def _control(record) -> Control:
    """Around the shared client record: its allocation 80% used, a client whose care has
    waited three weeks, one who waits for the pilot, and the pilot with one client in it."""
    organisation = record.client.organisation
    for days_ago in (27, 24, 20, 17, 13, 10, 3):
        _session(record.trajectory, days_ago)  # with the record's own session: 480 of 600
    start = timezone.localdate() - timedelta(days=60)
    waiting = TrajectoryFactory(
        client=ClientFactory(organisation=organisation, given_name="Sem", family_name="Wacht"),
        start=start,
        lead_caseworker=record.caseworker,
    )
    for days_ago in (21, 19):
        assert _session(waiting, days_ago).funding_status == "unfunded"
    candidate = TrajectoryFactory(
        client=ClientFactory(organisation=organisation, given_name="Noa", family_name="Pilot"),
        start=start,
        lead_caseworker=record.caseworker,
    )
    _session(candidate, 5, minutes=45)
    pilot = IntegralPilotFactory(
        contract__organisation=organisation,
        name="Pilot integrale financiering Utrecht",
        start=start,
        end=timezone.localdate() + timedelta(days=300),
        budget_cents=5_000_000,
    )
    pilot_product(pilot, code="INT-UUR", description="Integrale ondersteuning", unit=HOUR)
    in_pilot = TrajectoryFactory(
        client=ClientFactory(organisation=organisation),
        start=start,
        lead_caseworker=record.caseworker,
    )
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    pilot_enrol(pilot=pilot, client=in_pilot.client, actor=manager)
    for days_ago in (12, 5):
        assert _session(in_pilot, days_ago).funding_status == "pilot"
    funding_alerts_refresh()
    return Control(manager=manager, waiting=waiting, candidate=candidate, pilot=pilot)


def test_a_manager_acknowledges_an_alert_and_registers_the_allocation_care_waited_for(
    browser_page, login, screenshot, client_record
):
    page, record = browser_page, client_record
    control = _control(record)
    waiting_alert = FundingAlert.objects.get(
        client=control.waiting.client, kind=AlertKind.UNFUNDED_WAITING
    )
    login(page, control.manager)

    page.locator('nav a[href="/funding/alerts/"]').click()
    expect(page).to_have_url(re.compile(r"/funding/alerts/$"))
    main = page.locator("main")
    expect(main).to_contain_text(control.waiting.client.client_number)
    expect(main).to_contain_text(record.allocation.number)
    expect(main).not_to_contain_text("ZORGNOTITIE")
    screenshot(page, "01-alerts")

    row = page.locator("tr", has_text=control.waiting.client.client_number)
    row.locator("button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    waiting_alert.refresh_from_db()
    assert waiting_alert.acknowledged_by == control.manager
    expect(
        page.locator("tr", has_text=control.waiting.client.client_number).locator("button")
    ).to_have_count(0)
    screenshot(page, "02-acknowledged")

    page.goto("/funding/")
    page.locator('main a[href="/funding/allocations/new/"]').click()
    form = page.locator("main form")
    form.locator("input[name=client]").fill(control.waiting.client.client_number)
    form.locator("select[name=product]").select_option(str(record.allocation.product_id))
    form.locator("input[name=number]").fill("TW-2026-009001")
    form.locator("input[name=volume]").fill("600")
    form.locator("select[name=frequency]").select_option("6")
    form.locator("input[name=start]").fill((timezone.localdate() - timedelta(days=30)).isoformat())
    form.locator("input[name=end]").fill((timezone.localdate() + timedelta(days=200)).isoformat())
    screenshot(page, "03-allocation-form")
    form.locator("button[type=submit]").click()

    allocation = Allocation.objects.get(number="TW-2026-009001")
    expect(page).to_have_url(re.compile(rf"/funding/allocations/{allocation.pk}/$"))
    absorbed = page.locator("section[aria-labelledby=absorbed-title] tbody tr")
    expect(absorbed).to_have_count(2)
    expect(page.locator("main")).to_contain_text(re.compile(r"€\s210,00"))  # 2 h at € 1,75/min
    screenshot(page, "04-allocation-absorbed")
    assert not Activity.objects.filter(trajectory=control.waiting, funding_status="unfunded")


def test_a_manager_reads_the_mosaic_and_enrols_a_client_in_the_pilot(
    browser_page, login, screenshot, client_record
):
    page, record = browser_page, client_record
    control = _control(record)
    login(page, control.manager)

    page.goto("/funding/")
    page.locator('main a[href="/funding/mosaic/"]').click()
    expect(page.locator("main h1")).to_be_visible()
    # The funders' table (schooling has its own: funded per pupil, never per activity).
    funders = page.locator("table.mosaic:not(.mosaic-schooling)")
    expect(funders.locator("tbody tr")).to_have_count(2)  # Jeugdwet and the pilot
    expect(funders).to_contain_text(control.pilot.contract.funder.name)
    screenshot(page, "01-mosaic")

    page.goto("/funding/")
    page.locator(f'main a[href="/funding/pools/{control.pilot.pk}/"]').click()
    main = page.locator("main")
    expect(main).to_contain_text("Pilot integrale financiering Utrecht")
    screenshot(page, "02-pilot")
    enrol = main.locator("form:has(input[name=client])")
    enrol.locator("input[name=client]").fill(control.candidate.client.client_number)
    enrol.locator("button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(main).to_contain_text("Noa Pilot")
    assert set(
        Activity.objects.filter(trajectory=control.candidate).values_list(
            "funding_status", flat=True
        )
    ) == {"pilot"}
    screenshot(page, "03-pilot-enrolled")


def test_a_caseworker_sees_the_alerts_and_the_pace_on_the_client_page(
    browser_page, login, screenshot, client_record
):
    page, record = browser_page, client_record
    control = _control(record)
    login(page, record.caseworker)

    page.locator('nav a[href="/funding/alerts/"]').click()
    main = page.locator("main")
    expect(main).to_contain_text(record.client.client_number)
    expect(main).to_contain_text(control.waiting.client.client_number)
    screenshot(page, "01-alerts")

    page.goto(f"/clients/{record.client.pk}/")
    funding = page.locator("section[aria-labelledby=funding-title]")
    expect(funding.locator("ul.alerts li")).to_have_count(1)
    expect(funding.locator("ul.alerts")).to_contain_text(record.allocation.number)
    expect(funding.locator(".pace")).to_have_count(1)
    expect(funding.locator(".pace")).to_contain_text("120")  # 480 minutes in 28 days
    # The mosaic is not in the page itself: htmx asks it from clients:mosaic once the page has
    # loaded and swaps it in for its link (issue 19).
    expect(funding.locator("table.mosaic:not(.mosaic-schooling)")).to_be_visible()
    placeholder = funding.get_by_role("link", name="Toon de financiering van dit traject")
    expect(placeholder).to_have_count(0)
    screenshot(page, "02-client-page")

    page.context.clear_cookies()
    login(page, record.teacher)
    page.goto(f"/clients/{record.client.pk}/")
    expect(page.locator("section[aria-labelledby=funding-title]")).to_have_count(0)
    expect(page.locator(".pace")).to_have_count(0)


def test_no_serious_accessibility_violations_on_the_funding_control_pages(
    browser_page, login, screenshot, client_record, serious_accessibility_violations
):
    page, record = browser_page, client_record
    control = _control(record)
    allocation = record.allocation
    pages = {
        "alerts": (control.manager, "/funding/alerts/"),
        "allocation-form": (control.manager, "/funding/allocations/new/"),
        "allocation-detail": (control.manager, f"/funding/allocations/{allocation.pk}/"),
        "allocation-change": (control.manager, f"/funding/allocations/{allocation.pk}/change/"),
        "allocation-replace": (
            control.manager,
            f"/funding/allocations/{allocation.pk}/replace/",
        ),
        "mosaic": (control.manager, "/funding/mosaic/"),
        "pilot": (control.manager, f"/funding/pools/{control.pilot.pk}/"),
        "alerts-caseworker": (record.caseworker, "/funding/alerts/"),
        "client-page-with-alerts": (record.caseworker, f"/clients/{record.client.pk}/"),
    }
    found = {}
    current = None
    for name, (user, path) in pages.items():
        if user != current:
            page.context.clear_cookies()
            login(page, user)
            current = user
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        screenshot(page, name)
        violations = serious_accessibility_violations(page)
        if violations:
            found[name] = violations

    # The form with its error messages, too.
    page.context.clear_cookies()
    login(page, control.manager)
    page.goto("/funding/allocations/new/")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .errorlist").first).to_be_visible()
    screenshot(page, "allocation-form-errors")
    if violations := serious_accessibility_violations(page):
        found["allocation-form-errors"] = violations

    assert not found, "\n".join(f"{name}: {v}" for name, vs in found.items() for v in vs)
