"""Appointments: planning (who may), confirming as an activity with its funding, no-shows,
cancelling, closing a trajectory, and the pages (docs/agenda.md)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.agenda.models import Appointment, AppointmentStatus
from apps.agenda.selectors import appointments_for_worker
from apps.agenda.services import (
    appointment_cancel,
    appointment_confirm,
    appointment_no_show,
    appointment_plan,
    default_kind,
)
from apps.audit.models import AccessLogEntry
from apps.core.errors import PermissionRefused
from apps.trajectories.models import Activity, DayAttendance, FundingStatus
from apps.trajectories.presence import day_parts_record
from apps.trajectories.services import activity_log, care_team_join, trajectory_close
from tests.accounts.factories import UserFactory
from tests.funding.factories import AllocationFactory
from tests.trajectories.factories import TrajectoryFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
T = datetime.time


@pytest.fixture
def trajectory(db):
    return TrajectoryFactory(
        start=TODAY - 90 * DAY,
        client__given_name="Roos",
        client__family_name="Verborgenheid",
        client__pseudonym="Merel",
    )


@pytest.fixture
def lead(trajectory):
    return trajectory.lead_caseworker


@pytest.fixture
def teacher(trajectory, lead):
    user = UserFactory(organisation=trajectory.client.organisation, roles=[Role.TEACHER])
    care_team_join(
        trajectory=trajectory, user=user, role="teacher", start=trajectory.start, actor=lead
    )
    return user


TEN = T(10)


def plan(trajectory, actor, *, day=TODAY, domain="care", kind="treatment_session", at=TEN):
    return appointment_plan(
        trajectory=trajectory,
        domain=domain,
        kind=kind,
        date=day,
        start_time=at,
        duration_minutes=45,
        purpose="Gesprek over school",
        place="Kamer 2",
        actor=actor,
    )


# --- planning ------------------------------------------------------------------------------


def test_a_care_team_member_plans_in_a_lane_they_log_in_and_it_is_logged(trajectory, lead):
    appointment = plan(trajectory, lead, day=TODAY + 3 * DAY)
    assert appointment.status == AppointmentStatus.PLANNED
    assert appointment.worker == lead
    assert appointment.history.count() == 1
    assert AccessLogEntry.objects.filter(
        user=lead, client=trajectory.client, event="create", object_id=str(appointment.pk)
    ).exists()


def test_only_who_logs_in_the_lane_may_plan(trajectory, lead, teacher):
    with pytest.raises(PermissionRefused):
        plan(trajectory, teacher, domain="care")  # a teacher logs in education only
    plan(trajectory, teacher, domain="education", kind="study_guidance")
    outsider = UserFactory(organisation=trajectory.client.organisation, roles=[Role.CASEWORKER])
    with pytest.raises(PermissionRefused):
        plan(trajectory, outsider)
    manager = UserFactory(organisation=trajectory.client.organisation, roles=[Role.MANAGER])
    with pytest.raises(PermissionRefused):
        plan(trajectory, manager)
    assert Appointment.objects.count() == 1


def test_planning_refuses_a_kind_of_another_lane_a_stay_night_and_odd_durations(trajectory, lead):
    with pytest.raises(ValidationError) as refused:
        plan(trajectory, lead, domain="care", kind="lesson")
    assert "kind" in refused.value.message_dict
    with pytest.raises(ValidationError):
        plan(trajectory, lead, kind="residential_stay")
    with pytest.raises(ValidationError) as refused:
        appointment_plan(
            trajectory=trajectory,
            domain="care",
            kind="treatment_session",
            date=TODAY,
            start_time=T(9),
            duration_minutes=2,
            purpose="",
            actor=lead,
        )
    assert {"duration_minutes", "purpose"} <= set(refused.value.message_dict)
    assert not Appointment.objects.exists()


def test_the_default_kind_is_the_lanes_most_common_one(trajectory, lead):
    assert default_kind(trajectory=trajectory, domain="care") == "treatment_session"
    for _ in range(2):
        activity_log(
            trajectory=trajectory,
            domain="care",
            kind="family_session",
            date=TODAY - DAY,
            duration_minutes=30,
            performed_by=lead,
            actor=lead,
        )
    assert default_kind(trajectory=trajectory, domain="care") == "family_session"
    assert default_kind(trajectory=trajectory, domain="work") == "job_coaching"


# --- confirming ----------------------------------------------------------------------------


def test_confirming_logs_a_funded_activity_through_the_funding_assignment(trajectory, lead):
    allocation = AllocationFactory(
        client=trajectory.client, start=TODAY - 30 * DAY, end=TODAY + 300 * DAY
    )
    appointment = plan(trajectory, lead)
    activity = appointment_confirm(appointment=appointment, actor=lead)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.DONE
    assert appointment.activity == activity
    assert (activity.kind, activity.date, activity.start_time, activity.duration_minutes) == (
        "treatment_session",
        TODAY,
        T(10),
        45,
    )
    assert activity.funding_status == FundingStatus.FUNDED
    assert activity.allocation == allocation


def test_confirming_without_an_allocation_leaves_the_activity_waiting_with_its_reason(
    trajectory, lead
):
    activity = appointment_confirm(appointment=plan(trajectory, lead), actor=lead)
    assert activity.funding_status == FundingStatus.UNFUNDED
    assert activity.funding_reason_text


def test_confirming_twice_a_cancelled_one_or_one_still_ahead_is_refused(trajectory, lead):
    appointment = plan(trajectory, lead)
    appointment_confirm(appointment=appointment, actor=lead)
    with pytest.raises(ValidationError, match="al bevestigd"):
        appointment_confirm(appointment=appointment, actor=lead)
    cancelled = appointment_cancel(appointment=plan(trajectory, lead), actor=lead)
    with pytest.raises(ValidationError, match="geannuleerd"):
        appointment_confirm(appointment=cancelled, actor=lead)
    ahead = plan(trajectory, lead, day=TODAY + DAY)
    with pytest.raises(ValidationError, match="moet nog plaatsvinden"):
        appointment_confirm(appointment=ahead, actor=lead)
    assert Activity.objects.count() == 1


def test_a_refused_activity_leaves_the_appointment_planned_nothing_half_saved(
    trajectory, lead, monkeypatch
):
    appointment = plan(trajectory, lead)

    def refuse(**kwargs):
        raise ValidationError("refused by the activity rules")

    monkeypatch.setattr("apps.agenda.services.activity_log", refuse)
    with pytest.raises(ValidationError):
        appointment_confirm(appointment=appointment, actor=lead)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.PLANNED
    assert appointment.activity is None


def test_only_the_worker_confirms_their_appointment(trajectory, lead, teacher):
    appointment = plan(trajectory, lead)
    with pytest.raises(PermissionRefused):
        appointment_confirm(appointment=appointment, actor=teacher)


def test_a_day_activity_is_confirmed_as_the_day_part_it_starts_in(trajectory, lead):
    day_parts_record(trajectory=trajectory, date=TODAY, day_parts=["morning"], actor=lead)
    appointment = plan(trajectory, lead, kind="day_activity", at=T(13, 30))
    activity = appointment_confirm(appointment=appointment, actor=lead)
    attended = DayAttendance.objects.get(trajectory=trajectory, date=TODAY)
    assert attended.day_parts == ["morning", "afternoon"]
    assert attended.activity == activity
    assert activity.units == 2


# --- no-shows ------------------------------------------------------------------------------


def test_a_no_show_is_recorded_as_an_absence_and_never_becomes_a_billable_activity(
    trajectory, lead
):
    """A no-show is not delivered care and is never billed here. The iJw declaration
    (JW323) declares delivered care (geleverde zorg) per allocated product; a searched
    reference for an iJw rule making a no-show ("niet verschenen") billable found none (the
    stored pages, docs and code of the `search` tool, queried for "no-show", "afwezigheid
    niet declarabel", "niet verschenen"): paying for one is a term of a municipality's
    contract, not of the standard. Until contracts can say so, a no-show writes no activity
    at all, so no declaration, report or allocation use can count it."""
    AllocationFactory(client=trajectory.client, start=TODAY - 30 * DAY, end=TODAY + 300 * DAY)
    appointment = appointment_no_show(appointment=plan(trajectory, lead), actor=lead)
    assert appointment.status == AppointmentStatus.NO_SHOW
    assert appointment.activity is None
    assert not Activity.objects.filter(trajectory=trajectory).exists()
    with pytest.raises(ValidationError, match="niet verschenen"):
        appointment_confirm(appointment=appointment, actor=lead)
    with pytest.raises(ValidationError, match="niet verschenen"):
        appointment_no_show(appointment=appointment, actor=lead)


def test_a_no_show_for_day_part_care_means_no_day_part_attended(trajectory, lead):
    morning = plan(trajectory, lead, kind="day_activity", at=T(9))
    day_parts_record(trajectory=trajectory, date=TODAY, day_parts=["morning"], actor=lead)
    with pytest.raises(ValidationError, match="Corrigeer eerst de dagdelen"):
        appointment_no_show(appointment=morning, actor=lead)
    morning.refresh_from_db()
    assert morning.status == AppointmentStatus.PLANNED
    day_parts_record(trajectory=trajectory, date=TODAY, day_parts=[], actor=lead)
    appointment_no_show(appointment=morning, actor=lead)
    assert not Activity.objects.recorded().filter(trajectory=trajectory).exists()


# --- closing a trajectory ------------------------------------------------------------------


def test_closing_a_trajectory_cancels_its_planned_appointments_after_the_end(trajectory, lead):
    before = plan(trajectory, lead, day=TODAY)
    done = plan(trajectory, lead, day=TODAY)
    appointment_confirm(appointment=done, actor=lead)
    after = plan(trajectory, lead, day=TODAY + 5 * DAY)
    trajectory_close(trajectory=trajectory, end=TODAY, actor=lead)
    statuses = {a.pk: a.status for a in Appointment.objects.all()}
    assert statuses == {
        before.pk: AppointmentStatus.PLANNED,
        done.pk: AppointmentStatus.DONE,
        after.pk: AppointmentStatus.CANCELLED,
    }
    assert Appointment.history.filter(id=after.pk, status="cancelled").first().history_user == lead


# --- the selector for the day page -----------------------------------------------------------


def test_appointments_for_worker_gives_one_day_in_time_order(trajectory, lead, teacher):
    late = plan(trajectory, lead, at=T(15))
    early = plan(trajectory, lead, at=T(8, 30))
    plan(trajectory, lead, day=TODAY + DAY)
    plan(trajectory, teacher, domain="education", kind="lesson")
    assert appointments_for_worker(user=lead, day=TODAY) == [early, late]


# --- the pages -----------------------------------------------------------------------------


def test_plan_page_plans_and_the_week_shows_it(client, trajectory, lead):
    client.force_login(lead)
    url = reverse("agenda:plan", kwargs={"pk": trajectory.client.pk})
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "domain": "care",
            "kind": "treatment_session",
            "date": (TODAY + DAY).isoformat(),
            "start_time": "14:15",
            "duration_minutes": "50",
            "place": "",
            "purpose": "Evaluatie",
        },
    )
    assert response.status_code == 302
    week = client.get(response.url)
    text = week.content.decode()
    assert "14:15" in text
    assert "Roos Verborgenheid" in text
    assert "Evaluatie" in text


def test_confirm_page_shows_the_funding_outcome_and_a_second_click_a_clear_refusal(
    client, trajectory, lead
):
    appointment = plan(trajectory, lead)
    client.force_login(lead)
    url = reverse("agenda:confirm", kwargs={"pk": appointment.pk})
    first = client.post(url, follow=True)
    assert first.status_code == 200
    appointment.refresh_from_db()
    funding = appointment.activity.funding_reason_text
    assert funding in first.content.decode()
    second = client.post(url, follow=True)
    assert second.status_code == 200
    assert "al bevestigd" in second.content.decode()
    assert Activity.objects.count() == 1


def test_another_workers_appointment_is_404_and_logged_refused(client, trajectory, lead, teacher):
    appointment = plan(trajectory, lead)
    client.force_login(teacher)
    for name in ("confirm", "no_show", "cancel"):
        response = client.post(reverse(f"agenda:{name}", kwargs={"pk": appointment.pk}))
        assert response.status_code == 404
    assert (
        AccessLogEntry.objects.filter(
            user=teacher, client=trajectory.client, outcome="refused"
        ).count()
        == 3
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.PLANNED


def test_reading_the_agenda_is_logged_per_client(client, trajectory, lead):
    plan(trajectory, lead)
    client.force_login(lead)
    for url in (reverse("agenda:week"), reverse("agenda:day")):
        before = AccessLogEntry.objects.count()
        assert client.get(url).status_code == 200
        entry = AccessLogEntry.objects.order_by("pk")[before:].get()
        assert (entry.client, entry.event, entry.detail) == (trajectory.client, "view", "agenda")


def test_week_navigation_and_times_in_the_users_language(client, trajectory, lead):
    plan(trajectory, lead, at=T(14, 5))
    client.force_login(lead)
    dutch = client.get(reverse("agenda:week")).content.decode()
    assert "14:05" in dutch
    assert "vorige week" in dutch
    client.cookies["django_language"] = "en"
    english = client.get(reverse("agenda:week"), headers={"accept-language": "en"})
    # English as written in Britain and Europe (casemanager/formats/en): a 24-hour clock.
    assert "14:05" in english.content.decode()
    assert "p.m." not in english.content.decode()
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    previous = client.get(reverse("agenda:week") + f"?date={(monday - 7 * DAY).isoformat()}")
    assert previous.status_code == 200
    assert client.get(reverse("agenda:week") + "?date=rubbish").status_code == 200


def test_the_client_page_panel_shows_next_appointments_in_the_pages_one_logged_read(
    client, trajectory, lead, teacher
):
    plan(trajectory, lead, day=TODAY + DAY, at=T(11))
    plan(trajectory, teacher, domain="education", kind="lesson", day=TODAY + 2 * DAY, at=T(9))
    client.force_login(teacher)
    page = client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk}))
    text = page.content.decode()
    assert "Volgende afspraken" in text
    assert reverse("agenda:plan", kwargs={"pk": trajectory.client.pk}) in text
    assert "Les" in text
    assert "Behandelsessie" not in text
    assert list(
        AccessLogEntry.objects.filter(
            user=teacher, client=trajectory.client, event="view"
        ).values_list("detail", flat=True)
    ) == ["client page"]


def test_my_clients_shows_the_next_appointment_in_a_constant_number_of_queries(
    client, lead, trajectory, django_assert_max_num_queries
):
    plan(trajectory, lead, day=TODAY + 2 * DAY, at=T(16, 20))
    client.force_login(lead)
    response = client.get(reverse("clients:list"))
    assert "16:20" in response.content.decode()

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("clients:list"))
        return len(queries)

    one = count()
    for _ in range(5):
        other = TrajectoryFactory(
            client__organisation=trajectory.client.organisation, lead_caseworker=lead
        )
        plan(other, lead, day=TODAY + DAY)
    with django_assert_max_num_queries(one):  # six clients cost what one did
        response = client.get(reverse("clients:list"))
    assert response.content.decode().count(reverse("agenda:day")) >= 6
