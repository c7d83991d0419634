"""The manager drafts an insurer declaration by choosing the insurer (by name, with its UZOVI
code) and a month that has ended, from lists in the page's language; anything else is answered
clearly and nothing is saved; other roles and organisations get a logged 404."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.funding.models import FunderKind
from apps.zvw.declaration_views import ended_months
from apps.zvw.models import InsurerDeclaration
from apps.zvw.services import insurer_contract_create
from tests.accounts.factories import UserFactory
from tests.funding.factories import FunderFactory
from tests.zvw.test_declaration import _world

D = datetime.date

pytestmark = pytest.mark.django_db


def _manager(client, organisation, language="en"):
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    client.force_login(manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return manager


def test_the_insurers_are_named_and_only_the_organisations_are_offered(client):
    organisation, *_rest = _world()  # a client insured with 3311
    FunderFactory(kind=FunderKind.HEALTH_INSURER, code="3311", name="Zorgverzekeraar Midden")
    FunderFactory(kind=FunderKind.HEALTH_INSURER, code="3999", name="Verzekeraar Elders")
    manager = _manager(client, organisation)
    # A contract with an insurer none of the clients has yet: offered as well, by its code.
    insurer_contract_create(
        organisation=organisation, uzovi="0101", year=2025, reference="C-1", actor=manager
    )
    insurer_contract_create(
        organisation=UserFactory().organisation,
        uzovi="3999",
        year=2025,
        reference="C-2",
        actor=manager,
    )

    page = client.get(reverse("zvw:declarations"))

    choices = page.context["form"].fields["uzovi"].choices
    assert choices[1:] == [("0101", "UZOVI 0101"), ("3311", "Zorgverzekeraar Midden (UZOVI 3311)")]
    assert "Verzekeraar Elders" not in page.text
    assert 'type="month"' not in page.text
    assert "placeholder" not in page.text


def test_the_months_are_those_that_ended_in_the_pages_language(client):
    organisation, *_rest = _world()
    _manager(client, organisation, "nl")
    page = client.get(reverse("zvw:declarations"))
    months = page.context["form"].fields["month"].choices
    today = timezone.localdate()
    current = f"{today:%Y-%m}"
    assert current not in [value for value, _label in months]
    assert months[-1] == ("2022-01", "januari 2022")
    assert '<option value="2025-06">juni 2025</option>' in page.text
    assert "Verzekeraar" in page.text

    assert ended_months(D(2026, 1, 10))[0][0] == "2025-12"
    assert ended_months(D(2022, 1, 31)) == []


def test_the_manager_drafts_with_the_lists_and_the_declaration_shows_the_name(client):
    organisation, *_rest = _world()
    FunderFactory(kind=FunderKind.HEALTH_INSURER, code="3311", name="Zorgverzekeraar Midden")
    _manager(client, organisation)
    response = client.post(reverse("zvw:declarations"), {"uzovi": "3311", "month": "2025-06"})
    declaration = InsurerDeclaration.objects.get()
    assert response.status_code == 302
    assert (declaration.uzovi, declaration.year, declaration.month) == ("3311", 2025, 6)
    listed = client.get(reverse("zvw:declarations"))
    assert "Zorgverzekeraar Midden (UZOVI 3311)" in listed.text
    assert "June 2025" in listed.text
    detail = client.get(reverse("zvw:declaration", kwargs={"pk": declaration.pk}))
    assert "to Zorgverzekeraar Midden (UZOVI 3311)" in detail.text


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"uzovi": "3999"}, "Choose an insurer from the list"),
        ({"uzovi": "33"}, "Choose an insurer from the list"),
        ({"uzovi": ""}, "This field is required."),
        ({"month": "2025-13"}, "Choose a month from the list: one that has ended."),
        ({"month": "juni"}, "Choose a month from the list: one that has ended."),
        ({"month": "2021-12"}, "Choose a month from the list: one that has ended."),
        ({"month": "2999-01"}, "Choose a month from the list: one that has ended."),
        ({"month": f"{timezone.localdate():%Y-%m}"}, "Choose a month from the list"),
    ],
)
def test_garbage_is_answered_and_nothing_saved(client, values, message):
    organisation, *_rest = _world()
    _manager(client, organisation)
    response = client.post(
        reverse("zvw:declarations"), {"uzovi": "3311", "month": "2025-06", **values}
    )
    assert response.status_code == 200
    assert message in response.text
    assert not InsurerDeclaration.objects.exists()


def test_the_dutch_page_answers_in_dutch(client):
    organisation, *_rest = _world()
    _manager(client, organisation, "nl")
    response = client.post(reverse("zvw:declarations"), {"uzovi": "3999", "month": "juni"})
    assert "Kies een verzekeraar uit de lijst" in response.text
    assert "Kies een maand uit de lijst" in response.text
    assert not InsurerDeclaration.objects.exists()


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.TEACHER, Role.PRIVACY_OFFICER])
def test_other_roles_are_refused_the_draft_and_logged(client, role):
    organisation, *_rest = _world()
    user = UserFactory(organisation=organisation, roles=[role])
    client.force_login(user)
    for response in (
        client.get(reverse("zvw:declarations")),
        client.post(reverse("zvw:declarations"), {"uzovi": "3311", "month": "2025-06"}),
    ):
        assert response.status_code == 404
    assert AccessLogEntry.objects.filter(user=user, outcome="refused").count() == 2
    assert not InsurerDeclaration.objects.exists()


def test_another_organisations_manager_cannot_draft_for_these_clients(client):
    _world()  # the clients are insured with 3311 in another organisation
    _manager(client, UserFactory().organisation)
    response = client.post(reverse("zvw:declarations"), {"uzovi": "3311", "month": "2025-06"})
    assert response.status_code == 200
    assert "Choose an insurer from the list" in response.text
    assert not InsurerDeclaration.objects.exists()


@pytest.mark.parametrize(
    ("language", "warning"),
    [
        ("en", "do not upload this file to VECOZO"),
        ("nl", "upload dit bestand niet naar VECOZO"),
    ],
)
def test_both_pages_warn_that_the_ei_file_is_not_to_be_sent(client, language, warning):
    # From 1 January 2027 insurers take GGZ prestaties only as Vektis GDS801 XML v2.1 or higher
    # (VECOZO's validation of GDS801, rule VC183, return code 9853; docs/zvw.md, "The EI file"):
    # the fixed-length EI file this system writes is for checking, and the pages say so where
    # the file is exported.
    organisation, *_rest = _world()
    _manager(client, organisation, language)
    client.post(reverse("zvw:declarations"), {"uzovi": "3311", "month": "2025-06"})
    declaration = InsurerDeclaration.objects.get()
    detail = reverse("zvw:declaration", kwargs={"pk": declaration.pk})
    assert 'id="ei-internal"' not in client.get(detail).text  # a draft: nothing to export yet
    client.post(reverse("zvw:declaration_approve", kwargs={"pk": declaration.pk}))

    for url in (reverse("zvw:declarations"), detail):
        text = client.get(url).text
        assert 'id="ei-internal"' in text, url
        assert warning in text.replace("\n", " "), url
        assert "GDS801" in text, url
