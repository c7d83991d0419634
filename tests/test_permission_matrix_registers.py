"""The register pages with a register or a class in the URL, against every role.

The owner (the class's teacher, the session's leader) opens them, a shielded pupil by
pseudonym only; a colleague of the same organisation in any role, and a teacher of another
organisation, are refused with 404, and each refusal is logged for every client on the page.
The pages without one are in tests/test_permission_matrix.py (ROLE_PAGES).
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.core.domains import Attendance
from apps.registers.services import (
    ParticipantEntry,
    class_lesson_register,
    class_pupil_add,
    school_class_create,
)
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.registers.world import build_world

pytestmark = pytest.mark.django_db

ROLES = ["caseworker", "teacher", "job_coach", "manager", "privacy_officer", "administrator"]
GET_PAGES = ["registers:class", "registers:class_lesson", "registers:session"]


@pytest.fixture
def setup():
    world = build_world(funded=0)  # funding plays no part here
    school_class = school_class_create(name="3B", lesson_minutes=50, actor=world.teacher)
    pupils = [
        class_pupil_add(school_class=school_class, client=c, actor=world.teacher)
        for c in world.clients
    ]
    session = class_lesson_register(
        school_class=school_class,
        date=timezone.localdate(),
        subject="Rekenen",
        duration_minutes=50,
        participants=[ParticipantEntry(c, Attendance.PRESENT) for c in world.clients],
        actor=world.teacher,
    )
    return world, school_class, pupils, session


def _kwargs(url_name, school_class, session):
    return {"pk": session.pk if url_name == "registers:session" else school_class.pk}


@pytest.mark.parametrize("url_name", GET_PAGES)
def test_the_owner_sees_a_shielded_pupil_by_pseudonym_and_the_read_is_logged(
    client, setup, url_name
):
    world, school_class, _pupils, session = setup
    client.force_login(world.teacher)
    response = client.get(reverse(url_name, kwargs=_kwargs(url_name, school_class, session)))
    assert response.status_code == 200
    text = response.content.decode()
    assert world.shielded.pseudonym in text
    assert world.shielded.family_name not in text
    assert world.shielded.date_of_birth.strftime("%d-%m-%Y") not in text
    assert AccessLogEntry.objects.filter(
        user=world.teacher, client=world.shielded, outcome="allowed", event="view"
    ).exists()


@pytest.mark.parametrize("url_name", GET_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_colleagues_in_every_role_are_refused_and_logged(client, setup, url_name, role):
    world, school_class, _pupils, session = setup
    colleague = UserFactory(organisation=world.organisation, roles=[Role(role)])
    client.force_login(colleague)
    response = client.get(reverse(url_name, kwargs=_kwargs(url_name, school_class, session)))
    assert response.status_code == 404
    refused = AccessLogEntry.objects.filter(user=colleague, outcome="refused")
    assert set(refused.values_list("client_id", flat=True)) == {c.pk for c in world.clients}
    assert not AccessLogEntry.objects.filter(
        user=colleague, outcome="allowed", client__isnull=False
    ).exists()


@pytest.mark.parametrize("url_name", GET_PAGES)
def test_another_organisation_is_refused(client, setup, url_name):
    _world, school_class, _pupils, session = setup
    stranger = UserFactory(organisation=OrganisationFactory(), roles=[Role.TEACHER])
    client.force_login(stranger)
    response = client.get(reverse(url_name, kwargs=_kwargs(url_name, school_class, session)))
    assert response.status_code == 404
    assert AccessLogEntry.objects.filter(user=stranger, outcome="refused").exists()


def test_the_post_only_urls_refuse_anyone_but_the_owner(client, setup):
    world, school_class, pupils, _session = setup
    urls = [
        reverse("registers:class_pupil_add", args=[school_class.pk]),
        reverse("registers:class_pupil_remove", args=[school_class.pk, pupils[0].pk]),
        reverse("registers:absence_report", args=[school_class.pk, world.clients[0].pk]),
    ]
    for role in ROLES:
        client.force_login(UserFactory(organisation=world.organisation, roles=[Role(role)]))
        for url in urls:
            assert client.post(url, {"client": world.clients[0].pk}).status_code == 404
            assert client.get(url).status_code == 405
    client.force_login(world.teacher)
    assert client.post(urls[1]).status_code == 302  # the owner removes a pupil
    pupils[0].refresh_from_db()
    assert pupils[0].removed_on is not None
