"""Correcting and cancelling an activity in the web interface: its own page, the reason kept in
the history, the funding decided again, who may, and the refusals (docs/corrections.md)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.core.domains import ActivityKind, Attendance, Domain
from apps.funding.models import Frequency
from apps.trajectories.assignment import allocation_register
from apps.trajectories.models import Activity, TeamRole
from apps.trajectories.services import (
    activity_cancel,
    activity_log,
    care_team_join,
    schooling_progress_record,
)
from apps.trajectories.signals import activity_change_asked
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.factories import ContractFactory, ProductFactory, stream
from tests.trajectories.factories import TrajectoryFactory

pytestmark = pytest.mark.django_db

NOTE = "ZORGNOTITIE sessie over veiligheid thuis"
LESSON_NOTE = "ONDERWIJSNOTITIE rekenen gaat goed"


@pytest.fixture
def record():
    today = timezone.localdate()
    start = today - datetime.timedelta(days=60)
    client = ClientFactory(date_of_birth=today - datetime.timedelta(days=15 * 365))
    trajectory = TrajectoryFactory(client=client, start=start)
    caseworker = trajectory.lead_caseworker
    teacher = UserFactory(organisation=client.organisation, roles=[Role.TEACHER])
    colleague = UserFactory(organisation=client.organisation, roles=[Role.CASEWORKER])
    manager = UserFactory(organisation=client.organisation, roles=[Role.MANAGER])
    for user, role in ((teacher, TeamRole.TEACHER), (colleague, TeamRole.CASEWORKER)):
        care_team_join(trajectory=trajectory, user=user, role=role, start=start, actor=caseworker)
    product = ProductFactory(
        contract=ContractFactory(organisation=client.organisation, stream=stream("jeugdwet"))
    )
    allocation, _ = allocation_register(
        client=client,
        product=product,
        number="TW-1",
        volume=600,
        frequency=Frequency.TOTAL,
        start=start,
        end=today + datetime.timedelta(days=30),
        actor=caseworker,
    )
    treatment = activity_log(
        trajectory=trajectory,
        domain=Domain.CARE,
        kind=ActivityKind.TREATMENT_SESSION,
        date=today - datetime.timedelta(days=7),
        duration_minutes=60,
        performed_by=caseworker,
        actor=caseworker,
        note=NOTE,
    )
    lesson = schooling_progress_record(
        trajectory=trajectory,
        date=today - datetime.timedelta(days=6),
        teacher=teacher,
        attendance=Attendance.PRESENT,
        subject="Rekenen",
        duration_minutes=45,
        note=LESSON_NOTE,
    )
    return {
        "client": client,
        "caseworker": caseworker,
        "colleague": colleague,
        "teacher": teacher,
        "manager": manager,
        "allocation": allocation,
        "treatment": treatment,
        "lesson": lesson,
    }


def _url(name, activity):
    return reverse(name, kwargs={"pk": activity.trajectory.client_id, "activity_pk": activity.pk})


def _correct_data(activity, **changes):
    data = {
        "kind": activity.kind,
        "date": activity.date.isoformat(),
        "duration_minutes": activity.duration_minutes or "",
        "units": activity.units or "",
        "note": activity.note,
        "attendance": activity.attendance,
        "subject": activity.subject,
        "reason": "Verkeerde duur genoteerd",
    }
    data.update(changes)
    return data


def test_a_correction_keeps_both_versions_with_the_reason_and_decides_the_funding_again(
    client, record
):
    treatment = record["treatment"]
    assert treatment.funding_status == "funded"
    assert treatment.consumed == 60
    client.force_login(record["colleague"])  # a caseworker of the team corrects any activity
    response = client.post(
        _url("clients:activity_correct", treatment), _correct_data(treatment, duration_minutes=90)
    )
    assert response.status_code == 302
    treatment.refresh_from_db()
    assert treatment.duration_minutes == 90
    assert treatment.consumed == 90
    rows = list(treatment.history.order_by("history_date", "pk"))
    assert rows[-1].history_change_reason == "Verkeerde duur genoteerd"
    assert rows[-1].history_user == record["colleague"]
    page = client.get(_url("clients:activity_detail", treatment)).content.decode()
    assert "Verkeerde duur genoteerd" in page
    assert "<del>60</del>" in page
    assert "<ins>90</ins>" in page
    assert treatment.funding_reason_text in page  # the new outcome, with its reason


def test_nothing_changed_or_no_reason_is_refused_and_nothing_is_saved(client, record):
    treatment = record["treatment"]
    client.force_login(record["caseworker"])
    before = treatment.history.count()
    response = client.post(_url("clients:activity_correct", treatment), _correct_data(treatment))
    assert response.status_code == 200
    assert "Er is niets veranderd" in response.content.decode()
    response = client.post(
        _url("clients:activity_correct", treatment),
        _correct_data(treatment, duration_minutes=90, reason=""),
    )
    assert response.status_code == 200
    treatment.refresh_from_db()
    assert treatment.duration_minutes == 60
    assert treatment.history.count() == before


def test_an_invalid_correction_is_shown_in_the_form_and_nothing_is_half_saved(client, record):
    treatment = record["treatment"]
    client.force_login(record["caseworker"])
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        _url("clients:activity_correct", treatment), _correct_data(treatment, date=future)
    )
    assert response.status_code == 200
    assert "toekomst" in response.content.decode()
    treatment.refresh_from_db()
    assert treatment.date != datetime.date.fromisoformat(future)


def test_a_cancellation_leaves_the_funding_and_is_kept_with_its_reason(client, record):
    treatment = record["treatment"]
    client.force_login(record["caseworker"])
    response = client.post(
        _url("clients:activity_cancel", treatment), {"reason": "Dubbel ingevoerd"}
    )
    assert response.status_code == 302
    treatment.refresh_from_db()
    assert treatment.status == "cancelled"
    assert (treatment.allocation_id, treatment.consumed) == (None, 0)
    assert treatment.history.order_by("-history_date", "-pk")[0].history_change_reason == (
        "Dubbel ingevoerd"
    )
    # A cancelled activity cannot be corrected, nor cancelled again: a message, no 500.
    response = client.post(
        _url("clients:activity_correct", treatment), _correct_data(treatment, duration_minutes=5)
    )
    assert response.status_code == 302
    response = client.post(
        _url("clients:activity_cancel", treatment), {"reason": "Nog een keer"}, follow=True
    )
    assert "al geannuleerd" in response.content.decode()


def test_a_cancellation_without_a_reason_is_refused(client, record):
    treatment = record["treatment"]
    client.force_login(record["caseworker"])
    response = client.post(_url("clients:activity_cancel", treatment), {"reason": ""})
    assert response.status_code == 400
    treatment.refresh_from_db()
    assert treatment.status == "recorded"


def test_a_teacher_corrects_their_own_lesson_but_sees_no_treatment_and_no_funding(client, record):
    lesson, treatment = record["lesson"], record["treatment"]
    client.force_login(record["teacher"])
    assert client.get(_url("clients:activity_detail", treatment)).status_code == 403
    page = client.get(_url("clients:activity_detail", lesson)).content.decode()
    assert LESSON_NOTE in page
    assert NOTE not in page
    assert "TW-1" not in page
    assert record["allocation"].number not in page
    response = client.post(
        _url("clients:activity_correct", lesson),
        _correct_data(lesson, duration_minutes=50, reason="Les duurde langer"),
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.duration_minutes == 50


def test_a_teacher_may_not_correct_a_colleagues_lesson(client, record):
    other_teacher = UserFactory(organisation=record["client"].organisation, roles=[Role.TEACHER])
    care_team_join(
        trajectory=record["lesson"].trajectory,
        user=other_teacher,
        role=TeamRole.TEACHER,
        start=record["lesson"].trajectory.start,
        actor=record["caseworker"],
    )
    client.force_login(other_teacher)
    lesson = record["lesson"]
    assert client.get(_url("clients:activity_detail", lesson)).status_code == 200
    response = client.post(
        _url("clients:activity_correct", lesson), _correct_data(lesson, duration_minutes=10)
    )
    assert response.status_code == 403
    entry = AccessLogEntry.objects.filter(user=other_teacher).latest("pk")
    assert (entry.outcome, entry.detail) == ("refused", "correct an activity")


def test_a_manager_sees_the_funding_and_the_versions_but_never_the_note(client, record):
    treatment = record["treatment"]
    activity_cancel(activity=treatment, actor=record["caseworker"], reason="Dubbel ingevoerd")
    client.force_login(record["manager"])
    page = client.get(_url("clients:activity_detail", treatment)).content.decode()
    assert NOTE not in page
    assert "Dubbel ingevoerd" in page
    assert "Geannuleerd" in page
    assert client.get(_url("clients:activity_correct", treatment)).status_code == 403
    assert (
        client.post(_url("clients:activity_cancel", treatment), {"reason": "x" * 6}).status_code
        == 403
    )


def test_the_timeline_links_to_the_activity_page_and_offers_correcting(client, record):
    client.force_login(record["caseworker"])
    page = client.get(reverse("clients:detail", kwargs={"pk": record["client"].pk})).content
    assert _url("clients:activity_detail", record["treatment"]).encode() in page
    assert _url("clients:activity_correct", record["lesson"]).encode() in page
    client.force_login(record["manager"])
    page = client.get(reverse("clients:detail", kwargs={"pk": record["client"].pk})).content
    assert _url("clients:activity_correct", record["treatment"]).encode() not in page


def test_a_refusal_from_above_is_shown_and_nothing_is_saved(client, record):
    treatment = record["treatment"]

    def refuse(sender, **kwargs):
        return "Gedeclareerd: vraag het de manager."

    activity_change_asked.connect(refuse, dispatch_uid="test-refuse")
    try:
        client.force_login(record["caseworker"])
        response = client.post(
            _url("clients:activity_correct", treatment),
            _correct_data(treatment, duration_minutes=90),
        )
        assert "Gedeclareerd: vraag het de manager." in response.content.decode()
        response = client.post(_url("clients:activity_cancel", treatment), {"reason": "Dubbel"})
        assert "Gedeclareerd: vraag het de manager." in response.content.decode()
    finally:
        activity_change_asked.disconnect(dispatch_uid="test-refuse")
    treatment.refresh_from_db()
    assert (treatment.duration_minutes, treatment.status) == (60, "recorded")


def test_reading_the_activity_page_is_logged(client, record):
    client.force_login(record["caseworker"])
    client.get(_url("clients:activity_detail", record["treatment"]))
    entry = AccessLogEntry.objects.filter(user=record["caseworker"]).latest("pk")
    assert (entry.outcome, entry.detail, entry.client_id) == (
        "allowed",
        "activity",
        record["client"].pk,
    )


def test_an_activity_of_another_client_is_not_found(client, record):
    other = TrajectoryFactory(client__organisation=record["client"].organisation)
    client.force_login(record["caseworker"])
    url = reverse(
        "clients:activity_detail",
        kwargs={"pk": other.client_id, "activity_pk": record["treatment"].pk},
    )
    assert client.get(url).status_code == 404
    assert Activity.objects.count() == 2


def test_the_pages_and_refusals_speak_english_when_chosen(client, record):
    from django.conf import settings

    treatment = record["treatment"]
    client.force_login(record["caseworker"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(_url("clients:activity_detail", treatment)).content.decode()
    assert "Correct this activity" in page
    assert "History" in page
    response = client.post(_url("clients:activity_correct", treatment), _correct_data(treatment))
    assert "Nothing is changed" in response.content.decode()
    # No declaration holds it back: the page offers no "declared claim" tick.
    assert "declared_confirmed" not in response.content.decode()


def test_the_correction_form_is_the_form_of_the_activitys_own_lane(client, record):
    client.force_login(record["teacher"])
    page = client.get(_url("clients:activity_correct", record["lesson"])).content.decode()
    assert 'type="hidden" name="domain" value="education"' in page
    assert 'name="subject" value="Rekenen"' in page
    assert 'name="attendance"' in page
    assert 'name="units"' not in page
    assert 'name="expected_funding"' not in page
    assert 'name="reason"' in page
    client.force_login(record["caseworker"])
    page = client.get(_url("clients:activity_correct", record["treatment"])).content.decode()
    assert 'type="hidden" name="domain" value="care"' in page
    assert 'name="units"' in page
    assert 'name="expected_funding"' in page
    assert 'name="subject"' not in page
    assert 'name="declared_confirmed"' not in page  # nothing holds it back
