"""Issue 14, item 2: a shielded client's birth date must not show on the manager's alert page.

Every text that gives away the date of birth passes the one shielding rule
(apps.trajectories.access.sees_identity_of), in the page as in the API.
"""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.models import Role
from apps.control.alerts import funding_alerts_refresh
from apps.funding.models import FundingAlert
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.funding.builders import product, register, trajectory_of

D = datetime.date
TODAY = D(2025, 4, 1)
BIRTHDAY = D(2025, 5, 6)


@pytest.fixture
def office(db):
    organisation = OrganisationFactory()
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    trajectory = trajectory_of(
        organisation,
        given_name="Xandriel",
        family_name="Verborgenheid",
        pseudonym="Merel-77",
        shielded=True,
        date_of_birth=BIRTHDAY.replace(year=BIRTHDAY.year - 18),
    )
    register(trajectory.client, product(organisation), trajectory.lead_caseworker, volume=6000)
    funding_alerts_refresh(today=TODAY)
    alert = FundingAlert.objects.get(client=trajectory.client, kind="turns_18")
    return manager, trajectory, alert


def _page(client, user, resolved: bool, language: str) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("funding:alerts") + ("?resolved=1" if resolved else ""))
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("resolved", [False, True])
def test_the_manager_never_sees_a_shielded_clients_birthday_in_an_alert(
    client, office, resolved, language
):
    manager, _trajectory, alert = office
    if resolved:
        FundingAlert.objects.filter(pk=alert.pk).update(resolved_at=timezone.now())
    text = _page(client, manager, resolved, language)
    with translation.override(language):
        revealing = alert.text_for(sees_identity=True)
        shielded = alert.text_for(sees_identity=False)
    assert "Merel-77" in text
    assert shielded in text
    assert revealing not in text
    for birthday in (
        "5-2025",
        "05/06/2025",
        "6-5-2007",
        "06-05-2007",
        "05/06/2007",
        "2007-05-06",
        "2025-05-06",
    ):
        assert birthday not in text
    assert "Xandriel" not in text


def test_the_caseworker_on_the_team_sees_the_birthday_and_the_name(client, office):
    _manager, trajectory, alert = office
    text = _page(client, trajectory.lead_caseworker, False, "en")
    with translation.override("en"):
        assert alert.text_for(sees_identity=True) in text
    assert "Xandriel Verborgenheid" in text


def test_the_api_leaves_the_text_out_for_the_manager_as_before(client, office):
    manager, _trajectory, alert = office
    client.force_login(manager)
    body = client.get("/api/v1/alerts/").json()
    (shown,) = [row for row in body["results"] if row["id"] == alert.pk]
    assert "text" not in shown
    assert "details" not in shown
