"""The privacy officer's pages in a real browser, in Dutch and in English: a caseworker reads a
client and types in the activity form (the live funding preview), and the privacy officer sees
every read in words, newest first, the preview once, the role of each, and the client's
overview without typing dates."""

import re

from apps.accounts.models import Role
from tests.accounts.factories import UserFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


def test_the_privacy_officer_reads_the_access_log_in_words_in_dutch_and_english(
    browser_page, login, screenshot, client_record, serious_accessibility_violations
):
    page, record = browser_page, client_record
    client = record.client
    page.set_viewport_size({"width": 1366, "height": 900})

    login(page, record.caseworker)
    page.goto(f"/clients/{client.pk}/")
    page.goto(f"/clients/{client.pk}/activities/new/")
    duration = page.locator("#id_duration_minutes")
    for minutes in ("30", "45", "50", "55", "60"):  # every change posts the live preview
        with page.expect_response(re.compile(r"/activities/preview/$")):
            duration.fill(minutes)
            duration.dispatch_event("change")
    page.context.clear_cookies()

    officer = UserFactory(organisation=client.organisation, roles=[Role.PRIVACY_OFFICER])
    login(page, officer)
    page.goto("/privacy/")
    page.get_by_label("Cliëntnummer of pseudoniem").fill(client.client_number)
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_role("link", name="geschiedenis en toegangslog").click()

    log = page.locator("section[aria-labelledby=log-title] tbody")
    expect(log).to_contain_text("Cliëntpagina")
    expect(log).to_contain_text("Activiteitformulier")
    expect(log.locator("tr", has_text="voorbeeld van de financiering")).to_have_count(1)
    expect(log).to_contain_text("Behandelaar")
    expect(log).not_to_contain_text("clients:")
    first = log.locator("tr").first
    expect(first).to_contain_text("Functionaris gegevensbescherming")  # this read, newest first
    assert serious_accessibility_violations(page) == []
    screenshot(page, "01-history-nl")

    page.get_by_role("link", name="Overzicht voor de cliënt (inzagerecht)").click()
    expect(page.locator("main")).to_contain_text("De hele geschiedenis, nieuwste eerst.")
    expect(page.locator("main tbody")).to_contain_text("Cliëntpagina")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "02-overview-nl")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("The whole history, newest first.")
    expect(page.locator("main tbody")).to_contain_text("Client page")
    expect(page.locator("main tbody")).to_contain_text("Activity form: funding preview")
    expect(page.locator("main tbody")).to_contain_text("Caseworker")
    screenshot(page, "03-overview-en")

    page.goto(f"/privacy/clients/{client.pk}/")
    expect(page.locator("section[aria-labelledby=log-title] tbody")).to_contain_text(
        "Privacy officer: overview for the client"
    )
    screenshot(page, "04-history-en")
