"""axe-core on the main pages: no serious or critical accessibility violations."""

import pytest

from apps.accounts.models import Role
from apps.trajectories.access import break_glass_open
from tests.accounts.factories import UserFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


def _privacy_officer_with_a_review_waiting(record):
    """A privacy officer whose queue holds one emergency access, so the review form shows."""
    organisation = record.client.organisation
    outsider = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    break_glass_open(
        user=outsider,
        client=record.client,
        reason="Crisisdienst belt 's nachts, cliënt vermist; contactgegevens nodig.",
    )
    return UserFactory(organisation=organisation, roles=[Role.PRIVACY_OFFICER])


def _manager_of(record):
    return UserFactory(organisation=record.client.organisation, roles=[Role.MANAGER])


# page name: (who logs in, or None; the path)
PAGES = {
    "login": (lambda record: None, lambda record: "/login/"),
    "my-clients": (lambda record: record.caseworker, lambda record: "/clients/"),
    "client-page-caseworker": (
        lambda record: record.caseworker,
        lambda record: f"/clients/{record.client.pk}/",
    ),
    "client-page-teacher": (
        lambda record: record.teacher,
        lambda record: f"/clients/{record.client.pk}/",
    ),
    "privacy-officer": (_privacy_officer_with_a_review_waiting, lambda record: "/privacy/"),
    "log-activity": (
        lambda record: record.caseworker,
        lambda record: f"/clients/{record.client.pk}/activities/new/",
    ),
    "schooling": (
        lambda record: record.teacher,
        lambda record: f"/clients/{record.client.pk}/schooling/",
    ),
    "care-team": (
        lambda record: record.caseworker,
        lambda record: f"/clients/{record.client.pk}/care-team/",
    ),
    "funding-overview": (_manager_of, lambda record: "/funding/"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations_on(
    name, browser_page, login, screenshot, client_record, serious_accessibility_violations
):
    page = browser_page
    user_of, path_of = PAGES[name]
    user = user_of(client_record)
    if user is not None:
        login(page, user)
    page.goto(path_of(client_record))
    expect(page.locator("main h1")).to_be_visible()
    screenshot(page, "page")

    violations = serious_accessibility_violations(page)
    assert not violations, "\n".join(violations)
