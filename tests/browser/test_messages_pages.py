"""The manager's inbox in a real browser: upload a message file, see what happened to it, open
the message (clients by number, the retour code explained); axe-core finds no serious or
critical violation on either page, and each leaves a screenshot. The rules and refusals in
full: tests/exchange/test_messages_views.py."""

from apps.accounts.models import Role
from apps.exchange.models import Direction, MessageStatus
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory
from tests.exchange.factories_pages import message_bytes, message_make, register
from tests.funding.factories import FunderFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


def _accessible(page, check) -> None:
    violations = check(page)
    assert not violations, "\n".join(violations)


def test_a_manager_uploads_a_message_and_opens_it(
    browser_page, login, screenshot, serious_accessibility_violations, monkeypatch, settings,
    tmp_path,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path / "media"
    register(monkeypatch)
    organisation = OrganisationFactory()
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    client = ClientFactory(organisation=organisation)
    funder = FunderFactory(name="Gemeente Voorbeeld")
    earlier = message_make(
        organisation,
        identification="VB-1",
        clients=[client],
        funder=funder,
        outcome=[{"code": "8001", "text": "", "path": "Client"}],
        status=MessageStatus.REJECTED,
    )
    message_make(
        organisation,
        identification="VB-2",
        kind="JW302",
        direction=Direction.OUT,
        status=MessageStatus.SENT,
        in_reply_to=earlier,
        funder=funder,
    )
    page = browser_page
    login(page, manager)
    page.goto("/messages/")
    page.get_by_label("Berichtbestanden", exact=True).set_input_files(
        [
            {
                "name": "nieuw.xml",
                "mimeType": "application/xml",
                "buffer": message_bytes(receiver=organisation.agb_code, identification="UP-9"),
            },
            {"name": "kapot.xml", "mimeType": "application/xml", "buffer": b"kapot"},
        ]
    )
    page.get_by_role("button", name="Uploaden").click()
    results = page.locator(".upload-results")
    expect(results).to_contain_text("nieuw.xml")
    expect(results).to_contain_text("opgeslagen")
    expect(results).to_contain_text("kapot.xml")
    expect(results).to_contain_text("geweigerd")
    expect(page.locator("table.messages-table")).to_contain_text("VB-1")
    expect(page.locator("table.messages-table")).to_contain_text("Gemeente Voorbeeld")
    _accessible(page, serious_accessibility_violations)
    screenshot(page, "inbox")

    page.get_by_role("link", name="JW301", exact=True).last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("JW301 VB-1")
    main = page.locator("main")
    expect(main).to_contain_text(client.client_number)
    expect(main).not_to_contain_text(client.family_name)
    expect(main).to_contain_text("8001")
    expect(main).to_contain_text("JW302 VB-2")
    _accessible(page, serious_accessibility_violations)
    screenshot(page, "message")
