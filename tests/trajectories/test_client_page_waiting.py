"""The client page's waiting (unfunded) activities: the first ten with a link to the rest
(issue 19: "cap or page the unfunded list on the client page"), each reason's text worked
out once per distinct stored reason; the link keeps the timeline's page; the same in Dutch
and English; other roles and organisations still refused (docs/performance.md)."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from apps.trajectories.views import UNFUNDED_SHOWN
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.funding.builders import log, product, register, trajectory_of

D = datetime.date
pytestmark = pytest.mark.django_db


def _waiting(count: int):
    """A client with ``count`` waiting sessions (before its allocation starts), on the
    lead's care team, and the lead."""
    organisation = OrganisationFactory()
    lead = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    trajectory = trajectory_of(organisation, lead=lead, start=D(2024, 11, 1))
    register(trajectory.client, product(organisation), lead)
    for n in range(count):
        log(trajectory, D(2024, 12, 1) + datetime.timedelta(days=n))
    return trajectory.client, lead


def _entries(text: str) -> list[str]:
    """The entries of the waiting list (not the timeline, which shows the same days)."""
    waiting = re.search(r'<ul class="unfunded">(.*?)</ul>', text, re.S)
    return re.findall(r"<li>(.*?)</li>", waiting.group(1), re.S) if waiting else []


def _get(browser, path, **headers):
    response = browser.get(path, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_ten_are_shown_with_a_link_to_all_of_them():
    client, lead = _waiting(UNFUNDED_SHOWN + 2)
    browser = Browser()
    browser.force_login(lead)
    text = _get(browser, f"/clients/{client.pk}/")
    assert "12 activiteiten wachten op financiering" in text
    assert len(_entries(text)) == UNFUNDED_SHOWN
    shown = _entries(text)
    assert shown[0].startswith("01-12-2024")  # the oldest first
    assert shown[-1].startswith("10-12-2024")
    assert 'href="?unfunded=all#unfunded">Alle 12 tonen (nog 2)</a>' in text
    every = _get(browser, f"/clients/{client.pk}/?unfunded=all")
    assert len(_entries(every)) == 12
    assert _entries(every)[-1].startswith("12-12-2024")
    assert "Alle 12 tonen" not in every
    # Each entry still says why it waits, in full.
    assert every.count("Ongefinancierd: geen toewijzing past") == 12


def test_the_link_keeps_the_timelines_page_and_speaks_english():
    client, lead = _waiting(30)
    browser = Browser()
    browser.force_login(lead)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch's choice
    text = _get(browser, f"/clients/{client.pk}/?page=2")
    assert "30 activities wait for funding" in text
    assert 'href="?page=2&amp;unfunded=all#unfunded">Show all 30 (20 more)</a>' in text
    every = _get(browser, f"/clients/{client.pk}/?page=2&unfunded=all")
    assert len(_entries(every)) == 30
    assert every.count("Unfunded: no allocation fits") == 30


def test_ten_or_fewer_need_no_link_and_garbage_shows_the_first_ten():
    client, lead = _waiting(UNFUNDED_SHOWN)
    browser = Browser()
    browser.force_login(lead)
    text = _get(browser, f"/clients/{client.pk}/")
    assert len(_entries(text)) == UNFUNDED_SHOWN
    assert "unfunded=all" not in text
    more, lead_of_more = _waiting(UNFUNDED_SHOWN + 1)
    browser.force_login(lead_of_more)
    for garbage in ("x", "%00", "ALL", "1" * 500):
        text = _get(browser, f"/clients/{more.pk}/?unfunded={garbage}")
        assert len(_entries(text)) == UNFUNDED_SHOWN


def test_the_wrong_organisation_and_a_role_without_funding_are_refused_or_see_nothing():
    client, _lead = _waiting(UNFUNDED_SHOWN + 2)
    stranger = UserFactory(organisation=OrganisationFactory(), roles=[Role.CASEWORKER])
    browser = Browser()
    browser.force_login(stranger)
    assert browser.get(f"/clients/{client.pk}/?unfunded=all").status_code == 404
    entry = AccessLogEntry.objects.filter(user=stranger).latest("pk")
    assert entry.outcome == "refused"
    # A colleague who is not on the care team: refused too.
    colleague = UserFactory(organisation=client.organisation, roles=[Role.CASEWORKER])
    browser.force_login(colleague)
    assert browser.get(f"/clients/{client.pk}/?unfunded=all").status_code == 404
    assert AccessLogEntry.objects.filter(user=colleague).latest("pk").outcome == "refused"


def test_showing_all_asks_no_more_queries_than_the_first_ten():
    client, lead = _waiting(UNFUNDED_SHOWN + 5)
    browser = Browser()
    browser.force_login(lead)

    def queries(path: str) -> int:
        browser.get(path)  # warm
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(path).status_code == 200
        return len(captured.captured_queries)

    assert queries(f"/clients/{client.pk}/?unfunded=all") == queries(f"/clients/{client.pk}/")
