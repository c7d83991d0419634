"""Registering a client in a real browser, then moving its trajectory to treatment and
closing it: at 1366 px and at 390 px wide."""

import re

from apps.accounts.models import Role
from apps.clients.models import Client
from tests.accounts.factories import OrganisationFactory, UserFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


def test_a_caseworker_registers_a_client_moves_it_to_treatment_and_closes_it(
    browser_page, login, screenshot, serious_accessibility_violations
):
    page = browser_page
    organisation = OrganisationFactory()
    caseworker = UserFactory(
        organisation=organisation, roles=[Role.CASEWORKER], first_name="Fleur", last_name="Kok"
    )
    UserFactory(organisation=organisation, roles=[Role.TEACHER], first_name="Tom", last_name="Ruis")
    login(page, caseworker)

    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("navigation").get_by_role("link", name="Cliënt inschrijven").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cliënt inschrijven")
    page.get_by_label("Voornaam", exact=True).fill("Sanne")
    page.get_by_label("Achternaam", exact=True).fill("de Vries")
    page.get_by_label("Pseudoniem", exact=True).fill("Merel")
    page.get_by_label("Geboortedatum", exact=True).fill("2012-01-15")
    page.get_by_label("BSN", exact=True).fill("111222333")
    page.get_by_label("Straat en huisnummer", exact=True).fill("Oudegracht 1")
    page.get_by_label("Postcode", exact=True).fill("3511ab")
    page.get_by_label("Woonplaats", exact=True).fill("Utrecht")
    page.get_by_label("Woongemeente", exact=True).select_option(label="Utrecht")
    page.locator("#id_rep1_name").fill("Anna de Vries")
    page.locator("#id_rep1_relation").select_option("parent")
    page.locator("#id_rep1_parental_authority").check()
    page.get_by_label("Verwezen door", exact=True).select_option("02")
    page.get_by_label("Naam van de verwijzer", exact=True).fill("Huisarts Jansen")
    page.get_by_label("AGB-code", exact=True).fill("01012345")
    page.get_by_label("Verwijsdatum", exact=True).fill("2026-01-20")
    page.locator("#id_teacher").select_option(label="Tom Ruis")
    screenshot(page, "01-register-1366")
    assert serious_accessibility_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "02-register-390")
    page.get_by_role("button", name="Inschrijven").click()

    client = Client.objects.get(organisation=organisation)
    expect(page).to_have_url(re.compile(rf"/intake/clients/{client.pk}/registered/$"))
    main = page.locator("main")
    expect(main).to_contain_text(client.client_number)
    expect(main).to_contain_text("samen met de wettelijk vertegenwoordigers")
    expect(main).to_contain_text("Huisarts")
    screenshot(page, "03-registered-390")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("link", name="Open de cliëntpagina").click()
    panel = page.locator(".lifecycle-panel")
    expect(panel).to_contain_text("Inschrijving")
    panel.get_by_role("button", name="Naar Intake").click()
    page.locator("#id_phase").select_option("treatment")
    page.get_by_role("button", name="Verplaatsen").click()
    expect(page.locator("main")).to_contain_text("Het traject is nu in de fase Behandeling")
    screenshot(page, "04-lifecycle-1366")

    page.get_by_label("Reden", exact=True).select_option("goals_achieved")
    page.get_by_role("button", name="Traject afsluiten").click()
    expect(page).to_have_url(re.compile(r"/intake/closed/$"))
    expect(page.locator("main")).to_contain_text(client.client_number)
    expect(page.locator("main").get_by_role("button", name="Heropenen")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    # At 390 px the shared header's links run out of its bar (base.html, not this page).
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "05-closed-390")
    client.refresh_from_db()
    assert client.status == "closed"
