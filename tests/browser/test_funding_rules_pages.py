"""The pages of issue 15 in a real browser: residential stays and day parts, extended youth
care, the school placement and the employment. A caseworker, a teacher and a job coach work
through them as a person would (in Dutch; the school page once in English); axe-core finds no
serious or critical violation on any of them, and each leaves a screenshot. The rules and the
refusals in full: the view tests in tests/trajectories (test_presence_views, test_education,
test_youth_care_views)."""

import datetime
import re

from django.utils import timezone

from apps.accounts.models import Role
from apps.clients.models import ExtendedYouthCare
from apps.funding.models import FunderKind
from apps.trajectories.models import DayAttendance, Employment, SchoolPlacement, Stay, StayLeave
from apps.trajectories.services import care_team_join
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.factories import FunderFactory
from tests.trajectories.factories import TrajectoryFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (or fails them in CI)
    expect = None

D = datetime.date
DUTCH_DATE = re.compile(r"\b\d{2}-\d{2}-\d{4}\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def _member(trajectory, role: str):
    user = UserFactory(organisation=trajectory.client.organisation, roles=[Role(role)])
    care_team_join(
        trajectory=trajectory,
        user=user,
        role=role,
        start=trajectory.start,
        actor=trajectory.lead_caseworker,
    )
    return user


def _accessible(page, check) -> None:
    violations = check(page)
    assert not violations, "\n".join(violations)


def _shown_text(page) -> str:
    """What the main element shows (no input values: those are ISO in a date field)."""
    return page.locator("main").inner_text()


def test_a_caseworker_admits_records_leave_discharges_and_ticks_day_parts(
    browser_page, login, screenshot, serious_accessibility_violations, client_record
):
    page, record = browser_page, client_record
    client = record.client
    login(page, record.caseworker)

    page.goto(f"/clients/{client.pk}/stays/")
    expect(page.locator("main h1")).to_contain_text("Verblijf")
    admit = page.locator("section[aria-labelledby=admit-title] form")
    admit.locator("input[name=admitted_on]").fill(_days_ago(20).isoformat())
    screenshot(page, "01-stays-admit")
    _accessible(page, serious_accessibility_violations)
    admit.locator("button[type=submit]").click()
    expect(page.get_by_role("status")).to_contain_text(_days_ago(20).strftime("%d-%m-%Y"))
    stay = Stay.objects.get(trajectory=record.trajectory)
    expect(page.locator(f"#stay-{stay.pk}")).to_contain_text("21 nachten")

    # A leave weekend: away on Friday and Saturday night, back on Sunday.
    friday = _days_ago(20) + datetime.timedelta(days=(4 - _days_ago(20).weekday()) % 7 + 7)
    leave = page.locator(f'form[action$="/stays/{stay.pk}/leave/"]')
    leave.locator("input[name=leaves_on]").fill(friday.isoformat())
    leave.locator("input[name=returns_on]").fill((friday + datetime.timedelta(days=2)).isoformat())
    leave.locator("input[name=note]").fill("Weekend bij oma")
    leave.locator("button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert StayLeave.objects.get(stay=stay).nights == 2
    expect(page.locator(f"#stay-{stay.pk}")).to_contain_text("waarvan 2 nachten met verlof")
    expect(page.locator("main table")).to_contain_text(friday.strftime("%d-%m-%Y"))
    screenshot(page, "02-stays-leave")
    _accessible(page, serious_accessibility_violations)

    discharge = page.locator(f'form[action$="/stays/{stay.pk}/discharge/"]')
    discharge.locator("input[name=discharged_on]").fill(_days_ago(2).isoformat())
    discharge.locator("button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    stay.refresh_from_db()
    assert stay.discharged_on == _days_ago(2)
    expect(page.locator(f"#stay-{stay.pk}")).to_contain_text("18 nachten")
    expect(page.locator(f"#stay-{stay.pk}")).to_contain_text(_days_ago(2).strftime("%d-%m-%Y"))
    screenshot(page, "03-stays-discharged")
    _accessible(page, serious_accessibility_violations)
    shown = _shown_text(page)
    assert DUTCH_DATE.search(shown)
    assert not ISO_DATE.search(shown), shown

    # The client page: the stay is one bar with its nights, no row a night.
    page.goto(f"/clients/{client.pk}/")
    bars = page.locator(".stay-bar")
    expect(bars).to_have_count(1)
    expect(bars).to_contain_text("18 nachten")
    # No allocation pays for the stay yet: its nights wait as one entry, not one a night.
    waiting = page.locator("ul.unfunded li")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("18 nachten")
    expect(page.locator("main")).not_to_contain_text("Verblijf (etmaal)")
    screenshot(page, "04-client-page")

    # Day parts: tick the morning and the afternoon of yesterday.
    page.goto(f"/clients/{client.pk}/day-parts/")
    form = page.locator("section[aria-labelledby=day-title] form")
    form.locator("input[name=date]").fill(_days_ago(1).isoformat())
    form.get_by_label("Ochtend").check()
    form.get_by_label("Middag").check()
    screenshot(page, "05-day-parts-form")
    _accessible(page, serious_accessibility_violations)
    form.locator("button[type=submit]").click()
    expect(page.get_by_role("status")).to_contain_text("2 dagdelen")
    attendance = DayAttendance.objects.get(trajectory=record.trajectory)
    assert sorted(attendance.day_parts) == ["afternoon", "morning"]
    row = page.locator(
        "section[aria-labelledby=week-title] tbody tr", has_text=_days_ago(1).strftime("%d-%m-%Y")
    )
    expect(row.locator("td", has_text="✓")).to_have_count(2)
    screenshot(page, "06-day-parts-week")
    _accessible(page, serious_accessibility_violations)


VALID_YOUTH_CARE = {
    "care_started_on": "2024-09-01",
    "decided_by": "College van B&W, gemeente Utrecht",
    "decision_reference": "VJH-2025-12",
    "decision_date": "2025-07-01",
    "start": "2025-08-01",
    "until": "2026-07-31",
}


def _fill(form, values: dict) -> None:
    for name, value in values.items():
        form.locator(f"[name={name}]").fill(value)


def test_a_caseworker_records_extended_youth_care_and_a_late_resumption_is_refused(
    browser_page, login, screenshot, serious_accessibility_violations
):
    page = browser_page
    trajectory = TrajectoryFactory(
        client=ClientFactory(
            given_name="Jesse", family_name="Achttien", date_of_birth=D(2007, 8, 1)
        ),
        start=D(2025, 1, 1),
    )
    client = trajectory.client
    login(page, trajectory.lead_caseworker)

    page.goto(f"/clients/{client.pk}/extended-youth-care/")
    expect(page.locator("main h1")).to_contain_text("Verlengde jeugdhulp")
    screenshot(page, "01-empty")
    _accessible(page, serious_accessibility_violations)

    # Resumed seven months after the previous care ended: the law allows six (Jeugdwet
    # art. 1.1, "verlengde jeugdhulp"; the rule and its source: tests/clients/test_youth_care.py).
    form = page.locator("section[aria-labelledby=form-title] form")
    form.locator("input[name=basis][value=resumed]").check()
    _fill(
        form,
        {
            **VALID_YOUTH_CARE,
            "previous_care_ended_on": "2025-07-31",
            "start": "2026-02-28",
            "decision_date": "2026-02-20",
        },
    )
    form.locator("button[type=submit]").click()
    alert = page.get_by_role("alert").first
    expect(alert).to_be_visible()
    expect(page.locator("main")).to_contain_text("zes maanden")
    assert not ExtendedYouthCare.objects.exists()
    screenshot(page, "02-refused")
    _accessible(page, serious_accessibility_violations)

    form = page.locator("section[aria-labelledby=form-title] form")
    form.locator("input[name=basis][value=continued]").check()
    _fill(form, {**VALID_YOUTH_CARE, "previous_care_ended_on": ""})
    form.locator("button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    care = ExtendedYouthCare.objects.get(client=client)
    assert (care.basis, care.until) == ("continued", D(2026, 7, 31))
    periods = page.locator("section[aria-labelledby=periods-title] tbody")
    expect(periods).to_contain_text("VJH-2025-12")
    expect(periods).to_contain_text("01-08-2025")
    screenshot(page, "03-recorded")
    _accessible(page, serious_accessibility_violations)
    shown = page.locator("section[aria-labelledby=periods-title]").inner_text()
    assert not ISO_DATE.search(shown), shown


SCHOOL_DATES = {"tlv_start": "2024-08-01", "tlv_end": "2026-07-31", "start": "2024-08-19"}


def test_a_teacher_records_a_school_placement_and_a_job_coach_an_employment(
    browser_page, login, screenshot, serious_accessibility_violations
):
    page = browser_page
    trajectory = TrajectoryFactory(
        client=ClientFactory(
            given_name="Ilse", family_name="Schoolmans", date_of_birth=D(2008, 3, 1)
        ),
        start=D(2024, 8, 1),
    )
    client = trajectory.client
    swv = FunderFactory(
        name="Samenwerkingsverband VO Zonnedal", kind=FunderKind.SAMENWERKINGSVERBAND, code="VO2699"
    )
    teacher = _member(trajectory, "teacher")
    job_coach = _member(trajectory, "job_coach")
    login(page, teacher)

    page.goto(f"/clients/{client.pk}/school/")
    form = page.locator("section[aria-labelledby=placement-title] form")
    # An MBO has no TLV: with a samenwerkingsverband it is refused, and nothing is saved.
    _fill(form, {"school_name": "ROC Zonnedal", "board_code": "30999", "start": "2025-08-25"})
    form.locator("select[name=school_type]").select_option("mbo")
    form.locator("select[name=mbo_level]").select_option("1")
    form.locator("select[name=samenwerkingsverband]").select_option(str(swv.pk))
    form.locator("button[type=submit]").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("samenwerkingsverband")
    assert not SchoolPlacement.objects.exists()
    screenshot(page, "01-mbo-refused")
    _accessible(page, serious_accessibility_violations)

    # A VSO with its TLV.
    form = page.locator("section[aria-labelledby=placement-title] form")
    _fill(
        form,
        {
            "school_name": "De Regenboog (vso)",
            "board_code": "41999",
            "brin": "29ZZ",
            "location_number": "01",
            "tlv_number": "TLV-2024-17",
            **SCHOOL_DATES,
        },
    )
    form.locator("select[name=school_type]").select_option("vso")
    form.locator("select[name=mbo_level]").select_option("")
    form.locator("select[name=samenwerkingsverband]").select_option(str(swv.pk))
    form.locator("select[name=tlv_category]").select_option("2")
    form.locator("button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    placement = SchoolPlacement.objects.get()
    assert placement.funding_basis == "duo_tlv"
    expect(page.locator("ul.placements")).to_contain_text("TLV-2024-17")
    expect(page.locator("ul.placements")).to_contain_text("19-08-2024")
    screenshot(page, "02-vso-recorded")
    _accessible(page, serious_accessibility_violations)
    assert not ISO_DATE.search(page.locator("ul.placements").inner_text())

    # The same page in English, by the switch in the header.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"/clients/{client.pk}/school/")
    expect(page.locator("main h1")).to_contain_text("School of")
    expect(page.locator("ul.placements")).to_contain_text("TLV-2024-17")
    screenshot(page, "03-school-english")
    _accessible(page, serious_accessibility_violations)
    page.get_by_role("button", name="Nederlands").click()
    page.context.clear_cookies()

    login(page, job_coach)
    page.goto(f"/clients/{client.pk}/employment/")
    form = page.locator("section[aria-labelledby=employment-title] form")
    _fill(
        form, {"employer": "Bakkerij De Korenschoof", "hours_per_week": "16", "start": "2025-03-01"}
    )
    form.locator("button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert Employment.objects.get().hours_per_week == 16
    expect(page.locator("ul.employments")).to_contain_text("Bakkerij De Korenschoof")
    expect(page.locator("ul.employments")).to_contain_text("01-03-2025")
    screenshot(page, "04-employment")
    _accessible(page, serious_accessibility_violations)
    assert not ISO_DATE.search(page.locator("ul.employments").inner_text())


def test_a_teacher_is_refused_the_stays_and_another_organisation_gets_not_found(
    browser_page, login, client_record
):
    page, record = browser_page, client_record
    login(page, record.teacher)
    response = page.goto(f"/clients/{record.client.pk}/stays/")
    assert response.status == 403
    expect(page.locator("main")).not_to_contain_text("Opnemen")
    page.context.clear_cookies()

    stranger = UserFactory(roles=[Role.CASEWORKER])  # another organisation
    login(page, stranger)
    response = page.goto(f"/clients/{record.client.pk}/stays/")
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text(record.client.family_name)
