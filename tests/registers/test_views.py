import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.core.domains import Attendance
from apps.registers.models import GroupSession, SchoolClass
from apps.registers.selectors import current_pupils
from apps.registers.services import (
    ParticipantEntry,
    class_lesson_register,
    class_pupil_add,
    school_class_create,
)
from apps.trajectories.models import Activity
from tests.accounts.factories import UserFactory

from .world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def _rows(clients, *, absent=(), unexcused=(), total=None):
    data = {}
    total = total or len(clients)
    data["p-TOTAL_FORMS"] = str(total)
    data["p-INITIAL_FORMS"] = "0"
    for index in range(total):
        client = clients[index] if index < len(clients) else None
        data[f"p-{index}-client"] = str(client.pk) if client else ""
        attendance = Attendance.PRESENT
        if client in absent:
            attendance = Attendance.ABSENT_AUTHORISED
        if client in unexcused:
            attendance = Attendance.ABSENT_UNAUTHORISED
        data[f"p-{index}-attendance"] = attendance
        data[f"p-{index}-note"] = ""
    return data


def _session_post(world, clients, **overrides):
    data = {
        "lane": "care",
        "kind": "group_session",
        "date": timezone.localdate().strftime("%d-%m-%Y"),
        "start_time": "10:00",
        "duration_minutes": "90",
        "subject": "Weerbaarheid",
        **_rows(clients, total=6),
    }
    data.update(overrides)
    return data


def test_the_form_offers_only_clients_to_log_for_and_logs_the_read(client, world):
    client.force_login(world.caseworker)
    response = client.get(reverse("registers:group_new"))
    assert response.status_code == 200
    text = response.content.decode()
    assert world.clients[0].full_name in text
    assert world.stranger.given_name not in text
    # A shielded client shows by pseudonym, even to its own care team, in a list of several.
    assert world.shielded.pseudonym in text
    assert world.shielded.family_name not in text
    logged = AccessLogEntry.objects.filter(
        user=world.caseworker, detail="group register form", outcome="allowed"
    )
    assert set(logged.values_list("client_id", flat=True)) == {c.pk for c in world.clients}


def test_a_group_session_for_four_shows_funding_per_participant(client, world):
    client.force_login(world.caseworker)
    response = client.post(
        reverse("registers:group_new"), _session_post(world, world.clients[:4]), follow=True
    )
    assert response.status_code == 200
    text = response.content.decode()
    session = GroupSession.objects.get()
    assert response.redirect_chain[-1][0] == reverse("registers:session", args=[session.pk])
    assert "GRP-000" in text
    assert "GRP-002" in text
    waiting = session.participants.get(client=world.unfunded).activity
    assert waiting.funding_status == "unfunded"
    assert waiting.funding_reason_text in text
    assert AccessLogEntry.objects.filter(
        user=world.caseworker, client=world.unfunded, detail="group register"
    ).exists()


def test_a_wrong_duration_refuses_the_register_and_saves_nothing(client, world):
    client.force_login(world.caseworker)
    response = client.post(
        reverse("registers:group_new"),
        _session_post(world, world.clients[:4], duration_minutes="2000"),
    )
    assert response.status_code == 400
    assert "1440" in response.content.decode()
    assert not Activity.objects.exists()


def test_a_refused_row_shows_its_error_on_that_row(client, world):
    client.force_login(world.caseworker)
    before_start = timezone.localdate() - datetime.timedelta(days=200)
    response = client.post(
        reverse("registers:group_new"),
        _session_post(world, world.clients[:2], date=before_start.strftime("%d-%m-%Y")),
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="row-0" class="row-error"' in text
    assert not GroupSession.objects.exists()


def test_a_client_not_offered_cannot_be_posted(client, world):
    client.force_login(world.caseworker)
    data = _session_post(world, world.clients[:1])
    data["p-1-client"] = str(world.stranger.pk)
    response = client.post(reverse("registers:group_new"), data)
    assert response.status_code == 400
    assert not Activity.objects.exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR])
def test_roles_without_clients_have_no_registers(client, world, role):
    client.force_login(UserFactory(organisation=world.organisation, roles=[role]))
    for name in ("registers:home", "registers:group_new", "registers:class_new"):
        assert client.get(reverse(name)).status_code == 404


def test_another_workers_register_is_refused_and_logged(client, world):
    client.force_login(world.caseworker)
    client.post(reverse("registers:group_new"), _session_post(world, world.clients[:2]))
    session = GroupSession.objects.get()
    colleague = UserFactory(organisation=world.organisation, roles=[Role.CASEWORKER])
    client.force_login(colleague)
    assert client.get(reverse("registers:session", args=[session.pk])).status_code == 404
    assert AccessLogEntry.objects.filter(
        user=colleague, client=world.clients[0], outcome="refused"
    ).exists()


def _in_page_order(school_class):
    return [pupil.client for pupil in current_pupils(school_class=school_class)]


def _class_with_pupils(world, lesson_minutes=50):
    school_class = school_class_create(
        name="3B", lesson_minutes=lesson_minutes, actor=world.teacher
    )
    for pupil in world.clients:
        class_pupil_add(school_class=school_class, client=pupil, actor=world.teacher)
    return school_class


def test_a_teacher_keeps_a_class(client, world):
    client.force_login(world.teacher)
    response = client.post(
        reverse("registers:class_new"), {"name": "Entree 1", "lesson_minutes": "45"}
    )
    school_class = SchoolClass.objects.get()
    assert response.url == reverse("registers:class", args=[school_class.pk])
    add = reverse("registers:class_pupil_add", args=[school_class.pk])
    assert client.post(add, {"client": world.clients[0].pk}).status_code == 302
    assert client.post(add, {"client": world.stranger.pk}).status_code == 400
    page = client.get(response.url).content.decode()
    assert world.clients[0].full_name in page
    pupil = school_class.pupils.get()
    remove = reverse("registers:class_pupil_remove", args=[school_class.pk, pupil.pk])
    assert client.post(remove).status_code == 302
    pupil.refresh_from_db()
    assert pupil.removed_on == timezone.localdate()


def test_a_lesson_for_a_class_of_six_with_two_absent(client, world):
    school_class = _class_with_pupils(world)
    client.force_login(world.teacher)
    url = reverse("registers:class_lesson", args=[school_class.pk])
    form = client.get(url)
    text = form.content.decode()
    assert 'value="50"' in text  # the class's usual length
    assert text.count('value="present" id=') == 6
    # Each row carries its pupil, so a row left as it is counts (present) too.
    for pupil in world.clients:
        assert f'value="{pupil.pk}"' in text
    assert len(re.findall(r'value="present" id="[^"]+" checked', text)) == 6  # all present
    data = {
        "date": timezone.localdate().strftime("%d-%m-%Y"),
        "subject": "Rekenen",
        "duration_minutes": "50",
        **_rows(
            _in_page_order(school_class), absent=[world.clients[1]], unexcused=[world.clients[2]]
        ),
    }
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    lessons = Activity.objects.filter(kind="lesson")
    assert lessons.count() == 6
    assert lessons.filter(attendance=Attendance.PRESENT).count() == 4


def test_another_teachers_class_is_refused(client, world):
    school_class = _class_with_pupils(world)
    other = UserFactory(organisation=world.organisation, roles=[Role.TEACHER])
    client.force_login(other)
    assert client.get(reverse("registers:class", args=[school_class.pk])).status_code == 404
    assert client.get(reverse("registers:class_lesson", args=[school_class.pk])).status_code == 404
    # Each of the two attempts is logged as refused for each of the six pupils.
    assert AccessLogEntry.objects.filter(user=other, outcome="refused").count() == 12


def test_over_16_hours_unexcused_prompts_a_report_which_is_recorded(client, world):
    school_class = _class_with_pupils(world, lesson_minutes=255)
    pupil = world.clients[0]
    today = timezone.localdate()
    for weeks_ago in (3, 2, 1):
        class_lesson_register(
            school_class=school_class,
            date=today - datetime.timedelta(weeks=weeks_ago),
            subject="Nederlands",
            duration_minutes=255,
            participants=[ParticipantEntry(pupil, Attendance.ABSENT_UNAUTHORISED)],
            actor=world.teacher,
        )
    client.force_login(world.teacher)
    page = client.get(reverse("registers:class", args=[school_class.pk])).content.decode()
    assert 'id="absence-prompt"' not in page  # 12 h 45 min so far
    url = reverse("registers:class_lesson", args=[school_class.pk])
    data = {
        "date": today.strftime("%d-%m-%Y"),
        "subject": "Nederlands",
        "duration_minutes": "255",
        **_rows(_in_page_order(school_class), unexcused=[pupil]),
    }
    after = client.post(url, data, follow=True).content.decode()
    assert 'id="absence-prompt"' in after
    assert "leerplichtambtenaar" in after
    report = reverse("registers:absence_report", args=[school_class.pk, pupil.pk])
    response = client.post(
        report, {f"r{pupil.pk}-reported_on": today.strftime("%d-%m-%Y"), f"r{pupil.pk}-note": "x"}
    )
    assert response.status_code == 302
    page = client.get(reverse("registers:class", args=[school_class.pk])).content.decode()
    assert 'id="absence-prompt"' not in page
    assert pupil.absence_reports.get().unexcused_minutes == 1020


def test_the_pages_speak_dutch_by_default_and_english_when_chosen(client, world):
    school_class = _class_with_pupils(world)
    client.force_login(world.teacher)
    url = reverse("registers:class_lesson", args=[school_class.pk])
    dutch = client.get(url).content.decode()
    assert "Les opslaan" in dutch
    assert "Ongeoorloofd afwezig" in dutch
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "Save the lesson" in english
    assert "Unexcused" in english
