"""Every page of the message exchange in a real browser, as the role it is for, with data made
by the services themselves: a municipality's JW301s (one for a client, one for a BSN without a
client), the start and stop messages, a month's declaration answered with a rejected line (JW325).
axe-core finds no serious or critical violation on any page; each leaves a screenshot in Dutch,
and the inbox one in English. The rules and refusals in full: tests/exchange/test_*.py."""

from __future__ import annotations

import datetime

from django.urls import reverse

from apps.exchange.declarations import declaration_draft, declaration_send
from apps.exchange.incoming import message_receive
from apps.exchange.models import Standard
from apps.exchange.startstop import deliveries_prepare
from apps.exchange.synthetic import jw301_file
from apps.funding.models import Allocation
from tests.exchange.factories_declarations import OCTOBER, answer_325, world_fixture  # noqa: F401

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None

UNKNOWN_BSN = "111222333"


def _accessible(page, check) -> None:
    violations = check(page)
    assert not violations, f"{page.url}\n" + "\n".join(violations)


def _receive_301(world, *, identification: str, bsn: str, number: str, birth: datetime.date):
    return message_receive(
        organisation=world.organisation,
        filename=f"{identification}.xml",
        content=jw301_file(
            standard=Standard.IJW,
            municipality_code=world.funder.code,
            agb_code=world.organisation.agb_code,
            identification=identification,
            dated=datetime.date(2025, 11, 3),
            bsn=bsn,
            birth_date=birth,
            products=[
                {
                    "number": number,
                    "category": "45",
                    "code": "45A07",
                    "start": datetime.date(2025, 11, 1),
                    "end": datetime.date(2026, 10, 31),
                    "volume": 600,
                    "unit": "01",
                    "frequency": "6",
                }
            ],
        ),
        actor=None,
        transport="upload",
    )


def _exchange(world) -> None:
    """The traffic of a few months, through the services."""
    _receive_301(
        world,
        identification="GEM-301-1",
        bsn=world.a.client.bsn,
        number="2001",
        birth=world.a.client.date_of_birth,
    )
    _receive_301(
        world,
        identification="GEM-301-2",
        bsn=UNKNOWN_BSN,
        number="2002",
        birth=datetime.date(2011, 5, 6),
    )
    deliveries_prepare(
        organisation=world.organisation, today=datetime.date(2025, 11, 10), actor=world.manager
    )
    (run,) = declaration_draft(
        organisation=world.organisation, funder=world.funder, month=OCTOBER, actor=world.manager
    )
    run = declaration_send(run=run, actor=world.manager)
    run.refresh_from_db()
    rejected = run.lines.get(allocation__number="1002", debit_credit="D")
    message_receive(
        organisation=world.organisation,
        filename="antwoord.xml",
        content=answer_325(run, rejected={rejected.reference: ["9340", "9321"]}),
        actor=None,
    )
    return run


def _visit(page, url: str, heading: str, check, screenshot, name: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    # No table is wider than the page: wide ones scroll in their own region.
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow, f"{url} is wider than the window"
    _accessible(page, check)
    screenshot(page, name)


def test_a_manager_goes_round_the_exchange(
    world, browser_page, login, screenshot, serious_accessibility_violations, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXCHANGE_FOLDER = tmp_path / "exchange"
    run = _exchange(world)
    page = browser_page
    check = serious_accessibility_violations
    login(page, world.manager)

    _visit(page, "/messages/", "Berichten", check, screenshot, "inbox")
    subnav = page.get_by_role("navigation", name="Berichtenverkeer")
    expect(subnav.get_by_role("link")).to_have_count(5)
    expect(subnav.locator("[aria-current=page]")).to_have_text("Ontvangen en verzonden")
    expect(page.locator("table.messages-table")).to_contain_text("GEM-301-1")
    _visit(page, "/messages/?box=out", "Berichten", check, screenshot, "outbox")

    page.goto("/messages/")
    page.get_by_role("link", name="JW301", exact=True).last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("JW301")
    main = page.locator("main")
    expect(main).not_to_contain_text(world.a.client.family_name)
    _accessible(page, check)
    screenshot(page, "message")

    subnav.get_by_role("link", name="Start en stop van de zorg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start en stop van de zorg")
    _visit(page, reverse("exchange:deliveries"), "Start en stop", check, screenshot, "deliveries")
    expect(page.locator("main table")).to_contain_text(world.a.client.client_number)

    _visit(page, reverse("exchange:requests"), "Verzoeken", check, screenshot, "requests")
    _visit(
        page,
        reverse("exchange:request_new") + f"?client={world.b.client.pk}",
        "Verzoek om toewijzing",
        check,
        screenshot,
        "request-new",
    )
    allocation = Allocation.objects.get(number="1001")
    _visit(
        page,
        reverse("exchange:request_change", args=[allocation.pk]),
        "Verzoek om wijziging",
        check,
        screenshot,
        "request-change",
    )

    # An allocation received as a JW301: read-only, with its message and the change request.
    received = Allocation.objects.get(number="2001")
    _visit(
        page,
        reverse("funding:allocation_detail", args=[received.pk]),
        "Toewijzing 2001",
        check,
        screenshot,
        "allocation-received",
    )
    expect(page.locator("main")).to_contain_text("alleen te lezen")
    page.get_by_role("link", name="Verzoek om wijziging").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verzoek om wijziging")

    _visit(page, reverse("exchange:declarations"), "Declaraties", check, screenshot, "declarations")
    _visit(
        page,
        reverse("exchange:declaration_detail", args=[run.pk]),
        run.number,
        check,
        screenshot,
        "declaration",
    )
    main = page.locator("main")
    expect(main).to_contain_text("€\u00a0")
    expect(main).not_to_contain_text(world.a.client.bsn)

    _visit(
        page,
        reverse("exchange:declarations_rejected"),
        "Afgekeurde declaratieregels",
        check,
        screenshot,
        "rejected",
    )
    main = page.locator("main")
    expect(main).to_contain_text("9340")
    expect(main).to_contain_text("ProductCode in de Prestatie")  # WJ001's own wording
    expect(main).to_contain_text(world.b.client.client_number)

    # In English: the inbox and the rejected lines.
    page.goto("/messages/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages")
    _accessible(page, check)
    screenshot(page, "inbox-en")
    page.goto(reverse("exchange:declarations_rejected"))
    expect(page.locator("main")).to_contain_text("product code differs")
    screenshot(page, "rejected-en")


def test_a_caseworker_finds_the_waiting_allocations(
    world, browser_page, login, screenshot, serious_accessibility_violations, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXCHANGE_FOLDER = tmp_path / "exchange"
    _receive_301(
        world,
        identification="GEM-301-9",
        bsn=UNKNOWN_BSN,
        number="2009",
        birth=datetime.date(2011, 5, 6),
    )
    page = browser_page
    login(page, world.caseworker)
    page.goto("/")
    expect(page.locator("main")).to_contain_text("1 toewijzing")
    page.get_by_role("link", name="Bekijk de wachtende toewijzingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Toewijzingen die op hun cliënt wachten"
    )
    main = page.locator("main")
    expect(main).to_contain_text(UNKNOWN_BSN)
    expect(main).to_contain_text("06-05-2011")
    expect(main).to_contain_text("01-11-2025")
    # A caseworker has no manager's exchange pages, so no sub-navigation.
    expect(page.get_by_role("navigation", name="Berichtenverkeer")).to_have_count(0)
    _accessible(page, serious_accessibility_violations)
    screenshot(page, "waiting")
