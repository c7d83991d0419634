"""A copy of the record and the client's own statement in a real browser (Dutch): the
caseworker adds the young person's statement from the client page (BW 7:454 lid 1) and sees it
there; the privacy officer finds the client, records her request for a copy, makes the copy of
the complete record and downloads the PDF (BW 7:456, Jeugdwet 7.3.10, AVG art. 15); at 1366
and at 390 px wide."""

import re

from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from tests.accounts.factories import UserFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None

STATEMENT = "Ik ben het niet eens met de notitie over mijn verzuim: ik was ziek."


def test_a_caseworker_adds_the_clients_statement_and_sees_it_on_the_client_page(
    browser_page, login, screenshot, client_record, serious_accessibility_violations
):
    page, record = browser_page, client_record
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, record.caseworker)
    page.goto(f"/clients/{record.client.pk}/")
    panel = page.locator(".statements-panel")
    expect(panel).to_contain_text("geen verklaring")
    panel.get_by_role("link", name="Verklaring van de cliënt toevoegen").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Verklaringen van Merel")
    page.get_by_role("button", name="Aan het dossier toevoegen").click()  # empty: refused
    expect(page.locator(".errorlist").first).to_be_visible()
    page.get_by_label("Verklaring", exact=True).fill(STATEMENT)
    page.get_by_label("Van wie is de verklaring").select_option("young_person")
    page.get_by_label("Gegeven op").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Aan het dossier toevoegen").click()
    expect(page.locator("main")).to_contain_text("De verklaring is aan het dossier toegevoegd.")
    expect(page.locator("blockquote.statement")).to_contain_text(STATEMENT)
    assert serious_accessibility_violations(page) == []
    screenshot(page, "01-statements-1366")

    page.goto(f"/clients/{record.client.pk}/")
    expect(page.locator(".statements-panel")).to_contain_text(STATEMENT)
    screenshot(page, "02-client-page-panel")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/records/clients/{record.client.pk}/statements/")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + '.' + e.className)"""
    )
    assert wide == []
    screenshot(page, "03-statements-390")


def test_the_privacy_officer_records_a_request_makes_the_copy_and_downloads_it(
    browser_page,
    login,
    screenshot,
    client_record,
    serious_accessibility_violations,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    page, record = browser_page, client_record
    officer = UserFactory(organisation=record.client.organisation, roles=[Role.PRIVACY_OFFICER])
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, officer)
    page.goto("/records/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inzageverzoeken")
    page.get_by_label("Cliëntnummer").fill(record.client.client_number)
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_role("link", name="verzoeken, kopieën en verklaringen").click()

    expect(page).to_have_url(re.compile(rf"/records/clients/{record.client.pk}/$"))
    page.get_by_label("Een afschrift (kopie)").check()
    page.get_by_label("Gevraagd door").select_option("young_person")
    page.get_by_label("Ontvangen op").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Verzoek vastleggen").click()
    expect(page.locator("main")).to_contain_text("Het verzoek is vastgelegd.")
    expect(page.locator(".access-request")).to_contain_text("Uiterlijk beantwoorden op")

    page.get_by_role("button", name="Kopie van het volledige dossier maken").click()
    link = page.get_by_role("link", name="Kopie downloaden (PDF)")
    expect(link).to_be_visible()
    assert "Merel" not in page.locator("main").inner_text()  # the privacy pages: pseudonym
    assert serious_accessibility_violations(page) == []
    screenshot(page, "01-request-and-copy-1366")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
    assert AccessLogEntry.objects.filter(
        user=officer, client=record.client, event="export"
    ).exists()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "02-request-and-copy-390")
