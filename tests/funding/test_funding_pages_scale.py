"""The manager's funding overview and the funding mosaic need the same number of queries for
two clients as for ten (issue 19: a query count independent of the data's size): each list is
cut to its page in SQL, the mosaic reads whole months from the roll-up."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Role
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.funding.builders import log, product, register, trajectory_of

D = datetime.date


@pytest.fixture
def office(db):
    organisation = OrganisationFactory()
    return {
        "organisation": organisation,
        "manager": UserFactory(organisation=organisation, roles=[Role.MANAGER]),
        "care": product(organisation, tariff_cents=200),
        "other_care": product(organisation, "wmo", tariff_cents=150),
    }


def _clients(office, count):
    """``count`` clients, each with an allocation, funded care and care waiting (another
    stream, no allocation for it)."""
    for n in range(count):
        trajectory = trajectory_of(office["organisation"])
        register(trajectory.client, office["care"], office["manager"], end=D(2099, 12, 31))
        log(trajectory, D(2025, 1 + n % 3, 10), minutes=30)
        log(trajectory, D(2025, 2, 3 + n), minutes=20, kind="group_session")


def _queries(client, url):
    client.get(url)  # warm up: session, translations
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        reverse("funding:overview"),
        reverse("funding:overview") + "?page=2&queue=2&registered=2",
        reverse("funding:mosaic"),
        reverse("funding:mosaic") + "?period_start=2025-01-15&period_end=2025-03-10",
    ],
)
def test_the_funding_pages_need_the_same_queries_for_two_clients_and_ten(client, office, url):
    client.force_login(office["manager"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _clients(office, 2)
    few = _queries(client, url)
    _clients(office, 8)
    assert _queries(client, url) == few


def test_the_overviews_pages_are_cut_in_sql_and_garbage_pages_fall_back(client, office):
    """Each list shows its own page; a page number that is not one shows a real page, never
    a 500, and nothing is saved."""
    client.force_login(office["manager"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _clients(office, 3)
    url = reverse("funding:overview")
    whole = client.get(url).text
    for garbage in ("?page=abc&queue=-3&registered=99999", "?queue=1e9&page=%00", "?queue="):
        response = client.get(url + garbage)
        assert response.status_code == 200
        assert "Unfunded activities waiting for an allocation" in response.text
    # Everything fits on the first pages: a garbage page shows the same rows as the first.
    assert client.get(url + "?queue=abc&page=abc").text.count("<tr") == whole.count("<tr")
