"""The meldcode in a real browser (Dutch): a caseworker of the care team sees a stalled step
on the client page, opens a track for a new concern and walks the five steps (Besluit
verplichte meldcode, art. 2; the afwegingskader: afweging 2 "ja" makes reporting necessary),
records the report to Veilig Thuis with its reference, and the track waits for its follow-up;
at 1366 and 390 px wide."""

import datetime
import re

from django.utils import timezone

from apps.safety.meldcode import meldcode_step_record, meldcode_track_open
from apps.safety.models import MeldcodeTrack

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


def test_a_caseworker_walks_the_five_steps_and_records_the_report(
    browser_page, login, screenshot, client_record, serious_accessibility_violations
):
    page, record = browser_page, client_record
    today = timezone.localdate()
    stalled = meldcode_track_open(
        client=record.client,
        concern="Verzuim en nieuwe contacten",
        opened_on=today - datetime.timedelta(days=20),
        actor=record.caseworker,
    )
    meldcode_step_record(
        track=stalled,
        step=1,
        date=today - datetime.timedelta(days=20),
        outcome="Verzuim op school",
        actor=record.caseworker,
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, record.caseworker)

    page.goto(f"/clients/{record.client.pk}/")
    panel = page.locator(".meldcode-panel")
    expect(panel).to_contain_text("Verzuim en nieuwe contacten")
    expect(panel).to_contain_text("Vastgelopen")
    screenshot(page, "01-client-page-stalled-step")
    panel.get_by_role("link", name="Meldcodetrajecten").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Meldcode huiselijk geweld en kindermishandeling"
    )
    page.get_by_role("button", name="Traject openen").click()  # no concern: refused
    expect(page.locator(".errorlist").first).to_be_visible()
    page.get_by_label("Zorg", exact=True).fill("Signalen van contact met de loverboy")
    page.get_by_role("button", name="Traject openen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Signalen van contact met de loverboy"
    )

    def record_step(outcome, choices=()):
        page.get_by_label("Uitkomst").fill(outcome)
        for question, answer in choices:
            page.locator("fieldset", has_text=question).get_by_label(answer, exact=True).check()
        page.get_by_role("button", name="Deze stap vastleggen").click()
        expect(page.locator(".messages")).to_contain_text("De stap is vastgelegd")

    record_step("Nieuwe telefoon, cadeaus, laat thuis.")
    record_step("Besproken met de aandachtsfunctionaris.", [("Veilig Thuis om advies", "Ja")])
    record_step("Gesprek gevoerd; zij ontkent.", [("gesprek met de cliënt", "Ja")])
    # Afweging 2 "ja" (sexual exploitation is acute unsafety): questions 3 and 4 are not asked.
    record_step(
        "Vermoeden van uitbuiting.",
        [("1. Heb ik", "Ja"), ("2. Heb ik een vermoeden van acute", "Ja")],
    )
    expect(page.locator("#step-4")).to_contain_text("melden bij Veilig Thuis is noodzakelijk")
    screenshot(page, "02-weighed")
    # Help alone does not fit the weighing: refused with the reason, nothing saved.
    page.get_by_label("Uitkomst").fill("Hulp")
    page.get_by_label("Hulp bieden of organiseren zonder melding").check()
    page.get_by_role("button", name="Deze stap vastleggen").click()
    expect(page.locator(".errorlist")).to_contain_text(
        "Veilig Thuis noodzakelijk: besluit te melden"
    )
    record_step(
        "Melden en hulp.", [("Besluit", "Melden bij Veilig Thuis en hulp bieden of organiseren")]
    )

    page.get_by_label("Kenmerk van Veilig Thuis").fill("VT-2026-0042")
    page.get_by_role("button", name="Melding vastleggen").click()
    expect(page.locator("main")).to_contain_text("kenmerk VT-2026-0042")
    expect(page.locator("main")).to_contain_text("Volgende: een vervolg")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "03-reported-1366")
    track = MeldcodeTrack.objects.get(concern="Signalen van contact met de loverboy")
    assert track.steps.count() == 5
    assert track.report_reference == "VT-2026-0042"
    expect(page).to_have_url(re.compile(rf"/safety/meldcode/{track.pk}/$"))

    page.set_viewport_size({"width": 390, "height": 844})
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + '.' + e.className)"""
    )
    assert wide == []
    screenshot(page, "04-track-390")
