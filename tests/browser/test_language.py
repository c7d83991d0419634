"""The language switch in the header."""

from apps.accounts.models import Role
from tests.accounts.factories import UserFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


def test_the_english_button_switches_the_interface_to_english(browser_page, login, screenshot):
    page = browser_page
    user = UserFactory(first_name="Ilse", roles=[Role.CASEWORKER])

    login(page, user)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Ilse")
    screenshot(page, "01-dutch")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ilse")
    expect(page.get_by_role("button", name="Nederlands")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    screenshot(page, "02-english")

    page.goto("/clients/")  # the choice stays for the next pages
    expect(page.get_by_role("heading", level=1)).to_have_text("My clients")
    expect(page.get_by_role("button", name="Search")).to_be_visible()
