"""The daily work in a real browser: logging care, schooling and work; the manager's view."""

import re
from datetime import timedelta

from django.utils import timezone

from apps.accounts.models import Role
from apps.core.domains import ActivityKind, Domain
from apps.trajectories.models import Activity, TeamRole
from apps.trajectories.services import activity_log, care_team_join
from tests.accounts.factories import UserFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None


def test_a_caseworker_logs_a_treatment_step_and_sees_it_assigned_to_the_allocation(
    browser_page, login, screenshot, client_record
):
    page, record = browser_page, client_record
    login(page, record.caseworker)
    page.goto(f"/clients/{record.client.pk}/")
    page.get_by_role("link", name="Activiteit vastleggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activiteit vastleggen")
    # Lane (care) and date (today) are preset: kind, duration and a note are all it takes.
    page.get_by_label("Soort").select_option(ActivityKind.TREATMENT_SESSION)
    page.get_by_label("Duur in minuten").fill("50")
    page.get_by_label("Notitie").fill("BROWSERNOTITIE stabilisatie, huiswerk besproken")
    page.get_by_label("Notitie").blur()
    # Before saving, the page says where the session will be paid from (htmx).
    preview = page.locator("#funding-preview")
    expect(preview).to_contain_text(record.allocation.number)
    expect(preview).to_contain_text("Gefinancierd")
    screenshot(page, "01-form-with-funding-preview")
    page.get_by_role("button", name="Opslaan").click()

    expect(page).to_have_url(re.compile(rf"/clients/{record.client.pk}/#activity-\d+$"))
    expect(page.get_by_role("status")).to_contain_text(
        f"Toegewezen aan toewijzing {record.allocation.number}"
    )
    activity = Activity.objects.get(note__startswith="BROWSERNOTITIE")
    logged = page.locator(f"#activity-{activity.pk}")
    expect(logged).to_contain_text("Behandelsessie")
    expect(logged).to_contain_text(f"Gefinancierd · {record.allocation.number}")
    assert activity.allocation == record.allocation
    screenshot(page, "02-client-page-with-the-new-session")


def test_a_wrong_date_gets_a_dutch_message_and_nothing_is_saved(
    browser_page, login, screenshot, client_record
):
    page, record = browser_page, client_record
    before = Activity.objects.count()
    login(page, record.caseworker)
    page.goto(f"/clients/{record.client.pk}/activities/new/")
    page.get_by_label("Soort").select_option(ActivityKind.TREATMENT_SESSION)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Datum").fill(tomorrow.isoformat())
    page.get_by_label("Duur in minuten").fill("45")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".field-date .errorlist")).to_contain_text("in de toekomst")
    screenshot(page, "01-error")
    assert Activity.objects.count() == before


def test_a_teacher_records_attendance_and_a_lesson_and_never_sees_the_care_lane(
    browser_page, login, screenshot, client_record
):
    page, record = browser_page, client_record
    login(page, record.teacher)
    page.goto(f"/clients/{record.client.pk}/")
    page.get_by_role("link", name="Onderwijs", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Onderwijs van")
    page.get_by_label("Soort").select_option(ActivityKind.LESSON)
    page.get_by_label("Duur in minuten").fill("50")
    page.get_by_label("Aanwezigheid", exact=True).select_option("absent_authorised")
    page.get_by_label("Vak").fill("Nederlands")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("main")).to_contain_text("Afwezig, geoorloofd")
    page.get_by_label("Soort").select_option(ActivityKind.LESSON)
    page.get_by_label("Duur in minuten").fill("50")
    page.get_by_label("Aanwezigheid", exact=True).select_option("present")
    page.get_by_label("Vak").fill("Rekenen")
    page.get_by_label("Beoordeling").fill("voldoende")
    page.get_by_label("Behaalde mijlpaal").fill("Rekenniveau 1F gehaald")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("main")).to_contain_text("Rekenniveau 1F gehaald")
    screenshot(page, "01-schooling-record")
    assert (
        Activity.objects.filter(performed_by=record.teacher, domain=Domain.EDUCATION).count() == 3
    )

    page.goto(f"/clients/{record.client.pk}/")
    main = page.locator("main")
    expect(main).not_to_contain_text(record.treatment_note)
    expect(main).not_to_contain_text("Behandelsessie")
    expect(page.get_by_role("columnheader", name="Zorg")).to_have_count(0)
    screenshot(page, "02-client-page-as-teacher")


def test_a_job_coach_records_an_internship_day(browser_page, login, screenshot, client_record):
    page, record = browser_page, client_record
    coach = UserFactory(organisation=record.client.organisation, roles=[Role.JOB_COACH])
    care_team_join(
        trajectory=record.trajectory,
        user=coach,
        role=TeamRole.JOB_COACH,
        start=record.trajectory.start,
        actor=record.caseworker,
    )
    login(page, coach)
    page.goto(f"/clients/{record.client.pk}/")
    page.get_by_role("link", name="Werk en participatie").click()
    page.get_by_label("Soort").select_option(ActivityKind.INTERNSHIP_DAY)
    page.get_by_label("Duur in minuten").fill("420")
    page.get_by_label("Behaalde mijlpaal").fill("Eerste stagedag bij de bakkerij")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("main")).to_contain_text("Eerste stagedag bij de bakkerij")
    expect(page.locator("main")).to_contain_text("Stagedag")
    screenshot(page, "01-work-record")
    page.goto(f"/clients/{record.client.pk}/")
    expect(page.locator("main")).not_to_contain_text(record.treatment_note)
    expect(page.locator("main")).not_to_contain_text(record.lesson_note)


def test_a_manager_sees_the_unfunded_queue_and_an_allocations_use(
    browser_page, login, screenshot, client_record
):
    page, record = browser_page, client_record
    record.client.shielded = False
    # Guidance, which the client's treatment allocation does not pay for: it waits unfunded.
    # (Schooling would not: it is funded per pupil, never per activity.)
    crisis = activity_log(
        trajectory=record.trajectory,
        domain=Domain.CARE,
        kind=ActivityKind.GUIDANCE,
        date=timezone.localdate() - timedelta(days=2),
        duration_minutes=30,
        performed_by=record.caseworker,
        actor=record.caseworker,
        expected_funding="Gemeente, aanvraag begeleiding loopt",
    )
    assert crisis.funding_status == "unfunded"
    manager = UserFactory(organisation=record.client.organisation, roles=[Role.MANAGER])
    login(page, manager)
    page.get_by_role("navigation").get_by_role("link", name="Financiering").click()
    main = page.locator("main")
    expect(main).to_contain_text(record.allocation.number)
    expect(main).to_contain_text("Gemeente, aanvraag begeleiding loopt")
    expect(main).not_to_contain_text(record.treatment_note)
    used = page.locator("tr", has_text=record.allocation.number).locator("meter, progress")
    expect(used.first).to_be_visible()
    screenshot(page, "01-funding-overview")
