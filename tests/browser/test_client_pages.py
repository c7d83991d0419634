"""The client pages in a real browser: finding a client, what each role sees of the record."""

import re
from datetime import timedelta

from django.utils import timezone

from apps.accounts.models import Role
from apps.core.domains import ActivityKind, Domain
from apps.trajectories.services import activity_log
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.trajectories.factories import TrajectoryFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


def test_a_caseworker_finds_a_client_by_name_and_sees_the_funded_treatment_session(
    browser_page, login, screenshot, client_record
):
    page, record = browser_page, client_record
    other = TrajectoryFactory(
        client__organisation=record.client.organisation,
        client__given_name="Sanne",
        client__family_name="Oosterhout",
        lead_caseworker=record.caseworker,
    ).client

    login(page, record.caseworker)
    page.get_by_role("navigation").get_by_role("link", name="Mijn cliënten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn cliënten")
    expect(page.locator("main")).to_contain_text(other.full_name)
    page.locator("input[name=q]").fill("Verbrugghen")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.locator("main")).not_to_contain_text(other.full_name)
    screenshot(page, "01-my-clients-search")

    page.get_by_role("link", name="Merel Verbrugghen").click()
    expect(page).to_have_url(re.compile(rf"/clients/{record.client.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Merel Verbrugghen")
    session = page.locator(f"#activity-{record.treatment.pk}")
    expect(session).to_contain_text("Behandelsessie")
    expect(session).to_contain_text("60 min")
    expect(session).to_contain_text(f"Gefinancierd · {record.allocation.number}")
    expect(session).to_contain_text(record.treatment_note)
    screenshot(page, "02-client-page")


def test_a_teacher_sees_the_lesson_but_not_the_care_lane_nor_a_treatment_note(
    browser_page, login, screenshot, client_record
):
    page, record = browser_page, client_record
    main = page.locator("main")

    login(page, record.teacher)
    page.goto(f"/clients/{record.client.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Merel Verbrugghen")
    lesson = page.locator(f"#activity-{record.lesson.pk}")
    expect(lesson).to_contain_text("Les")
    expect(lesson).to_contain_text("Rekenen")
    expect(lesson).to_contain_text(record.lesson_note)
    expect(main).to_contain_text(record.education_goal)
    expect(main.get_by_text("Onderwijs", exact=True).first).to_be_visible()
    screenshot(page, "client-page-as-teacher")

    # No care lane: no lane called "Zorg", no treatment session, no care note or goal.
    expect(main.get_by_text("Zorg", exact=True)).to_have_count(0)
    expect(page.locator(f"#activity-{record.treatment.pk}")).to_have_count(0)
    text, html = page.locator("body").inner_text(), page.content()
    assert "Behandelsessie" not in text
    for secret in (record.treatment_note, "ZORGNOTITIE", record.care_goal, "ZORGDOEL"):
        assert secret not in html
    expect(page.locator("#funding-title")).to_have_count(0)  # allocations are not a teacher's


def test_a_shielded_client_shows_only_its_pseudonym_to_a_manager_outside_the_care_team(
    browser_page, login, screenshot
):
    page = browser_page
    client = ClientFactory(
        given_name="Zwaantje", family_name="Hoogeveenstra", pseudonym="Libel-7", shielded=True
    )
    trajectory = TrajectoryFactory(client=client, start=timezone.localdate() - timedelta(days=30))
    activity_log(  # a note that names the client: notes are not a manager's either
        trajectory=trajectory,
        domain=Domain.CARE,
        kind=ActivityKind.TREATMENT_SESSION,
        date=timezone.localdate() - timedelta(days=2),
        duration_minutes=45,
        performed_by=trajectory.lead_caseworker,
        actor=trajectory.lead_caseworker,
        note="Zwaantje Hoogeveenstra vertelde over de nacht in het hotel.",
    )
    manager = UserFactory(organisation=client.organisation, roles=[Role.MANAGER])

    login(page, manager)
    page.goto(f"/clients/{client.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Libel-7")
    expect(page.locator("main")).to_contain_text("afgeschermd")
    expect(page.locator("main")).to_contain_text("Behandelsessie")  # the figures are shown
    screenshot(page, "shielded-client-as-manager")

    html = page.content().lower()
    assert "zwaantje" not in html
    assert "hoogeveenstra" not in html
