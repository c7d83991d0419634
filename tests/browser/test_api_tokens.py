"""Personal API tokens on the profile page, and the API documentation, in a real browser."""

import json
import urllib.error
import urllib.request
from datetime import timedelta

from django.utils import timezone

from apps.accounts.models import ApiToken, Role
from tests.accounts.factories import UserFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


def _api_status(live_server, key: str) -> int:
    """Call the API as another program would: with the token, without the browser's cookies."""
    request = urllib.request.Request(  # noqa: S310 (the live test server, http on loopback)
        f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Bearer {key}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert json.loads(response.read())["username"]
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_token_is_created_shown_once_and_revoked(
    browser_page, login, screenshot, live_server, serious_accessibility_violations
):
    page = browser_page
    user = UserFactory(first_name="Ilse", last_name="Tokens", roles=[Role.TEACHER])
    login(page, user)
    page.get_by_role("link", name="Ilse Tokens").click()  # the name in the header
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()

    page.get_by_label("Name").fill("Schoolsysteem")
    valid_until = timezone.localdate() + timedelta(days=60)
    page.get_by_label("Valid until").fill(valid_until.isoformat())
    page.get_by_role("button", name="Create token").click()

    shown = page.get_by_role("status").filter(has_text="shown only this once")
    expect(shown).to_be_visible()
    key = page.get_by_label("Your new token").input_value()
    token = ApiToken.objects.get(user=user)
    assert key.startswith(f"cm_{token.prefix}_")
    row = page.locator(f"#token-{token.pk}")
    expect(row).to_contain_text("Schoolsysteem")
    expect(row).to_contain_text("active")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "01-new-token-shown-once")
    assert _api_status(live_server, key) == 200

    page.reload()
    expect(page.get_by_label("Your new token")).to_have_count(0)
    assert key not in page.content()

    page.get_by_role("button", name="Revoke Schoolsysteem").click()
    expect(page.get_by_role("status")).to_contain_text("The token Schoolsysteem is revoked")
    expect(page.locator(f"#token-{token.pk}")).to_contain_text("revoked")
    expect(page.get_by_role("button", name="Revoke Schoolsysteem")).to_have_count(0)
    screenshot(page, "02-token-revoked")
    assert _api_status(live_server, key) == 401


def test_the_api_documentation_works_under_the_content_security_policy(
    browser_page, login, screenshot
):
    page = browser_page
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    login(page, UserFactory(roles=[Role.CASEWORKER]))
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Casemanager API")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    expect(page.get_by_text("/api/v1/clients/{id}/activities/").first).to_be_visible()
    screenshot(page, "01-swagger-ui")
    assert problems == []
