"""The Zvw pages: each with its allowed and its refused path (the wrong role, another
organisation), the read logged, and input that is wrong answered clearly with nothing saved."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.zvw.declaration import (
    insurer_answer_build,
    insurer_declaration_approve,
    insurer_declaration_export,
)
from apps.zvw.models import CareDemandTyping, InsurerDeclaration, Profession, ZvwRoute
from apps.zvw.selectors import activity_derivation
from tests.accounts.factories import UserFactory
from tests.zvw.factories import PractitionerProfileFactory
from tests.zvw.test_declaration import _draft, _world

D = datetime.date

pytestmark = pytest.mark.django_db


def test_the_care_teams_caseworker_records_the_route_and_the_read_is_logged(client):
    _organisation, psychologist, trajectory, *_rest = _world()
    client.force_login(psychologist)
    url = reverse("zvw:route", kwargs={"pk": trajectory.client.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert AccessLogEntry.objects.filter(
        user=psychologist, client=trajectory.client, outcome="allowed"
    ).exists()
    with translation.override("en"):
        response = client.post(
            url,
            {
                "uzovi": "3312",
                "policy_number": "99",
                "insurance_checked_on": "2025-06-01",
                "referral_type": "gp",
                "referrer_name": "Huisarts",
                "referrer_agb": "01012345",
                "referral_date": "2025-03-01",
                "regiebehandelaar": psychologist.pk,
            },
        )
    assert response.status_code == 302
    assert ZvwRoute.objects.get(client=trajectory.client).uzovi == "3312"


def test_a_wrong_uzovi_is_answered_and_nothing_is_saved(client):
    _organisation, psychologist, trajectory, *_rest = _world()
    client.force_login(psychologist)
    response = client.post(
        reverse("zvw:route", kwargs={"pk": trajectory.client.pk}),
        {"uzovi": "33", "referral_type": "gp", "regiebehandelaar": psychologist.pk},
    )
    assert response.status_code == 200
    assert "uzovi" in response.context["form"].errors
    assert ZvwRoute.objects.get(client=trajectory.client).uzovi == "3311"


def test_a_typing_in_the_future_is_refused(client):
    _organisation, psychologist, trajectory, *_rest = _world()
    client.force_login(psychologist)
    before = CareDemandTyping.objects.count()
    response = client.post(
        reverse("zvw:typing", kwargs={"pk": trajectory.client.pk}),
        {"care_demand_type": "X2", "measured_on": "2999-01-01"},
    )
    assert response.status_code == 200
    assert CareDemandTyping.objects.count() == before


@pytest.mark.parametrize("role", [Role.MANAGER, Role.TEACHER, Role.PRIVACY_OFFICER])
def test_other_roles_and_other_organisations_are_refused_the_route_and_logged(client, role):
    organisation, _psychologist, trajectory, *_rest = _world()
    for user in (UserFactory(organisation=organisation, roles=[role]), UserFactory(roles=[role])):
        client.force_login(user)
        response = client.get(reverse("zvw:route", kwargs={"pk": trajectory.client.pk}))
        assert response.status_code in (403, 404)
        assert AccessLogEntry.objects.filter(user=user, outcome="refused").exists()


def test_the_client_page_shows_the_to_do(client):
    _organisation, psychologist, trajectory, *_rest = _world()
    ZvwRoute.objects.filter(client=trajectory.client).update(policy_number="")
    client.force_login(psychologist)
    page = client.get(reverse("clients:detail", kwargs={"pk": trajectory.client.pk}))
    text = page.content.decode()
    assert 'class="card zvw-panel"' in text
    assert text.count("<li>", text.index('class="zvw-todo"')) >= 1
    assert reverse("zvw:route", kwargs={"pk": trajectory.client.pk}) in text


def test_the_manager_reviews_exports_and_answers_a_declaration(
    client, django_assert_max_num_queries
):
    organisation, _psychologist, *_rest = _world()
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    with translation.override("en"):
        response = client.post(reverse("zvw:declarations"), {"uzovi": "3311", "month": "2025-06"})
    declaration = InsurerDeclaration.objects.get()
    assert response.status_code == 302
    with django_assert_max_num_queries(20):
        assert client.get(reverse("zvw:declarations")).status_code == 200
    assert client.get(reverse("zvw:declaration", kwargs={"pk": declaration.pk})).status_code == 200
    client.post(reverse("zvw:declaration_approve", kwargs={"pk": declaration.pk}))
    exported = client.post(reverse("zvw:declaration_export", kwargs={"pk": declaration.pk}))
    assert exported.status_code == 200
    assert exported.content.startswith(b"01GZ321")
    declaration.refresh_from_db()
    answer = insurer_answer_build(declaration=declaration, rejected={1: "8401"})
    client.post(
        reverse("zvw:declaration_answer", kwargs={"pk": declaration.pk}),
        {"file": SimpleUploadedFile("answer.asc", answer.encode("ascii"))},
    )
    queue = client.get(reverse("zvw:rejected"))
    assert "8401" in queue.content.decode()


def test_the_declaration_pages_refuse_other_roles_and_organisations(client):
    organisation, psychologist, *_rest = _world()
    declaration = _draft(organisation, psychologist).declaration
    insurer_declaration_approve(declaration=declaration, actor=psychologist)
    insurer_declaration_export(declaration=declaration, actor=psychologist)
    stranger = UserFactory(roles=[Role.MANAGER])
    for user in (psychologist, stranger):
        client.force_login(user)
        for name in ("zvw:declaration", "zvw:declaration_export"):
            url = reverse(name, kwargs={"pk": declaration.pk})
            response = client.post(url) if name.endswith("export") else client.get(url)
            assert response.status_code == 404
        assert AccessLogEntry.objects.filter(user=user, outcome="refused").exists()
    assert client.get(reverse("zvw:rejected")).status_code == 200  # the stranger's own queue
    declaration.refresh_from_db()
    assert declaration.status == "sent"
    assert insurer_answer_build(declaration=declaration, rejected={})


def test_a_practitioner_present_is_recorded_and_counts_his_own_consult(client):
    organisation, psychologist, trajectory, first, _second = _world()
    nurse = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    PractitionerProfileFactory(user=nurse, profession=Profession.VERPLEEGKUNDIGE)
    client.force_login(psychologist)
    url = reverse(
        "zvw:participant_add", kwargs={"pk": trajectory.client.pk, "activity_pk": first.pk}
    )
    assert client.post(url, {f"present-{first.pk}-user": nurse.pk}).status_code == 302
    assert [p.key for p in activity_derivation(first).prestaties] == [
        "consult:behandeling:gz_psycholoog:45",
        "consult:behandeling:verpleegkundige:45",
    ]


def test_another_clients_activity_is_refused_and_logged(client):
    _organisation, psychologist, trajectory, *_rest = _world()
    _other_org, _other_psychologist, _other_trajectory, foreign, _x = _world("73730002")
    client.force_login(psychologist)
    url = reverse(
        "zvw:participant_add", kwargs={"pk": trajectory.client.pk, "activity_pk": foreign.pk}
    )
    assert client.post(url, {f"present-{foreign.pk}-user": psychologist.pk}).status_code == 404
    assert AccessLogEntry.objects.filter(
        user=psychologist, client=trajectory.client, outcome="refused"
    ).exists()
