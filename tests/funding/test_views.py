"""The manager's funding overview: who may open it, what it shows and hides, what it logs."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.funding.models import Frequency, Unit
from apps.trajectories.models import Activity
from apps.trajectories.services import activity_log
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import ClientFactory
from tests.funding.factories import AllocationFactory, ContractFactory, ProductFactory
from tests.trajectories.factories import TrajectoryFactory

URL = reverse("funding:overview")


def _today():
    return timezone.localdate()


def _trajectory(organisation, lead, **client):
    return TrajectoryFactory(
        client=ClientFactory(organisation=organisation, **client),
        start=_today() - datetime.timedelta(days=60),
        lead_caseworker=lead,
    )


@pytest.fixture
def funding(db):
    """An organisation with one allocation and one unfunded activity for an ordinary client,
    and the same for a shielded one; the waiting care is worth EUR 1,234.50 in all."""
    organisation = OrganisationFactory()
    lead = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    product = ProductFactory(
        contract=ContractFactory(organisation=organisation, reference="JW-ZONNEHOEK"),
        code="45A99",
        unit=Unit.HOUR,
        tariff_cents=12345,
    )
    ordinary = _trajectory(organisation, lead, given_name="Fenna", family_name="Zichtbaar")
    shielded = _trajectory(
        organisation,
        lead,
        given_name="Xandriel",
        family_name="Verborgenheid",
        pseudonym="Merel-77",
        shielded=True,
    )
    today = _today()
    for trajectory, number in ((ordinary, "TW-ZICHTBAAR"), (shielded, "TW-VERBORGEN")):
        AllocationFactory(
            client=trajectory.client,
            product=product,
            number=number,
            volume=2,
            frequency=Frequency.TOTAL,
            start=today - datetime.timedelta(days=30),
            end=today + datetime.timedelta(days=200),
        )
    # Outside the allocations' validity, so unfunded: 10 hours at EUR 123.45.
    for trajectory, minutes in ((ordinary, 240), (shielded, 360)):
        activity = activity_log(
            trajectory=trajectory,
            domain="care",
            kind="treatment_session",
            date=today - datetime.timedelta(days=45),
            duration_minutes=minutes,
            performed_by=lead,
            actor=lead,
            note="GEHEIME-NOTITIE over het gesprek",
        )
        assert activity.funding_status == "unfunded"
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    return manager, ordinary.client, shielded.client


def _get(client, user, language=None):
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switch
    return client.get(URL)


def test_a_manager_sees_the_organisations_funding(client, funding):
    manager, ordinary, shielded = funding
    response = _get(client, manager)
    assert response.status_code == 200
    text = response.text
    for shown in (
        "JW-ZONNEHOEK",
        "TW-ZICHTBAAR",
        "TW-VERBORGEN",
        "45A99",
        ordinary.client_number,
        "Fenna Zichtbaar",
        shielded.client_number,
        "Merel-77",
    ):
        assert shown in text
    assert "1.234,50" in text  # Dutch: EUR 493.80 + EUR 740.70
    assert "<meter" in text


def test_amounts_are_in_english_format_in_english(client, funding):
    manager, _ordinary, _shielded = funding
    response = _get(client, manager, language="en")
    assert "1,234.50" in response.text
    assert "Unfunded activities" in response.text


def test_a_shielded_client_shows_only_its_pseudonym(client, funding):
    manager, _ordinary, shielded = funding
    text = _get(client, manager).text
    assert shielded.client_number in text
    assert "Merel-77" in text
    assert "Xandriel" not in text
    assert "Verborgenheid" not in text


def test_a_note_never_appears(client, funding):
    manager, _ordinary, _shielded = funding
    assert "GEHEIME-NOTITIE" not in _get(client, manager).text


def test_the_page_has_no_inline_style_or_script(client, funding):
    manager, _ordinary, _shielded = funding
    text = _get(client, manager).text
    assert "style=" not in text
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "only scripts from files"


@pytest.mark.parametrize(
    "role",
    [Role.CASEWORKER, Role.TEACHER, Role.JOB_COACH, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR],
)
def test_other_roles_are_refused_and_the_refusal_is_logged(client, funding, role):
    _manager, ordinary, _shielded = funding
    user = UserFactory(organisation=ordinary.organisation, roles=[role])
    response = _get(client, user)
    assert response.status_code == 404
    entry = AccessLogEntry.objects.filter(user=user).latest("pk")
    assert (entry.outcome, entry.basis, entry.detail) == ("refused", "none", "funding overview")
    assert not AccessLogEntry.objects.filter(user=user, event="view", outcome="allowed").exists()


def test_a_manager_without_an_organisation_is_refused(client, funding):
    user = UserFactory(organisation=None, roles=[Role.MANAGER])
    assert _get(client, user).status_code == 404
    assert AccessLogEntry.objects.filter(user=user, outcome="refused").count() == 1


def test_a_manager_of_another_organisation_sees_none_of_it(client, funding):
    _manager, ordinary, shielded = funding
    stranger = UserFactory(roles=[Role.MANAGER])
    response = _get(client, stranger)
    assert response.status_code == 200
    for secret in (
        "JW-ZONNEHOEK",
        "TW-ZICHTBAAR",
        "TW-VERBORGEN",
        "45A99",
        ordinary.client_number,
        "Zichtbaar",
        shielded.client_number,
        "Merel-77",
        "1.234,50",
    ):
        assert secret not in response.text
    assert not AccessLogEntry.objects.filter(user=stranger, client__isnull=False).exists()


def test_every_client_shown_is_logged_once_as_a_management_read(client, funding):
    manager, ordinary, shielded = funding
    AllocationFactory(client=ClientFactory(), number="TW-ELDERS")  # another organisation
    _get(client, manager)
    entries = AccessLogEntry.objects.filter(user=manager, event="view")
    assert sorted(entries.values_list("client_id", flat=True)) == sorted([ordinary.pk, shielded.pk])
    for entry in entries:
        assert (entry.event, entry.basis, entry.outcome, entry.acting_role, entry.detail) == (
            "view",
            "management",
            "allowed",
            "manager",
            "funding overview",
        )


def test_only_get_is_allowed(client, funding):
    manager, _ordinary, _shielded = funding
    client.force_login(manager)
    assert client.post(URL).status_code == 405


def _volume(organisation, clients: int, allocations_each: int, unfunded_each: int) -> None:
    """Rows straight into the database: the rules are tested elsewhere, this is volume."""
    lead = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    product = ProductFactory(contract=ContractFactory(organisation=organisation))
    ProductFactory(contract=product.contract, unit=Unit.HOUR, tariff_cents=9000)
    today = _today()
    activities = []
    for _ in range(clients):
        trajectory = _trajectory(organisation, lead)
        for _ in range(allocations_each):
            allocation = AllocationFactory(
                client=trajectory.client,
                product=product,
                frequency=Frequency.PER_WEEK,
                start=today - datetime.timedelta(days=30),
                end=today + datetime.timedelta(days=90),
            )
            activities.append(
                Activity(
                    trajectory=trajectory,
                    domain="care",
                    kind="treatment_session",
                    date=today,
                    duration_minutes=45,
                    performed_by=lead,
                    allocation=allocation,
                    funding_status="funded",
                    consumed=45,
                    funding_reason={"code": "assigned", "number": allocation.number},
                )
            )
        activities.extend(
            Activity(
                trajectory=trajectory,
                domain="care",
                kind="treatment_session",
                date=today - datetime.timedelta(days=n % 50),
                duration_minutes=60,
                performed_by=lead,
                funding_status="unfunded",
                funding_reason={"code": "no_allocation"},
                note="GEHEIME-NOTITIE",
            )
            for n in range(unfunded_each)
        )
    Activity.objects.bulk_create(activities)


def test_the_query_count_does_not_grow_with_the_data(client, db, django_assert_max_num_queries):
    small = OrganisationFactory()
    _volume(small, clients=1, allocations_each=1, unfunded_each=1)
    large = OrganisationFactory()
    _volume(large, clients=10, allocations_each=3, unfunded_each=20)  # 30 and 200
    small_manager = UserFactory(organisation=small, roles=[Role.MANAGER])
    large_manager = UserFactory(organisation=large, roles=[Role.MANAGER])

    client.force_login(small_manager)
    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(URL).status_code == 200
    client.force_login(large_manager)
    with django_assert_max_num_queries(len(small_queries)):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.text.count("TW") >= 30  # every allocation is on the page
    assert "GEHEIME-NOTITIE" not in response.text
    assert AccessLogEntry.objects.filter(user=large_manager, basis="management").count() == 10
