"""The pages fit the screen: the client page on a phone (390 px wide) without scrolling
sideways, and the manager's tables on a laptop (1366 px) with their end date, pace and signal
columns in sight, not scrolled out of the table's box."""

import pytest

from tests.browser.test_funding_control import _control

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}

DOCUMENT_WIDTH = "() => document.documentElement.scrollWidth"


def _visible_in_its_box(page, header: str) -> bool:
    """Whether the column headed ``header`` lies within its table's scroll box and the
    window (nothing to scroll sideways to see it)."""
    return page.evaluate(
        """(header) => {
            const cell = [...document.querySelectorAll('th')].find(
                (th) => th.textContent.trim() === header);
            if (!cell) return false;
            const box = cell.closest('.table-scroll') || document.documentElement;
            const c = cell.getBoundingClientRect(), b = box.getBoundingClientRect();
            return c.right <= Math.min(b.right, window.innerWidth) + 1 && c.left >= b.left - 1;
        }""",
        header,
    )


@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (LAPTOP, "laptop")])
def test_the_client_page_fits_a_phone_and_a_laptop(
    browser_page, login, screenshot, client_record, size, name
):
    page = browser_page
    page.set_viewport_size(size)
    login(page, client_record.caseworker)
    page.goto(f"/clients/{client_record.client.pk}/")
    screenshot(page, f"client-{name}")
    assert page.evaluate(DOCUMENT_WIDTH) <= size["width"]
    page.goto(f"/clients/{client_record.client.pk}/activities/new/")
    screenshot(page, f"activity-form-{name}")
    assert page.evaluate(DOCUMENT_WIDTH) <= size["width"]


def test_the_funding_overview_shows_end_pace_and_signals_on_a_laptop(
    browser_page, login, screenshot, client_record
):
    control = _control(client_record)
    page = browser_page
    page.set_viewport_size(LAPTOP)
    login(page, control.manager)
    page.goto("/funding/")
    screenshot(page, "overview-laptop")
    assert page.evaluate(DOCUMENT_WIDTH) <= LAPTOP["width"]
    for header in ("Eindigt", "Tempo en verwachting", "Signalen"):
        assert _visible_in_its_box(page, header), header
    page.goto(f"/funding/allocations/{client_record.allocation.pk}/")
    screenshot(page, "allocation-laptop")
    assert page.evaluate(DOCUMENT_WIDTH) <= LAPTOP["width"]


def test_the_funding_overview_fits_a_phone(browser_page, login, screenshot, client_record):
    control = _control(client_record)
    page = browser_page
    page.set_viewport_size(PHONE)
    login(page, control.manager)
    page.goto("/funding/")
    screenshot(page, "overview-phone")
    assert page.evaluate(DOCUMENT_WIDTH) <= PHONE["width"]
