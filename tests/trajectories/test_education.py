"""School placements and employment (apps/trajectories/education.py) through the services and
the pages; the migration that releases schooling from allocations.

Sources (cited in full in tests/funding/test_education_rules.py): a TLV of the
samenwerkingsverband admits a pupil to (V)SO or praktijkonderwijs (swv-vo-2505.nl; swvam.nl:
"minimaal een jaar" valid) and carries a funding category for (V)SO (swvgo.nl); the MBO is
funded by a lump sum (WEB art. 2.2.1); a BRIN number is four characters, with two digits for the
location the vestigingsnummer (nl.wikipedia.org, "Basisregistratie Instellingen"). No source was
found for the length of the school board's (bevoegd gezag) number: it is checked as digits only.
The UWV pays job coaching beside a job (Reïntegratiebesluit art. 12), the municipality without
one (Participatiewet art. 10da).
"""

import datetime
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.funding.models import Frequency, FunderKind, Unit
from apps.funding.reasons import funding_reason_text
from apps.trajectories.assignment import allocation_register
from apps.trajectories.education import (
    employment_end,
    employment_register,
    school_placement_end,
    school_placement_register,
)
from apps.trajectories.models import Activity, Employment, SchoolPlacement
from apps.trajectories.services import activity_cancel, activity_log, care_team_join
from tests.accounts.factories import UserFactory
from tests.funding.factories import ContractFactory, FunderFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

D = datetime.date


@pytest.fixture
def trajectory(db):
    """A 17-year-old's open trajectory since 1 January 2025."""
    return TrajectoryFactory(client__date_of_birth=D(2008, 3, 1), start=D(2025, 1, 1))


@pytest.fixture
def lead(trajectory):
    return trajectory.lead_caseworker


@pytest.fixture
def swv(db):
    return FunderFactory(
        name="Samenwerkingsverband VO Zonnedal", kind=FunderKind.SAMENWERKINGSVERBAND, code="VO2699"
    )


def _vso(swv, **overrides):
    values = {
        "school_name": "De Regenboog (vso)",
        "board_code": "41999",
        "brin": "29zz",
        "location_number": "01",
        "school_type": "vso",
        "samenwerkingsverband": swv,
        "tlv_number": "TLV-2024-17",
        "tlv_category": "2",
        "tlv_start": D(2024, 8, 1),
        "tlv_end": D(2026, 7, 31),
        "start": D(2024, 8, 19),
    }
    values.update(overrides)
    return values


def _mbo(**overrides):
    values = {
        "school_name": "ROC Zonnedal",
        "board_code": "30999",
        "school_type": "mbo",
        "mbo_level": 1,
        "start": D(2025, 8, 25),
    }
    values.update(overrides)
    return values


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as raised:
        call()
    return raised.value.message_dict


# --- the school placement ------------------------------------------------------------------


def test_a_vso_placement_with_a_valid_tlv_is_funded_per_pupil_with_history(trajectory, lead, swv):
    placement = school_placement_register(trajectory=trajectory, actor=lead, **_vso(swv))

    assert placement.funding_basis == "duo_tlv"
    assert placement.brin == "29ZZ"
    assert placement.location_code == "29ZZ01"
    assert placement.history.get().history_user == lead
    assert AccessLogEntry.objects.filter(
        user=lead, client=trajectory.client, event="create"
    ).exists()


def test_a_vso_placement_needs_the_tlv_of_a_samenwerkingsverband(trajectory, lead, swv):
    values = _vso(
        swv, tlv_number="", samenwerkingsverband=None, tlv_category="", tlv_start=None, tlv_end=None
    )
    errors = _errors(lambda: school_placement_register(trajectory=trajectory, actor=lead, **values))
    assert set(errors) == {"tlv_number", "samenwerkingsverband", "tlv_category", "tlv_start"}
    assert not SchoolPlacement.objects.exists()


@pytest.mark.parametrize(
    ("tlv", "valid"),
    [
        ({"tlv_start": D(2024, 8, 19), "tlv_end": D(2025, 7, 31)}, True),  # from the first day
        ({"tlv_start": D(2024, 8, 20), "tlv_end": D(2025, 7, 31)}, False),  # a day too late
        ({"tlv_start": D(2023, 8, 1), "tlv_end": D(2024, 8, 18)}, False),  # ended the day before
        ({"tlv_start": D(2023, 8, 1), "tlv_end": None}, True),  # no end
    ],
)
def test_the_tlv_must_be_valid_on_the_placements_start(trajectory, lead, swv, tlv, valid):
    values = _vso(swv, **tlv)
    if valid:
        school_placement_register(trajectory=trajectory, actor=lead, **values)
        return
    errors = _errors(lambda: school_placement_register(trajectory=trajectory, actor=lead, **values))
    assert list(errors) == ["tlv_start"]
    assert "niet op de startdatum van de plaatsing 19-08-2024" in errors["tlv_start"][0]


def test_a_tlv_from_a_funder_that_is_no_samenwerkingsverband_is_refused(trajectory, lead):
    municipality = FunderFactory(name="Gemeente Utrecht", code="0344")
    errors = _errors(
        lambda: school_placement_register(trajectory=trajectory, actor=lead, **_vso(municipality))
    )
    assert list(errors) == ["samenwerkingsverband"]


def test_an_mbo_placement_is_funded_by_its_lump_sum_without_a_samenwerkingsverband(
    trajectory, lead, swv
):
    placement = school_placement_register(trajectory=trajectory, actor=lead, **_mbo())
    assert (placement.funding_basis, placement.mbo_level) == ("mbo_lump_sum", 1)

    with translation.override("en"):
        errors = _errors(
            lambda: school_placement_register(
                trajectory=TrajectoryFactory(),
                actor=lead,
                **_mbo(samenwerkingsverband=swv, tlv_number="TLV-1"),
            )
        )
    assert "no samenwerkingsverband funding" in errors["samenwerkingsverband"][0]
    errors = _errors(
        lambda: school_placement_register(
            trajectory=TrajectoryFactory(), actor=lead, **_mbo(mbo_level=None)
        )
    )
    assert list(errors) == ["mbo_level"]


def test_the_database_refuses_an_mbo_placement_with_a_samenwerkingsverband(trajectory, swv):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolPlacement.objects.create(
            trajectory=trajectory,
            school_name="ROC",
            board_code="1",
            school_type="mbo",
            mbo_level=2,
            funding_basis="mbo_lump_sum",
            samenwerkingsverband=swv,
            start=D(2025, 1, 1),
        )


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"school_type": "vo", "tlv_number": "TLV-9"}, {"tlv_number"}),  # regular VO: no TLV
        ({"school_type": "pro", "tlv_category": "2"}, {"tlv_category"}),  # PrO: no category
        ({"school_type": "vso", "mbo_level": 2}, {"mbo_level"}),
        ({"board_code": "BRIN12"}, {"board_code"}),  # the board's number is digits
        ({"brin": "12A"}, {"brin"}),
        ({"brin": "", "location_number": "01"}, {"location_number"}),
        ({"location_number": "1A"}, {"location_number"}),
        ({"end": D(2024, 8, 1)}, {"end"}),
        ({"school_type": "kindergarten"}, {"school_type"}),
    ],
)
def test_bad_input_is_refused_per_field(trajectory, lead, swv, values, fields):
    base = _vso(swv)
    if values.get("school_type") == "vo":
        base.update(samenwerkingsverband=None, tlv_category="", tlv_start=None, tlv_end=None)
    if values.get("school_type") == "pro":
        base.update(tlv_category="")
    base.update(values)
    errors = _errors(lambda: school_placement_register(trajectory=trajectory, actor=lead, **base))
    assert set(errors) == fields


def test_placements_do_not_overlap_and_one_ends_before_the_next(trajectory, lead, swv):
    first = school_placement_register(trajectory=trajectory, actor=lead, **_vso(swv))
    errors = _errors(lambda: school_placement_register(trajectory=trajectory, actor=lead, **_mbo()))
    assert list(errors) == ["start"]

    school_placement_end(placement=first, end=D(2025, 7, 11), actor=lead)
    mbo = school_placement_register(trajectory=trajectory, actor=lead, **_mbo())
    assert list(SchoolPlacement.objects.order_by("start")) == [first, mbo]
    assert first.history.count() == 2  # registered, ended
    errors = _errors(lambda: school_placement_end(placement=mbo, end=D(2025, 1, 1), actor=lead))
    assert list(errors) == ["end"]


# --- lessons and internship days: counted, not priced ----------------------------------------


def _education_allocation(trajectory, lead, swv):
    contract = ContractFactory(
        organisation=trajectory.client.organisation, stream=stream("onderwijs"), funder=swv
    )
    product = ProductFactory(contract=contract, unit=Unit.HOUR, category="")
    allocation, _matched = allocation_register(
        client=trajectory.client,
        product=product,
        number="SWV-1",
        volume=100,
        frequency=Frequency.TOTAL,
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
        actor=lead,
    )
    return allocation


def test_a_lesson_is_counted_but_never_drawn_on_an_education_allocation(trajectory, lead, swv):
    allocation = _education_allocation(trajectory, lead, swv)
    lesson = activity_log(
        trajectory=trajectory,
        domain="education",
        kind="lesson",
        date=D(2025, 3, 3),
        duration_minutes=100,
        attendance="present",
        performed_by=lead,
        actor=lead,
    )
    assert (lesson.funding_status, lesson.allocation, lesson.consumed) == (
        "not_chargeable",
        None,
        0,
    )
    with pytest.raises(ValidationError):  # nor when chosen by hand
        activity_log(
            trajectory=trajectory,
            domain="education",
            kind="exam",
            date=D(2025, 3, 4),
            duration_minutes=90,
            attendance="present",
            performed_by=lead,
            actor=lead,
            allocation=allocation,
        )
    internship = activity_log(
        trajectory=trajectory,
        domain="work",
        kind="internship_day",
        date=D(2025, 3, 5),
        duration_minutes=480,
        performed_by=lead,
        actor=lead,
    )
    assert internship.funding_reason == {"code": "school_programme"}
    assert not Activity.objects.unfunded().exists()


# --- job coaching: the UWV beside a job, the municipality otherwise ---------------------------


def _work_allocation(trajectory, lead, funder, number):
    contract = ContractFactory(
        organisation=trajectory.client.organisation, stream=stream("participatie"), funder=funder
    )
    allocation, _matched = allocation_register(
        client=trajectory.client,
        product=ProductFactory(contract=contract, unit=Unit.HOUR, category="", tariff_cents=8900),
        number=number,
        volume=20,
        frequency=Frequency.TOTAL,
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
        actor=lead,
    )
    return allocation


def _coach(trajectory, lead, day, **extra):
    return activity_log(
        trajectory=trajectory,
        domain="work",
        kind="job_coaching",
        date=day,
        duration_minutes=60,
        performed_by=lead,
        actor=lead,
        **extra,
    )


@pytest.fixture
def uwv(db):
    return FunderFactory(name="UWV", kind=FunderKind.UWV, code="UWV")


def test_without_a_job_the_uwv_refuses_job_coaching_and_says_the_municipality_pays(
    trajectory, lead, uwv
):
    _work_allocation(trajectory, lead, uwv, "UWV-1")
    coaching = _coach(trajectory, lead, D(2025, 3, 3))

    assert coaching.funding_status == "unfunded"
    assert coaching.funding_reason["refusals"] == [
        {"code": "uwv_needs_employment", "number": "UWV-1"}
    ]
    with translation.override("en"):
        assert "Participatiewet" in funding_reason_text(coaching.funding_reason)
    with pytest.raises(ValidationError):  # chosen by hand: refused with the same reason
        _coach(
            trajectory, lead, D(2025, 3, 4), allocation=coaching.trajectory.client.allocations.get()
        )

    municipality = FunderFactory(name="Gemeente Utrecht", code="0344")
    _work_allocation(trajectory, lead, municipality, "PW-1")
    coaching.refresh_from_db()
    assert coaching.funding_status == "funded"
    assert coaching.allocation.funder == municipality  # the Participatiewet route


def test_a_job_recorded_later_lets_the_uwv_pay_the_coaching_beside_it_and_its_end_releases_it(
    trajectory, lead, uwv
):
    _work_allocation(trajectory, lead, uwv, "UWV-2")
    before = _coach(trajectory, lead, D(2025, 2, 3))
    during = _coach(trajectory, lead, D(2025, 3, 3))
    after = _coach(trajectory, lead, D(2025, 5, 5))
    assert {a.funding_status for a in (before, during, after)} == {"unfunded"}

    job = employment_register(
        trajectory=trajectory,
        employer="Bakkerij Korenaar",
        hours_per_week=16,
        start=D(2025, 3, 1),
        end=None,
        actor=lead,
    )
    for activity in (before, during, after):
        activity.refresh_from_db()
    assert [a.funding_status for a in (before, during, after)] == [
        "unfunded",
        "funded",
        "funded",
    ]
    assert job.history.get().history_user == lead

    employment_end(employment=job, end=D(2025, 4, 30), actor=lead)
    after.refresh_from_db()
    during.refresh_from_db()
    assert (during.funding_status, after.funding_status) == ("funded", "unfunded")
    assert after.funding_reason["refusals"][0]["code"] == "uwv_needs_employment"
    assert after.history.filter(funding_status="funded").exists()  # released with history


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"employer": "  "}, "employer"),
        ({"hours_per_week": 0}, "hours_per_week"),
        ({"hours_per_week": 61}, "hours_per_week"),
        ({"end": D(2024, 12, 31)}, "end"),
    ],
)
def test_an_employment_with_bad_input_is_refused(trajectory, lead, values, field):
    base = {"employer": "Bakkerij", "hours_per_week": 16, "start": D(2025, 1, 1), "end": None}
    base.update(values)
    errors = _errors(lambda: employment_register(trajectory=trajectory, actor=lead, **base))
    assert field in errors
    assert not Employment.objects.exists()


# --- the migration that releases schooling from allocations -----------------------------------


def test_the_migration_releases_education_activities_with_history(trajectory, lead, swv):
    allocation = _education_allocation(trajectory, lead, swv)
    funded = activity_log(
        trajectory=trajectory,
        domain="education",
        kind="lesson",
        date=D(2025, 3, 3),
        duration_minutes=100,
        attendance="present",
        performed_by=lead,
        actor=lead,
    )
    cancelled = activity_log(
        trajectory=trajectory,
        domain="education",
        kind="lesson",
        date=D(2025, 3, 4),
        duration_minutes=100,
        attendance="present",
        performed_by=lead,
        actor=lead,
    )
    activity_cancel(activity=cancelled, actor=lead)
    # As it stood before issue 15: the lesson drawn on the education allocation.
    Activity.objects.filter(pk=funded.pk).update(
        allocation=allocation,
        funding_status="funded",
        consumed=100,
        funding_reason={"code": "assigned", "number": "SWV-1"},
    )
    cancelled_before = Activity.objects.get(pk=cancelled.pk).funding_reason

    migration = import_module("apps.trajectories.migrations.0007_education_not_priced_per_activity")
    migration.release_education(django_apps, None)

    funded.refresh_from_db()
    assert (funded.funding_status, funded.allocation_id, funded.consumed) == (
        "not_chargeable",
        None,
        0,
    )
    assert funded.funding_reason == {"code": "school_funded"}
    latest = funded.history.order_by("-history_id").first()
    assert latest.history_change_reason.startswith("issue 15")
    assert Activity.objects.get(pk=cancelled.pk).funding_reason == cancelled_before
    allocation.refresh_from_db()
    assert allocation.activities.count() == 0  # the allocation stays, readable, unused
    versions = funded.history.count()
    migration.release_education(django_apps, None)  # a second run changes nothing
    assert funded.history.count() == versions


def test_the_stream_migration_updates_the_education_and_integral_streams_with_history(db):
    from apps.funding.models import FundingStream

    FundingStream.objects.filter(code="integraal").update(
        domains=["care", "education", "work", "living"]
    )
    migration = import_module("apps.funding.migrations.0009_education_and_integral_streams")
    migration.streams_update(django_apps, None)
    integral = FundingStream.objects.get(code="integraal")
    assert integral.domains == ["care", "education", "work"]
    assert integral.history.latest("history_date").history_change_reason.startswith("issue 15")
    migration.streams_restore(django_apps, None)
    assert FundingStream.objects.get(code="onderwijs").domains == ["education"]
    migration.streams_update(django_apps, None)
    assert FundingStream.objects.get(code="onderwijs").domains == []


# --- the pages ------------------------------------------------------------------------------


def _member(trajectory, role):
    user = UserFactory(organisation=trajectory.client.organisation, roles=[Role(role)])
    care_team_join(
        trajectory=trajectory,
        user=user,
        role=role,
        start=D(2025, 1, 1),
        actor=trajectory.lead_caseworker,
    )
    return user


def _form(swv, **overrides):
    values = {
        "school_name": "De Regenboog (vso)",
        "board_code": "41999",
        "brin": "29ZZ",
        "location_number": "01",
        "school_type": "vso",
        "samenwerkingsverband": str(swv.pk),
        "tlv_number": "TLV-2024-17",
        "tlv_category": "2",
        "tlv_start": "2024-08-01",
        "tlv_end": "2026-07-31",
        "start": "2024-08-19",
        "end": "",
    }
    values.update(overrides)
    return values


def test_a_teacher_records_a_school_placement_and_the_read_is_logged(client, trajectory, swv):
    teacher = _member(trajectory, "teacher")
    client.force_login(teacher)
    url = reverse("clients:school_placements", kwargs={"pk": trajectory.client.pk})

    page = client.get(url)
    assert page.status_code == 200
    assert AccessLogEntry.objects.filter(
        user=teacher, client=trajectory.client, detail="school placements", outcome="allowed"
    ).exists()

    response = client.post(url, _form(swv))
    assert response.status_code == 302
    placement = SchoolPlacement.objects.get()
    assert (placement.funding_basis, placement.tlv_category) == ("duo_tlv", "2")
    with translation.override("en"):
        shown = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "TLV-2024-17" in shown.content.decode()


def test_a_placement_without_its_tlv_is_refused_on_the_form_and_nothing_is_saved(
    client, trajectory, swv
):
    client.force_login(_member(trajectory, "teacher"))
    url = reverse("clients:school_placements", kwargs={"pk": trajectory.client.pk})
    response = client.post(url, _form(swv, tlv_number="", tlv_start="not a date"))
    assert response.status_code == 200
    form = response.context["form"]
    assert {"tlv_start"} <= set(form.errors)
    response = client.post(url, _form(swv, tlv_number=""))
    assert response.status_code == 200
    assert "tlv_number" in response.context["form"].errors
    assert not SchoolPlacement.objects.exists()


def test_the_wrong_role_or_organisation_is_refused_and_logged(client, trajectory, swv):
    url = reverse("clients:school_placements", kwargs={"pk": trajectory.client.pk})
    job_coach = _member(trajectory, "job_coach")
    client.force_login(job_coach)
    assert client.get(url).status_code == 403
    assert client.post(url, _form(swv)).status_code == 403
    assert AccessLogEntry.objects.filter(user=job_coach, outcome="refused").count() == 2

    stranger = UserFactory(roles=[Role.CASEWORKER])  # another organisation
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert AccessLogEntry.objects.filter(user=stranger, outcome="refused").exists()

    manager = UserFactory(organisation=trajectory.client.organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    assert client.get(url).status_code == 200  # the funding basis is a figure
    assert client.post(url, _form(swv)).status_code == 403  # but the care team records it
    assert not SchoolPlacement.objects.exists()


def test_ending_a_placement_by_its_page(client, trajectory, swv, lead):
    placement = school_placement_register(trajectory=trajectory, actor=lead, **_vso(swv))
    client.force_login(lead)
    url = reverse(
        "clients:school_placement_end",
        kwargs={"pk": trajectory.client.pk, "placement_pk": placement.pk},
    )
    assert client.post(url, {"end": "garbage"}).status_code == 302  # a message, no 500
    assert client.post(url, {"end": "2020-01-01"}).status_code == 302  # before the start
    placement.refresh_from_db()
    assert placement.end is None
    client.post(url, {"end": "2025-07-11"})
    placement.refresh_from_db()
    assert placement.end == D(2025, 7, 11)
    other = TrajectoryFactory(client__organisation=trajectory.client.organisation)
    foreign_url = reverse(
        "clients:school_placement_end", kwargs={"pk": other.client.pk, "placement_pk": placement.pk}
    )
    client.force_login(other.lead_caseworker)
    assert client.post(foreign_url, {"end": "2025-07-12"}).status_code == 404


def test_a_job_coach_records_and_ends_an_employment(client, trajectory):
    job_coach = _member(trajectory, "job_coach")
    client.force_login(job_coach)
    url = reverse("clients:employments", kwargs={"pk": trajectory.client.pk})
    assert client.get(url).status_code == 200
    assert AccessLogEntry.objects.filter(user=job_coach, detail="employments").exists()
    bad = client.post(url, {"employer": "Bakkerij", "hours_per_week": "99", "start": "2025-03-01"})
    assert bad.status_code == 200
    assert "hours_per_week" in bad.context["form"].errors
    response = client.post(
        url, {"employer": "Bakkerij", "hours_per_week": "16", "start": "2025-03-01", "end": ""}
    )
    assert response.status_code == 302
    employment = Employment.objects.get()
    end_url = reverse(
        "clients:employment_end",
        kwargs={"pk": trajectory.client.pk, "employment_pk": employment.pk},
    )
    client.post(end_url, {"end": "2025-06-30"})
    employment.refresh_from_db()
    assert employment.end == D(2025, 6, 30)

    teacher = _member(trajectory, "teacher")
    client.force_login(teacher)
    assert client.get(url).status_code == 403
    assert client.post(end_url, {"end": "2025-06-01"}).status_code == 403


def test_the_client_page_shows_the_school_and_its_funding_basis(client, trajectory, swv, lead):
    school_placement_register(trajectory=trajectory, actor=lead, **_vso(swv))
    employment_register(
        trajectory=trajectory,
        employer="Bakkerij Korenaar",
        hours_per_week=16,
        start=D(2025, 3, 1),
        end=None,
        actor=lead,
    )
    client.force_login(lead)
    page = client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk}))
    html = page.content.decode()
    assert "De Regenboog (vso)" in html
    assert "TLV-2024-17" in html
    assert "Bakkerij Korenaar" in html
    assert "Samenwerkingsverband VO Zonnedal" in html

    client.force_login(_member(trajectory, "teacher"))
    html = client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk})).content
    assert b"De Regenboog (vso)" in html
    assert b"Bakkerij Korenaar" not in html  # the work lane is not the teacher's


def test_the_managers_mosaic_shows_the_education_domains_funding_basis(
    client, trajectory, swv, lead
):
    school_placement_register(trajectory=trajectory, actor=lead, **_vso(swv))
    manager = UserFactory(organisation=trajectory.client.organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    page = client.get(
        reverse("funding:mosaic"), {"period_start": "2025-01-01", "period_end": "2025-03-31"}
    )
    assert page.status_code == 200
    [row] = page.context["mosaic"].schooling
    assert (row.basis, row.samenwerkingsverband, row.pupils) == (
        "duo_tlv",
        "Samenwerkingsverband VO Zonnedal",
        1,
    )
    html = page.content.decode()
    assert "Per leerling via DUO, met een tlv van het samenwerkingsverband" in html


def test_emergency_access_reads_the_school_page_but_records_no_placement(client, trajectory, swv):
    from apps.trajectories.access import break_glass_open

    outsider = UserFactory(organisation=trajectory.client.organisation, roles=[Role.CASEWORKER])
    break_glass_open(user=outsider, client=trajectory.client, reason="Crisis in de nacht, lead weg")
    client.force_login(outsider)
    url = reverse("clients:school_placements", kwargs={"pk": trajectory.client.pk})
    assert client.get(url).status_code == 200
    assert client.post(url, _form(swv)).status_code == 403
    assert not SchoolPlacement.objects.exists()


def test_the_preview_says_why_the_uwv_will_not_pay_job_coaching(trajectory, lead, uwv):
    from apps.trajectories.assignment import funding_preview

    _work_allocation(trajectory, lead, uwv, "UWV-9")
    preview = funding_preview(
        activity=Activity(
            trajectory=trajectory,
            domain="work",
            kind="job_coaching",
            date=D(2025, 3, 3),
            duration_minutes=60,
            performed_by=lead,
        )
    )
    assert preview.funding_status == "unfunded"
    with translation.override("en"):
        assert "only alongside employment" in preview.funding_reason_text
    assert not Activity.objects.exists()  # nothing saved


def test_the_privacy_officers_history_lists_placements_and_employments(trajectory, lead, swv):
    from apps.privacy.selectors import client_change_history

    placement = school_placement_register(trajectory=trajectory, actor=lead, **_vso(swv))
    school_placement_end(placement=placement, end=D(2025, 7, 11), actor=lead)
    employment_register(
        trajectory=trajectory,
        employer="Bakkerij Korenaar",
        hours_per_week=16,
        start=D(2025, 3, 1),
        end=None,
        actor=lead,
    )
    with translation.override("en"):
        changes = client_change_history(client=trajectory.client)
        what = [change.what.split(" #")[0] for change in changes]
    assert what.count("school placement") == 2  # registered, ended
    assert what.count("employment") == 1


def test_waiting_job_coaching_is_expected_from_the_uwv_only_beside_a_job(trajectory, lead, uwv):
    from apps.control.selectors import unfunded_queue

    municipality = FunderFactory(name="Gemeente Utrecht", code="0344")
    organisation = trajectory.client.organisation
    for funder, tariff in ((uwv, 7000), (municipality, 8900)):  # the UWV is cheaper
        ProductFactory(
            contract=ContractFactory(
                organisation=organisation, stream=stream("participatie"), funder=funder
            ),
            unit=Unit.HOUR,
            category="",
            tariff_cents=tariff,
        )
    without_job = _coach(trajectory, lead, D(2025, 2, 3))
    employment_register(
        trajectory=trajectory,
        employer="Bakkerij Korenaar",
        hours_per_week=16,
        start=D(2025, 3, 1),
        end=None,
        actor=lead,
    )
    beside_job = _coach(trajectory, lead, D(2025, 3, 3))

    expected = {
        item.activity.pk: (item.funder, item.value_cents)
        for item in unfunded_queue(organisation=organisation).items
    }
    assert expected == {without_job.pk: (municipality, 8900), beside_job.pk: (uwv, 7000)}
