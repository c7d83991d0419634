"""The idle timeout in the browser, with a session of seconds: the warning, staying signed in,
and a note typed until after the end that still arrives."""

from apps.core.domains import ActivityKind
from apps.trajectories.models import Activity

NOTE = "TIMEOUTNOTITIE lang gesprek over school, ze wil weer naar de les"


def test_the_warning_offers_to_stay_signed_in(
    browser_page, login, client_record, settings, serious_accessibility_violations, screenshot
):
    # The warning shows after 2 seconds and leaves 18 to click, however busy the machine.
    settings.SESSION_COOKIE_AGE = 20
    settings.SESSION_WARNING_SECONDS = 18
    page = browser_page
    login(page, client_record.caseworker)
    warning = page.locator("#session-timeout")
    stay = warning.get_by_role("button", name="Blijf ingelogd")
    stay.wait_for(state="visible", timeout=5_000)
    assert "wordt zo uitgelogd" in page.locator("#session-timeout-message").inner_text()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "warning")

    stay.click()
    warning.wait_for(state="hidden")
    # The session goes on: a page still opens without signing in again.
    page.goto("/account/")
    assert "/login/" not in page.url


def test_a_note_typed_past_the_timeout_is_saved_after_signing_in_again(
    browser_page, login, client_record, settings, screenshot
):
    # Long enough to sign in and open the form on a busy machine before the session ends.
    settings.SESSION_COOKIE_AGE = 10
    settings.SESSION_WARNING_SECONDS = 3
    page = browser_page
    login(page, client_record.caseworker)
    page.goto(f"/clients/{client_record.client.pk}/activities/new/")
    page.get_by_label("Soort").select_option(ActivityKind.TREATMENT_SESSION)
    page.get_by_label("Duur in minuten").fill("50")
    page.get_by_label("Notitie").fill(NOTE)
    warning = page.locator("#session-timeout")
    warning.get_by_role("button", name="Sluiten").wait_for(state="visible", timeout=20_000)
    assert "U bent uitgelogd" in page.locator("#session-timeout-message").inner_text()
    screenshot(page, "ended")

    page.locator("main").get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/login/**")
    assert "nog niet opgeslagen" in page.locator(".messages").inner_text()
    page.locator("input[name=username]").fill(client_record.caseworker.get_username())
    page.locator("input[name=password]").fill("correct-horse-battery-staple")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/account/unsaved/")
    assert page.get_by_role("heading", level=1).inner_text() == "Wat u typte is nog niet opgeslagen"
    assert NOTE in page.locator("main").inner_text()
    screenshot(page, "unsaved")

    page.locator("main").get_by_role("button", name="Opslaan").click()
    page.wait_for_url(
        lambda url: url.split("#")[0].endswith(f"/clients/{client_record.client.pk}/")
    )
    assert Activity.objects.filter(note=NOTE).count() == 1
