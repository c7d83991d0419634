import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from apps.audit.models import AccessLogEntry
from apps.core.domains import ActivityKind, Attendance, Domain
from apps.registers.models import AbsenceReport, GroupSession, SessionParticipant
from apps.registers.selectors import absence_status_for, clients_to_log_for
from apps.registers.services import (
    ParticipantEntry,
    RegisterRefused,
    absence_report_record,
    class_lesson_register,
    class_pupil_add,
    class_pupil_remove,
    group_session_register,
    school_class_create,
)
from apps.trajectories.models import Activity, FundingStatus

from .world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def _register(world, entries, **kwargs):
    values = {
        "domain": Domain.CARE,
        "kind": ActivityKind.GROUP_SESSION,
        "date": timezone.localdate(),
        "duration_minutes": 90,
        "participants": entries,
        "actor": world.caseworker,
    }
    values.update(kwargs)
    return group_session_register(**values)


def test_each_participant_gets_an_activity_funded_separately(world):
    entries = [ParticipantEntry(client=c) for c in world.clients[:4]]
    session = _register(world, entries)
    rows = list(session.participants.select_related("activity__allocation"))
    assert len(rows) == 4
    statuses = [row.activity.funding_status for row in rows]
    assert statuses == [FundingStatus.FUNDED] * 3 + [FundingStatus.UNFUNDED]
    assert [row.activity.allocation.number for row in rows[:3]] == ["GRP-000", "GRP-001", "GRP-002"]
    waiting = rows[3].activity
    assert waiting.funding_reason_text  # the reason it waits, in words
    assert all(row.activity.duration_minutes == 90 for row in rows)


def test_absent_clients_of_care_get_no_activity_but_a_row(world):
    entries = [
        ParticipantEntry(client=world.clients[0]),
        ParticipantEntry(client=world.clients[1], attendance=Attendance.ABSENT_AUTHORISED),
    ]
    session = _register(world, entries)
    absent = session.participants.get(client=world.clients[1])
    assert absent.activity is None
    assert absent.attendance == Attendance.ABSENT_AUTHORISED
    assert Activity.objects.filter(trajectory__client=world.clients[1]).count() == 0


def test_a_client_the_worker_may_not_log_for_refuses_the_whole_register(world):
    entries = [ParticipantEntry(client=world.clients[0]), ParticipantEntry(client=world.stranger)]
    with pytest.raises(RegisterRefused) as refused:
        _register(world, entries)
    assert list(refused.value.row_errors) == [1]
    assert not GroupSession.objects.exists()
    assert not Activity.objects.filter(trajectory__client=world.clients[0]).exists()


def test_a_teacher_may_not_register_care_for_their_pupils(world):
    with pytest.raises(RegisterRefused) as refused:
        _register(world, [ParticipantEntry(client=world.clients[0])], actor=world.teacher)
    assert 0 in refused.value.row_errors


def test_a_wrong_duration_saves_nothing(world):
    entries = [ParticipantEntry(client=c) for c in world.clients[:2]]
    with pytest.raises(RegisterRefused) as refused:
        _register(world, entries, duration_minutes=1500)
    assert "duration_minutes" in refused.value.session_errors
    assert not SessionParticipant.objects.exists()
    assert not Activity.objects.exists()


def test_a_refusal_by_activity_log_itself_rolls_back_the_rows_before_it(world):
    # The note of the second row is too long: activity_log refuses it after the first row's
    # activity was written; the whole register goes.
    entries = [
        ParticipantEntry(client=world.clients[0]),
        ParticipantEntry(client=world.clients[1], note="x" * 20_000),
    ]
    with pytest.raises(RegisterRefused) as refused:
        _register(world, entries)
    assert list(refused.value.row_errors) == [1]
    assert not Activity.objects.exists()
    assert not GroupSession.objects.exists()


def test_the_choice_is_who_the_worker_may_log_for_in_the_lane(world):
    assert set(clients_to_log_for(user=world.caseworker, lane=Domain.CARE)) == set(world.clients)
    assert clients_to_log_for(user=world.teacher, lane=Domain.CARE) == []
    assert set(clients_to_log_for(user=world.teacher, lane=Domain.EDUCATION)) == set(world.clients)


def test_a_class_lesson_records_attendance_for_each_pupil(world):
    school_class = school_class_create(name="3B", lesson_minutes=50, actor=world.teacher)
    for client in world.clients:
        class_pupil_add(school_class=school_class, client=client, actor=world.teacher)
    entries = [
        ParticipantEntry(client=c, attendance=Attendance.PRESENT) for c in world.clients[:4]
    ] + [
        ParticipantEntry(client=world.clients[4], attendance=Attendance.ABSENT_AUTHORISED),
        ParticipantEntry(client=world.clients[5], attendance=Attendance.ABSENT_UNAUTHORISED),
    ]
    session = class_lesson_register(
        school_class=school_class,
        date=timezone.localdate(),
        subject="Rekenen",
        duration_minutes=50,
        participants=entries,
        actor=world.teacher,
    )
    lessons = Activity.objects.filter(kind=ActivityKind.LESSON)
    assert lessons.count() == 6  # absent pupils too, with their attendance
    assert lessons.filter(attendance=Attendance.ABSENT_UNAUTHORISED).count() == 1
    assert set(lessons.values_list("funding_status", flat=True)) == {FundingStatus.NOT_CHARGEABLE}
    assert session.school_class == school_class


def test_only_the_classs_teacher_keeps_it(world):
    school_class = school_class_create(name="3B", lesson_minutes=50, actor=world.teacher)
    with pytest.raises(PermissionDenied):
        class_pupil_add(school_class=school_class, client=world.clients[0], actor=world.caseworker)
    pupil = class_pupil_add(school_class=school_class, client=world.clients[0], actor=world.teacher)
    removed = class_pupil_remove(pupil=pupil, actor=world.teacher)
    assert removed.removed_on == timezone.localdate()
    assert AccessLogEntry.objects.filter(client=world.clients[0], event="change").exists()


def test_after_a_report_the_absence_counts_anew(world):
    school_class = school_class_create(name="3B", lesson_minutes=255, actor=world.teacher)
    pupil = world.clients[0]
    class_pupil_add(school_class=school_class, client=pupil, actor=world.teacher)
    today = timezone.localdate()
    for weeks_ago in (3, 2, 1, 0):
        class_lesson_register(
            school_class=school_class,
            date=today - datetime.timedelta(weeks=weeks_ago),
            subject="Nederlands",
            duration_minutes=255,
            participants=[ParticipantEntry(pupil, Attendance.ABSENT_UNAUTHORISED)],
            actor=world.teacher,
        )
    status = absence_status_for(clients=[pupil], today=today)[pupil.pk]
    assert status.to_report is not None
    assert status.to_report.unexcused_minutes == 1020
    absence_report_record(
        client=pupil,
        school_class=school_class,
        reported_on=today,
        absence_until=status.to_report.last_absence,
        unexcused_minutes=status.to_report.unexcused_minutes,
        note="DUO verzuimloket, melding 123",
        actor=world.teacher,
    )
    assert AbsenceReport.objects.get().reported_by == world.teacher
    after = absence_status_for(clients=[pupil], today=today)[pupil.pk]
    assert after.to_report is None
    assert after.last_report is not None
