"""The day page in the browser: a caseworker's, a teacher's and a manager's (who searches for a
client), at a desktop and at a phone's width, in Dutch and in English."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override
from playwright.sync_api import expect

from apps.clients.models import Client
from tests.workday.world import NOTE, build_world

ALERTS = "Financieringssignalen van je cliënten"
WIDTHS = {"1366": {"width": 1366, "height": 900}, "390": {"width": 390, "height": 844}}


def _both_widths(page, screenshot, name):
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        screenshot(page, f"{name}-{label}")


def _accessible(page, check):
    assert check(page) == []


def test_a_caseworkers_day(browser_page, login, screenshot, serious_accessibility_violations):
    world = build_world(3)
    page = browser_page
    login(page, world.caseworker)
    page.goto("/")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    with override("nl"):
        expect(main).to_contain_text(date_format(timezone.localdate(), "DATE_FORMAT"))
    expect(page.get_by_role("heading", name="Cliënten met iets te doen")).to_be_visible()
    expect(main).to_contain_text("3 van je 3 cliënten vragen aandacht.")
    expect(page.get_by_role("heading", name="Onafgemaakt werk")).to_be_visible()
    expect(main).to_contain_text("1 activiteit wacht op financiering")
    expect(page.get_by_role("heading", name=ALERTS)).to_be_visible()
    expect(main).to_contain_text("wacht sinds")
    expect(main).not_to_contain_text(NOTE)
    _accessible(page, serious_accessibility_violations)
    _both_widths(page, screenshot, "caseworker")
    page.get_by_role("link", name=world.clients[0].full_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.clients[0].full_name)


def test_a_teachers_day(browser_page, login, screenshot, serious_accessibility_violations):
    world = build_world(2)
    page = browser_page
    login(page, world.teacher)
    page.goto("/")
    main = page.locator("main")
    expect(main).to_contain_text("1 activiteit zonder duur")
    expect(main).not_to_contain_text("financiering")
    expect(page.get_by_role("heading", name=ALERTS)).to_have_count(0)
    _accessible(page, serious_accessibility_violations)
    _both_widths(page, screenshot, "teacher")


def test_a_manager_searches_for_a_client(
    browser_page, login, screenshot, serious_accessibility_violations
):
    world = build_world(3, shielded=1)
    shielded = world.clients[0]
    Client.objects.filter(pk=shielded.pk).update(given_name="Qcato", pseudonym="Lynx-7")
    page = browser_page
    login(page, world.manager)
    page.goto("/")
    main = page.locator("main")
    expect(page.get_by_role("heading", name="Signalen van de organisatie")).to_be_visible()
    expect(main).to_contain_text("Ongefinancierde zorg wacht langer dan 14 dagen")
    _accessible(page, serious_accessibility_violations)
    _both_widths(page, screenshot, "manager")
    page.set_viewport_size(WIDTHS["1366"])
    page.get_by_label("Cliëntnummer, pseudoniem of naam").fill("Qcato")
    page.get_by_role("button", name="Zoeken").click()
    expect(main).to_contain_text("Geen cliënt van je organisatie past bij deze zoekopdracht.")
    page.get_by_label("Cliëntnummer, pseudoniem of naam").fill("L")
    page.get_by_role("button", name="Zoeken").click()
    expect(main).to_contain_text("Typ minstens 2 tekens om te zoeken.")
    page.get_by_label("Cliëntnummer, pseudoniem of naam").fill("Lynx")
    page.get_by_role("button", name="Zoeken").click()
    expect(main).to_contain_text("1 cliënt gevonden.")
    expect(main).to_contain_text("Lynx-7")
    expect(main).not_to_contain_text("Qcato")
    expect(main).to_contain_text(world.caseworker.get_full_name())
    _accessible(page, serious_accessibility_violations)
    _both_widths(page, screenshot, "search")
    # In English: the same page in the other language.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a client")
    expect(main).to_contain_text("1 client found.")
    page.goto("/workday/clients/?q=Roos")
    expect(main).to_contain_text("2 clients found.")
    expect(page.get_by_role("columnheader", name="Lead caseworker")).to_be_visible()
    _both_widths(page, screenshot, "search-en")
    page.goto("/")
    with override("en"):
        expect(main).to_contain_text(date_format(timezone.localdate(), "DATE_FORMAT"))
    expect(page.get_by_role("heading", name="Signals of the organisation")).to_be_visible()
    _both_widths(page, screenshot, "manager-en")
