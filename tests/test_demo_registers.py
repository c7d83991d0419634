"""The registers of the demo (apps/demo/registers.py): the demo teacher's class with its
lessons, one pupil nearing the 16 hours of unexcused absence, and a group session."""

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.registers.absence import THRESHOLD_MINUTES
from apps.registers.models import GroupSession, SchoolClass
from apps.registers.selectors import absence_status_for, current_pupils

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _seeded(seeded_demo):
    return seeded_demo


def test_the_demo_teacher_keeps_a_class_with_four_weeks_of_lessons():
    school_class = SchoolClass.objects.get(teacher__username="docent")
    pupils = current_pupils(school_class=school_class)
    assert 2 <= len(pupils) <= 6
    assert school_class.lessons.count() == 8
    for lesson in school_class.lessons.all():
        assert lesson.participants.count() == len(pupils)
        assert all(p.activity_id for p in lesson.participants.all())


def test_one_pupil_nears_the_16_hours_without_passing_them():
    school_class = SchoolClass.objects.get(teacher__username="docent")
    clients = [pupil.client for pupil in current_pupils(school_class=school_class)]
    statuses = absence_status_for(clients=clients, today=timezone.localdate())
    heaviest = max((s.window.unexcused_minutes for s in statuses.values() if s.window), default=0)
    assert 12 * 60 <= heaviest <= THRESHOLD_MINUTES
    assert not any(s.to_report for s in statuses.values())


def test_a_group_session_of_the_demo_caseworker():
    session = GroupSession.objects.get(led_by=User.objects.get(username="behandelaar"))
    rows = list(session.participants.all())
    assert len(rows) == 4
    assert sum(1 for row in rows if row.activity_id) == 3  # the absent one has no activity
