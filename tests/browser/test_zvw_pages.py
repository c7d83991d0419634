"""The Zvw pages of issue 20 in a real browser (in Dutch): a caseworker sees the to-do on the
client page of a young person of 17½, completes the Zvw route and records a care-demand
typing; a manager opens the insurer declarations. axe-core finds no serious or critical
violation on any of them, and each leaves a screenshot. The rules in full: tests/zvw."""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from apps.accounts.models import Role
from apps.funding.models import FunderKind
from apps.zvw.models import CareDemandTyping, InsurerDeclaration, Profession, ZvwRoute
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.factories import FunderFactory
from tests.trajectories.factories import TrajectoryFactory
from tests.zvw.factories import PractitionerProfileFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


def _accessible(page, check) -> None:
    violations = check(page)
    assert not violations, "\n".join(violations)


def test_a_caseworker_completes_the_zvw_route_before_the_18th_birthday(
    browser_page, login, screenshot, serious_accessibility_violations
):
    page = browser_page
    today = timezone.localdate()
    trajectory = TrajectoryFactory(
        client=ClientFactory(
            given_name="Noor",
            family_name="Bijnaachttien",
            date_of_birth=today - relativedelta(years=18) + datetime.timedelta(days=90),
        ),
        start=today - datetime.timedelta(days=200),
    )
    client, lead = trajectory.client, trajectory.lead_caseworker
    PractitionerProfileFactory(user=lead, profession=Profession.GZ_PSYCHOLOOG)
    login(page, lead)

    page.goto(f"/clients/{client.pk}/")
    panel = page.locator("section.zvw-panel")
    expect(panel).to_contain_text("Ggz na 18")
    expect(panel).to_contain_text("Leg het polisnummer vast.")
    screenshot(page, "01-client-page-to-do")
    panel.get_by_role("link", name="Zvw-route").click()

    expect(page.locator("main h1")).to_contain_text("Zvw-route van")
    _accessible(page, serious_accessibility_violations)
    form = page.locator("section[aria-labelledby=route-title] form")
    form.locator("input[name=uzovi]").fill("3311")
    form.locator("input[name=policy_number]").fill("123456789")
    form.locator("input[name=insurance_checked_on]").fill(today.isoformat())
    form.locator("select[name=referral_type]").select_option("gp")
    form.locator("input[name=referrer_name]").fill("Huisartsenpraktijk De Linde")
    form.locator("input[name=referral_date]").fill(today.isoformat())
    form.locator("select[name=regiebehandelaar]").select_option(str(lead.pk))
    form.locator("button[type=submit]").click()
    expect(page.get_by_role("status").first).to_be_visible()
    route = ZvwRoute.objects.get(client=client)
    assert (route.uzovi, route.regiebehandelaar_id) == ("3311", lead.pk)
    screenshot(page, "02-route-saved")

    typing = page.locator("section[aria-labelledby=typing-title] form")
    typing.locator("input[name=care_demand_type]").fill("X4")
    typing.locator("input[name=measured_on]").fill(today.isoformat())
    typing.locator("button[type=submit]").click()
    expect(page.get_by_role("status").first).to_be_visible()
    assert CareDemandTyping.objects.filter(client=client, care_demand_type="X4").exists()
    expect(page.locator("section[aria-labelledby=todo-title]")).to_contain_text(
        "de route is compleet"
    )
    _accessible(page, serious_accessibility_violations)
    screenshot(page, "03-route-complete")


def test_a_manager_opens_the_insurer_declarations(
    browser_page, login, screenshot, serious_accessibility_violations
):
    page = browser_page
    manager = UserFactory(roles=[Role.MANAGER])
    FunderFactory(kind=FunderKind.HEALTH_INSURER, code="3311", name="Zorgverzekeraar Midden")
    client = ClientFactory(organisation=manager.organisation)
    ZvwRoute.objects.create(client=client, uzovi="3311")
    login(page, manager)
    page.goto("/zvw/declarations/")
    expect(page.locator("main h1")).to_contain_text("Declaraties aan verzekeraars")
    _accessible(page, serious_accessibility_violations)
    # The insurer by name and code, the month in words (Dutch), both from a list.
    form = page.locator("section[aria-labelledby=draft-title] form")
    insurer = form.get_by_label("Verzekeraar")
    expect(insurer.locator("option[value='3311']")).to_have_text(
        "Zorgverzekeraar Midden (UZOVI 3311)"
    )
    month = form.get_by_label("Maand")
    last = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    expect(month.locator("option").first).to_have_attribute("value", f"{last:%Y-%m}")
    expect(form).to_contain_text("Een maand die voorbij is")
    insurer.select_option("3311")
    screenshot(page, "declarations-draft-form-nl")
    form.locator("button[type=submit]").click()
    # Nothing of this client's was paid by the insurer: nothing to declare, nothing saved.
    expect(page.get_by_role("status").first).to_be_visible()
    assert not InsurerDeclaration.objects.exists()
    # In English the months are English.
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": page.url}]
    )
    page.goto("/zvw/declarations/")
    expect(page.locator("main h1")).to_contain_text("Insurer declarations")
    expect(form.get_by_label("Month").locator("option").first).to_have_text(f"{last:%B %Y}")
    _accessible(page, serious_accessibility_violations)
    screenshot(page, "declarations-draft-form-en")
    page.goto("/zvw/rejected/")
    expect(page.locator("main h1")).to_contain_text("Afgewezen regels")
    _accessible(page, serious_accessibility_violations)
    screenshot(page, "rejected-lines")
