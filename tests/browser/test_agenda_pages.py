"""The agenda in a real browser: plan an appointment from the client page, confirm it in one
click as an activity (with its funding), and record a no-show."""

import datetime
import re

from django.utils import timezone

from apps.agenda.models import Appointment, AppointmentStatus
from apps.agenda.services import appointment_plan
from apps.trajectories.models import Activity

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None

WIDE = {"width": 1366, "height": 900}
NARROW = {"width": 390, "height": 844}


def test_a_caseworker_plans_an_appointment_and_confirms_it_as_a_funded_activity(
    browser_page, login, screenshot, client_record, serious_accessibility_violations
):
    page, record = browser_page, client_record
    page.set_viewport_size(WIDE)
    login(page, record.caseworker)
    page.goto(f"/clients/{record.client.pk}/")
    panel = page.locator(".agenda-panel")
    expect(panel).to_contain_text("Niets gepland.")
    panel.get_by_role("link", name="Afspraak plannen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Afspraak plannen met")
    # Lane, kind (the lane's most common: the treatment session), date (today) and duration
    # are preset: a time and a purpose are all it takes.
    expect(page.get_by_label("Soort")).to_have_value("treatment_session")
    page.get_by_label("Begintijd").fill("08:15")
    page.get_by_label("Doel").fill("Veiligheidsplan doornemen")
    page.get_by_label("Plaats").fill("Spreekkamer 3")
    screenshot(page, "01-plan-1366")
    page.get_by_role("button", name="Plannen").click()

    expect(page.get_by_role("status")).to_contain_text("De afspraak is gepland.")
    appointment = Appointment.objects.get(purpose="Veiligheidsplan doornemen")
    row = page.locator(f"#appointment-{appointment.pk}")
    expect(row).to_contain_text("08:15")
    expect(row).to_contain_text("Veiligheidsplan doornemen")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "02-week-1366")

    row.get_by_role("button", name="Heeft plaatsgevonden: registreren als activiteit").click()
    expect(page.get_by_role("status")).to_contain_text("Bevestigd en geregistreerd als activiteit")
    expect(page.get_by_role("status")).to_contain_text(record.allocation.number)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.DONE
    assert appointment.activity.allocation == record.allocation
    expect(page.locator(f"#appointment-{appointment.pk}")).to_contain_text("Uitgevoerd")
    screenshot(page, "03-confirmed-1366")
    page.set_viewport_size(NARROW)
    screenshot(page, "04-confirmed-390")

    # A second click (another tab still showing the button) is refused in words.
    page.goto(f"/clients/{record.client.pk}/")
    expect(page.locator(".agenda-panel")).to_contain_text("Niets gepland.")


def test_a_teacher_records_a_no_show_and_nothing_is_logged_as_activity(
    browser_page, login, screenshot, client_record
):
    page, record = browser_page, client_record
    today = timezone.localdate()
    appointment = appointment_plan(
        trajectory=record.trajectory,
        domain="education",
        kind="study_guidance",
        date=today,
        start_time=datetime.time(13, 0),
        duration_minutes=30,
        purpose="Huiswerkbegeleiding",
        actor=record.teacher,
    )
    later = appointment_plan(
        trajectory=record.trajectory,
        domain="education",
        kind="study_guidance",
        date=today + datetime.timedelta(days=1),
        start_time=datetime.time(10, 0),
        duration_minutes=30,
        purpose="Toets voorbereiden",
        actor=record.teacher,
    )
    activities = Activity.objects.count()
    page.set_viewport_size(NARROW)
    login(page, record.teacher)
    page.goto("/agenda/day/")
    row = page.locator(f"#appointment-{appointment.pk}")
    expect(row).to_contain_text("13:00")
    screenshot(page, "01-day-390")
    row.get_by_role("button", name="Niet verschenen").click()
    expect(page.get_by_role("status")).to_contain_text("niets gedeclareerd")
    expect(page).to_have_url(re.compile(r"/agenda/day/"))
    expect(page.locator(f"#appointment-{appointment.pk}")).to_contain_text("Niet verschenen")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW
    assert Activity.objects.count() == activities
    screenshot(page, "02-no-show-390")
    # Tomorrow's appointment can only be cancelled, not confirmed yet.
    page.goto(f"/agenda/day/?date={later.date.isoformat()}")
    later_row = page.locator(f"#appointment-{later.pk}")
    expect(later_row.get_by_role("button", name="Niet verschenen")).to_have_count(0)
    expect(later_row.get_by_role("button", name="Annuleren")).to_have_count(1)
    page.set_viewport_size(WIDE)
    page.goto("/agenda/")
    screenshot(page, "03-week-1366")
