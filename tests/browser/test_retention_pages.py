"""The privacy officer records a client's request to destroy their record, grants it and
carries it out, in a real browser: at 1366 px and at 390 px wide. (BW 7:455: destruction on
request within three months; from 16 the young person asks alone, BW 7:465 and 7:450.)"""

import re
from datetime import date

from django.utils import timezone

from apps.accounts.models import Role
from apps.clients.models import Client
from apps.retention.models import Tombstone
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


def test_a_destruction_request_from_record_to_tombstone(
    browser_page, login, screenshot, serious_accessibility_violations
):
    page = browser_page
    subject = ClientFactory(
        date_of_birth=date(2008, 2, 1), family_name="Zeldzaamnaam", client_number="C-4711"
    )
    officer = UserFactory(
        organisation=subject.organisation,
        roles=[Role.PRIVACY_OFFICER],
        first_name="Joost",
        last_name="Smit",
    )
    login(page, officer)

    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("navigation").get_by_role("link", name="Bewaartermijn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vernietigingsverzoeken")
    page.get_by_label("Cliëntnummer", exact=True).fill("C-4711")
    page.get_by_label("de cliënt", exact=True).check()
    page.get_by_label("Ontvangen op", exact=True).fill(timezone.localdate().isoformat())
    screenshot(page, "01-record-1366")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Verzoek vastleggen").click()

    expect(page).to_have_url(re.compile(r"/privacy/retention/requests/\d+/$"))
    main = page.locator("main")
    expect(main).to_contain_text("Het verzoek is vastgelegd.")
    expect(main).to_contain_text("Wacht op beoordeling")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "02-review-390")
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Verzoek toekennen", exact=True).check()
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(main).to_contain_text("Toegekend, uit te voeren")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label("Typ het cliëntnummer ter bevestiging", exact=True).fill("C-4711")
    screenshot(page, "03-execute-1366")
    page.get_by_role("button", name="Dossier vernietigen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vernietigingsverslagen")
    expect(page.locator("main")).to_contain_text(f"#{subject.pk}")
    expect(page.locator("main")).not_to_contain_text("Zeldzaamnaam")
    screenshot(page, "04-tombstones-1366")
    assert serious_accessibility_violations(page) == []
    assert Tombstone.objects.get().destroyed_by == officer
    assert Client.objects.get(pk=subject.pk).family_name == ""
