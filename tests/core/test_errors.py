"""The services' own refusal: a PermissionRefused with a message in the user's language, put
into words in one place for the web pages (service_refusals) and one for the API."""

import datetime

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.models import Organisation, Role
from apps.accounts.services import api_token_create
from apps.core.errors import PermissionRefused, ServiceError
from apps.core.views import service_refusals
from apps.privacy.services import break_glass_review
from apps.reports import views as report_views
from apps.reports.services import report_request
from apps.trajectories.access import break_glass_open
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.api.world import build_world


class _Form(forms.Form):
    name = forms.CharField()


def _request(rf):
    request = rf.post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _bound_form():
    form = _Form({"name": "x"})
    assert form.is_valid()
    return form


def test_a_validation_error_per_field_becomes_the_forms_errors(rf):
    form = _bound_form()
    with service_refusals(_request(rf), form=form):
        raise ValidationError({"name": "Wrong name.", "elsewhere": "Not here.", "__all__": "All."})
    assert form.errors == {"name": ["Wrong name."], "__all__": ["Not here.", "All."]}


def test_a_plain_validation_error_becomes_the_forms_own_error(rf):
    form = _bound_form()
    with service_refusals(_request(rf), form=form):
        raise ValidationError("Not now.", code="not_now")
    assert form.non_field_errors().as_data()[0].code == "not_now"


def test_without_a_form_the_refusal_is_a_message(rf):
    request = _request(rf)
    with service_refusals(request):
        raise ValidationError({"name": ["One."], "other": ["Two."]})
    with service_refusals(request):
        raise ServiceError("Three.")
    assert [str(message) for message in get_messages(request)] == ["One. Two.", "Three."]


def test_a_permission_refusal_becomes_the_403_page(rf):
    with pytest.raises(PermissionDenied), service_refusals(_request(rf), form=_bound_form()):
        raise PermissionRefused()


def test_the_services_refuse_with_a_permission_refused_in_the_users_language(db):
    manager = UserFactory(roles=[Role.MANAGER])
    stranger = OrganisationFactory()
    with translation.override("nl"), pytest.raises(PermissionRefused) as refused:
        report_request(
            organisation=stranger,
            funder=None,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 1, 31),
            fmt="csv",
            actor=manager,
        )
    assert str(refused.value) == "Alleen de managers van de organisatie vragen rapportages aan."
    assert refused.value.code == "permission_denied"
    other = UserFactory(organisation=manager.organisation, roles=[Role.ADMINISTRATOR])
    with pytest.raises(PermissionRefused):
        api_token_create(
            user=manager,
            name="x",
            expires_on=timezone.localdate() + datetime.timedelta(days=3),
            actor=other,
        )


def test_break_the_glass_refusals_are_permission_refused(db):
    world = build_world(tokens=False)
    teacher = world.users["teacher"]
    with pytest.raises(PermissionRefused):
        break_glass_open(user=teacher, client=world.clients["other"], reason="x" * 20)
    access = break_glass_open(
        user=world.users["caseworker"], client=world.clients["other"], reason="Acute crisis, x"
    )
    with pytest.raises(PermissionRefused):
        break_glass_review(access=access, reviewer=world.users["manager"], comment="ok")


def test_a_service_refusal_on_a_page_is_the_403_page_not_a_crash(client, db, monkeypatch):
    world = build_world(tokens=False)
    stranger = Organisation.objects.exclude(pk=world.organisation.pk).first()

    def request_for_another_organisation(**kwargs):
        return report_request(**{**kwargs, "organisation": stranger})

    monkeypatch.setattr(report_views, "report_request", request_for_another_organisation)
    client.force_login(world.users["manager"])
    response = client.post(
        reverse("reports:list"),
        {
            "funder": world.funder.pk,
            "period": "custom",
            "period_start": "2025-02-01",
            "period_end": "2025-02-28",
            "format": "csv",
        },
    )
    assert response.status_code == 403
    assert "Not allowed" in response.text or "Niet toegestaan" in response.text
