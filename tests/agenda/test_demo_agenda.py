"""The demo's agenda (apps/demo/agenda.py): a week around the demo's today for the
caseworker, the teacher and the job coach; seeded once for the module (tests/suite.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.agenda.models import Appointment, AppointmentStatus
from apps.trajectories.models import ActivityStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _seeded(seeded_demo):
    return seeded_demo


def test_a_week_of_appointments_for_caseworker_teacher_and_job_coach():
    today = timezone.localdate()
    appointments = Appointment.objects.select_related("worker", "activity")
    by_worker = {a.worker.username for a in appointments}
    assert {"behandelaar", "docent", "jobcoach"} <= by_worker
    lanes = {a.worker.username: a.domain for a in appointments}
    assert lanes == {"behandelaar": "care", "docent": "education", "jobcoach": "work"}
    assert all(abs((a.date - today).days) <= 4 for a in appointments)


def test_past_ones_confirmed_one_no_show_the_rest_planned():
    today = timezone.localdate()
    appointments = list(Appointment.objects.select_related("activity"))
    past = [a for a in appointments if a.date < today]
    ahead = [a for a in appointments if a.date >= today]
    assert [a.status for a in past].count(AppointmentStatus.NO_SHOW) == 1
    done = [a for a in past if a.status == AppointmentStatus.DONE]
    assert len(done) == len(past) - 1
    assert all(a.activity.status == ActivityStatus.RECORDED for a in done)
    assert all(a.activity.date == a.date for a in done)
    assert {a.status for a in ahead} == {AppointmentStatus.PLANNED}
    no_show = next(a for a in past if a.status == AppointmentStatus.NO_SHOW)
    assert no_show.activity is None
    assert no_show.date == today - timedelta(days=1)
