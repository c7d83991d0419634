"""Correcting and cancelling an activity, and the safety notice, in a real browser
(docs/corrections.md). Screenshots at 1366 and 390 px wide."""

import re

from apps.audit.models import AccessLogEntry
from apps.safety.models import SafetyNotice

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None

WIDE, NARROW = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
NOTICE = "Deel niet waar zij woont; bel de behandelaar als iemand bij school naar haar vraagt."


def _both_widths(page, screenshot, name):
    page.set_viewport_size(WIDE)
    screenshot(page, f"{name}-1366")
    page.set_viewport_size(NARROW)
    screenshot(page, f"{name}-390")
    page.set_viewport_size(WIDE)


def test_a_caseworker_corrects_an_activity_and_the_history_shows_both_versions(
    browser_page, login, screenshot, serious_accessibility_violations, client_record
):
    page, record = browser_page, client_record
    login(page, record.caseworker)
    page.goto(f"/clients/{record.client.pk}/")
    session = page.locator(f"#activity-{record.treatment.pk}")
    session.get_by_role("link", name="Corrigeren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Een activiteit corrigeren")
    page.get_by_label("Duur in minuten").fill("90")
    page.get_by_role("button", name="Correctie opslaan").click()
    # No reason: refused, in Dutch, nothing saved.
    expect(page.locator("main")).to_contain_text("Dit veld is vereist")
    # The care lane's form: the lane shown, its fields filled in, no other lane's fields.
    expect(page.locator(".activity-lane")).to_have_text("Domein: Zorg")
    expect(page.get_by_label("Duur in minuten")).to_have_value("90")
    expect(page.get_by_label("Aantal eenheden")).to_have_count(1)
    expect(page.get_by_label("Vak", exact=True)).to_have_count(0)
    _both_widths(page, screenshot, "activity-correct-form")
    page.get_by_label("Waarom wordt het gecorrigeerd?").fill("Sessie liep uit, 90 minuten")
    page.get_by_role("button", name="Correctie opslaan").click()
    expect(page).to_have_url(re.compile(rf"/activities/{record.treatment.pk}/$"))
    history = page.locator("ol.versions")
    expect(history.locator(":scope > li")).to_have_count(2)
    expect(history).to_contain_text("Reden: Sessie liep uit, 90 minuten")
    expect(history.locator("del")).to_contain_text("60")
    expect(history.locator("ins")).to_contain_text("90")
    expect(page.locator("#activity-funding-title + p")).to_contain_text(record.allocation.number)
    record.treatment.refresh_from_db()
    expect(page.locator(".funding-reason")).to_have_text(record.treatment.funding_reason_text)
    assert record.treatment.consumed == 90
    assert serious_accessibility_violations(page) == []
    _both_widths(page, screenshot, "activity-corrected")


def test_a_caseworker_cancels_an_activity_and_it_leaves_the_funding(
    browser_page, login, screenshot, client_record
):
    page, record = browser_page, client_record
    login(page, record.caseworker)
    page.goto(f"/clients/{record.client.pk}/")
    page.locator(f"#activity-{record.treatment.pk}").get_by_role("link", name="Annuleren").click()
    page.get_by_label("Waarom wordt het geannuleerd?").fill("Dubbel ingevoerd")
    page.get_by_role("button", name="De activiteit annuleren").click()
    expect(page.locator("main")).to_contain_text("De activiteit is geannuleerd.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("geannuleerd")
    expect(page.locator("#activity-funding-title + p")).not_to_contain_text(
        record.allocation.number
    )
    expect(page.locator("ol.versions")).to_contain_text("Reden: Dubbel ingevoerd")
    expect(page.get_by_role("link", name="Deze activiteit corrigeren")).to_have_count(0)
    record.treatment.refresh_from_db()
    assert (record.treatment.status, record.treatment.allocation_id) == ("cancelled", None)
    _both_widths(page, screenshot, "activity-cancelled")


def test_a_safety_notice_set_by_the_caseworker_is_seen_by_the_teacher(
    browser_page, login, screenshot, serious_accessibility_violations, client_record
):
    page, record = browser_page, client_record
    login(page, record.caseworker)
    page.goto(f"/clients/{record.client.pk}/")
    page.get_by_role("link", name="Een veiligheidsmelding instellen").click()
    page.get_by_label("Melding", exact=True).fill(NOTICE)
    page.get_by_role("button", name="Melding instellen").click()
    expect(page.locator(".safety-notice")).to_contain_text(NOTICE)
    _both_widths(page, screenshot, "caseworker-client-page")

    page.context.clear_cookies()
    login(page, record.teacher)
    page.goto(f"/clients/{record.client.pk}/")
    panel = page.get_by_role("region", name="Veiligheidsmelding")
    expect(panel).to_contain_text(NOTICE)
    expect(panel.get_by_role("link")).to_have_count(0)  # the teacher does not change it
    expect(page.locator("main")).not_to_contain_text(record.treatment_note)
    assert serious_accessibility_violations(page) == []
    _both_widths(page, screenshot, "teacher-client-page")
    notice = SafetyNotice.objects.get()
    assert AccessLogEntry.objects.filter(
        user=record.teacher, detail="safety notice", object_id=str(notice.pk)
    ).exists()
