"""Registers in a real browser: a group session for four, a class lesson, the absence prompt."""

import datetime
import re

from django.utils import timezone

from apps.core.domains import Attendance
from apps.registers.models import GroupSession
from apps.registers.selectors import current_pupils
from apps.registers.services import (
    ParticipantEntry,
    class_lesson_register,
    class_pupil_add,
    school_class_create,
)
from apps.trajectories.models import Activity
from tests.registers.world import build_world

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None

WIDE, NARROW = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def _both_widths(page, screenshot, name):
    page.set_viewport_size(WIDE)
    screenshot(page, f"{name}-1366")
    page.set_viewport_size(NARROW)
    screenshot(page, f"{name}-390")
    # The register itself fits a phone: rows stack, nothing scrolls sideways in <main>.
    assert page.evaluate("document.querySelector('main').scrollWidth") <= NARROW["width"]
    page.set_viewport_size(WIDE)


def test_a_group_session_for_four_where_one_waits_for_funding(
    browser_page, login, screenshot, serious_accessibility_violations
):
    page, world = browser_page, build_world()
    login(page, world.caseworker)
    page.goto("/registers/group/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Groepsbijeenkomst registreren")
    page.get_by_label("Soort").select_option("group_session")
    page.get_by_label("Duur in minuten").fill("90")
    page.get_by_label("Onderwerp of titel").fill("Weerbaarheidstraining")
    for index, client in enumerate(world.clients[:4]):
        page.locator(f"select[name=p-{index}-client]").select_option(str(client.pk))
    # A shielded client is offered by pseudonym only.
    options = page.locator("select[name=p-0-client] option").all_inner_texts()
    assert world.shielded.pseudonym in options
    assert world.shielded.full_name not in options
    assert serious_accessibility_violations(page) == []
    _both_widths(page, screenshot, "01-form")
    page.get_by_role("button", name="Register opslaan").click()

    session = GroupSession.objects.get()
    expect(page).to_have_url(re.compile(rf"/registers/sessions/{session.pk}/$"))
    for client in world.funded:
        row = page.locator(f"#participant-{session.participants.get(client=client).pk}")
        expect(row).to_contain_text("Gefinancierd op toewijzing GRP-")
    waiting = session.participants.get(client=world.unfunded)
    row = page.locator(f"#participant-{waiting.pk}")
    expect(row).to_contain_text("Wacht op financiering")
    expect(row).to_contain_text(waiting.activity.funding_reason_text[:30])
    assert serious_accessibility_violations(page) == []
    _both_widths(page, screenshot, "02-per-participant")


def _class(world, lesson_minutes=50):
    school_class = school_class_create(
        name="Entree 1", lesson_minutes=lesson_minutes, actor=world.teacher
    )
    for client in world.clients:
        class_pupil_add(school_class=school_class, client=client, actor=world.teacher)
    return school_class


def test_a_teachers_lesson_for_a_class_of_six_with_two_absent(
    browser_page, login, screenshot, serious_accessibility_violations
):
    page, world = browser_page, build_world(funded=0)
    school_class = _class(world)
    pupils = [pupil.client for pupil in current_pupils(school_class=school_class)]
    login(page, world.teacher)
    page.goto(f"/registers/classes/{school_class.pk}/")
    _both_widths(page, screenshot, "01-class")
    page.get_by_role("link", name="Les registreren").click()
    # Everyone present, today, the class's usual length: only the subject and the absent.
    expect(page.get_by_label("Duur in minuten")).to_have_value("50")
    page.get_by_label("Vak", exact=True).fill("Rekenen")
    page.locator("input[name=p-1-attendance][value=absent_authorised]").check()
    page.locator("input[name=p-3-attendance][value=absent_unauthorised]").check()
    assert serious_accessibility_violations(page) == []
    _both_widths(page, screenshot, "02-lesson-form")
    page.get_by_role("button", name="Les opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rekenen")
    lessons = Activity.objects.filter(kind="lesson")
    assert lessons.count() == 6
    assert lessons.get(trajectory__client=pupils[1]).attendance == Attendance.ABSENT_AUTHORISED
    assert lessons.get(trajectory__client=pupils[3]).attendance == Attendance.ABSENT_UNAUTHORISED
    _both_widths(page, screenshot, "03-saved")


def test_over_16_hours_of_unexcused_absence_asks_for_a_report(
    browser_page, login, screenshot, serious_accessibility_violations
):
    page, world = browser_page, build_world(funded=0)
    school_class = _class(world, lesson_minutes=255)
    pupils = [pupil.client for pupil in current_pupils(school_class=school_class)]
    truant = pupils[0]
    today = timezone.localdate()
    for weeks_ago in (3, 2, 1):  # 3 x 4 h 15 min = 12 h 45 min: no prompt yet
        class_lesson_register(
            school_class=school_class,
            date=today - datetime.timedelta(weeks=weeks_ago),
            subject="Nederlands",
            duration_minutes=255,
            participants=[ParticipantEntry(truant, Attendance.ABSENT_UNAUTHORISED)],
            actor=world.teacher,
        )
    login(page, world.teacher)
    page.goto(f"/registers/classes/{school_class.pk}/lesson/")
    page.get_by_label("Vak", exact=True).fill("Nederlands")
    page.locator("input[name=p-0-attendance][value=absent_unauthorised]").check()
    page.get_by_role("button", name="Les opslaan").click()
    prompt = page.locator("#absence-prompt")
    expect(prompt).to_contain_text("leerplichtambtenaar")
    expect(prompt).to_contain_text("17 uur")
    _both_widths(page, screenshot, "01-prompt-after-the-lesson")
    page.get_by_role("link", name="Entree 1").click()
    expect(page.locator("#absence-prompt")).to_be_visible()
    row = page.locator(f"#pupil-{truant.pk}")
    row.get_by_label("Notitie").fill("Gemeld in het verzuimloket, kenmerk 2026-0042")
    assert serious_accessibility_violations(page) == []
    _both_widths(page, screenshot, "02-class-page-with-prompt")
    row.get_by_role("button", name="Melding vastleggen").click()
    expect(page.locator("#absence-prompt")).to_have_count(0)
    expect(page.locator(f"#pupil-{truant.pk}")).to_contain_text("Gemeld op")
    assert truant.absence_reports.get().reported_by == world.teacher
    _both_widths(page, screenshot, "03-reported")
