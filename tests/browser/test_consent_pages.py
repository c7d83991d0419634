"""The consent register in a real browser: the caseworker records a consent as the age rules
require and records a withdrawal; the teacher then finds the education lane closed, and why.

(WGBO 7:457 lid 1 and Jeugdwet 7.3.11 lid 1: nothing is shared outside the care team without
consent; BW 7:450 lid 2: from 12 to 15 the young person and the parent with authority both.)
"""

from django.utils import timezone

from apps.clients.models import Consent, ConsentRecipient
from apps.clients.services import legal_representative_add

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


def test_a_caseworker_records_a_consent_given_by_the_young_person_and_her_mother(
    browser_page, login, screenshot, serious_accessibility_violations, client_record
):
    page, record = browser_page, client_record
    mother = legal_representative_add(
        client=record.client,
        name="Ilse Verbrugghen",
        relation="parent",
        parental_authority=True,
        actor=record.caseworker,
    )
    login(page, record.caseworker)
    page.goto(f"/clients/{record.client.pk}/care-team/")
    expect(page.locator("#consents-title")).to_be_visible()
    page.locator(f"a[href='/clients/{record.client.pk}/consents/']").last.click()
    expect(page.locator("#record-title")).to_be_visible()
    form = page.locator("section[aria-labelledby=record-title] form")
    form.locator("select[name=recipient]").select_option("municipality")
    form.locator("input[name=recipient_name]").fill("Gemeente Utrecht")
    form.locator("textarea[name=purpose]").fill("Voortgang delen voor de herindicatie")
    form.locator("input[name=young_person]").check()

    # Without the mother (she holds parental authority): refused, with the reason, nothing saved.
    form.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Ilse Verbrugghen")
    assert not Consent.objects.filter(client=record.client, recipient="municipality").exists()
    screenshot(page, "01-refused-without-the-mother")

    form = page.locator("section[aria-labelledby=record-title] form")
    form.locator(f"input[name=given_by][value='{mother.pk}']").check()
    form.locator("button[type=submit]").click()
    consent = Consent.objects.get(client=record.client, recipient="municipality")
    row = page.locator(f"#consent-{consent.pk}")
    expect(row).to_contain_text("Gemeente Utrecht")
    expect(row).to_contain_text("Ilse Verbrugghen")
    assert consent.given_by_young_person
    assert list(consent.given_by_representatives.all()) == [mother]
    screenshot(page, "02-recorded")
    assert serious_accessibility_violations(page) == []


def test_the_teacher_finds_the_education_lane_closed_after_the_withdrawal(
    browser_page, login, screenshot, serious_accessibility_violations, client_record
):
    page, record = browser_page, client_record
    school = Consent.objects.get(client=record.client, recipient=ConsentRecipient.SCHOOL)

    login(page, record.caseworker)
    page.goto(f"/clients/{record.client.pk}/consents/")
    row = page.locator(f"#consent-{school.pk}")
    row.locator("summary").click()
    row.locator("input[name=reason]").fill("De jongere, in het gesprek van vandaag")
    row.locator("button[type=submit]").click()
    expect(page.locator(f"#consent-{school.pk} .badge-warn")).to_be_visible()
    school.refresh_from_db()
    assert school.withdrawn_on == timezone.localdate()
    screenshot(page, "01-withdrawn")

    page.context.clear_cookies()
    login(page, record.teacher)
    page.goto(f"/clients/{record.client.pk}/")
    notice = page.locator("section[aria-labelledby=closed-lanes-title]")
    expect(notice).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(record.lesson_note)
    screenshot(page, "02-teacher-client-page")
    assert serious_accessibility_violations(page) == []
