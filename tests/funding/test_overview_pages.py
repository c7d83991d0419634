"""The funding overview pages its long lists (the waiting care, the new allocations) instead
of growing to a page of 20,000 pixels; each list keeps the others' page, the query count does
not grow with the page."""

import math
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.control.views import (
    CASELOAD_PER_PAGE,
    CONTRACTS_PER_PAGE,
    QUEUE_ITEMS_PER_PAGE,
    REGISTERED_PER_PAGE,
)
from apps.funding.models import Contract
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.funding.factories import ContractFactory
from tests.funding.test_views import URL, _volume
from tests.trajectories.factories import TrajectoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def large():
    organisation = OrganisationFactory()
    _volume(organisation, clients=12, allocations_each=3, unfunded_each=10)  # 36 and 120
    return UserFactory(organisation=organisation, roles=[Role.MANAGER])


def test_the_waiting_care_is_paged_and_the_counts_still_cover_all(client, large):
    client.force_login(large)
    first = client.get(URL).text
    queue = first.split('id="queue-title"', 1)[1].split('id="pilots-title"', 1)[0]
    pages = math.ceil(120 / QUEUE_ITEMS_PER_PAGE)
    assert queue.count('class="nowrap"') == QUEUE_ITEMS_PER_PAGE
    assert f"Pagina 1 van {pages}" in queue
    assert 'href="?queue=2#queue-title"' in queue
    assert '<td class="number">120</td>' in queue  # the total covers every waiting activity
    last = client.get(URL, {"queue": pages}).text
    last_queue = last.split('id="queue-title"', 1)[1].split('id="pilots-title"', 1)[0]
    assert last_queue.count('class="nowrap"') == 120 - (pages - 1) * QUEUE_ITEMS_PER_PAGE
    assert f"Pagina {pages} van {pages}" in last_queue


def test_paging_one_list_keeps_the_page_of_the_others(client, large):
    client.force_login(large)
    text = client.get(URL, {"queue": 2, "page": 1}).text
    queue = text.split('id="queue-title"', 1)[1].split('id="pilots-title"', 1)[0]
    assert 'href="?page=1&amp;queue=3#queue-title"' in queue
    assert 'href="?page=1&amp;queue=1#queue-title"' in queue
    caseload = text.split('id="caseload-title"', 1)[1]
    assert "queue=2" not in caseload  # one worker: no pages, so no links that keep it


def test_the_new_allocations_are_paged(client, large):
    client.force_login(large)
    text = client.get(URL).text
    registered = text.split('id="registered-title"', 1)[1].split('id="queue-title"', 1)[0]
    assert registered.count("<tr>") - 1 == REGISTERED_PER_PAGE  # the rows under the head
    assert 'href="?registered=2#registered-title"' in registered
    second = client.get(URL, {"registered": 2}).text
    registered = second.split('id="registered-title"', 1)[1].split('id="queue-title"', 1)[0]
    assert registered.count("<tr>") - 1 == 36 - REGISTERED_PER_PAGE


def test_every_page_needs_the_same_queries(client, large, django_assert_num_queries):
    client.force_login(large)
    client.get(URL)  # warm up: session, translations
    with CaptureQueriesContext(connection) as first:
        assert client.get(URL).status_code == 200
    for page in (
        {"queue": 2},
        {"queue": 3, "registered": 2},
        {"page": 1, "queue": 99},
        {"contracts": "x", "caseload": "-1"},  # nonsense: the first or the last page
    ):
        with django_assert_num_queries(len(first.captured_queries)):
            assert client.get(URL, page).status_code == 200


def test_the_contracts_and_the_caseload_are_paged(client, large):
    """An organisation with many contracts and workers: a page of each, the count of all."""
    organisation = large.organisation
    for index in range(CONTRACTS_PER_PAGE + 3):
        ContractFactory(organisation=organisation, reference=f"C-{index:03}")
    for _index in range(CASELOAD_PER_PAGE + 2):  # each with its own lead caseworker
        TrajectoryFactory(client__organisation=organisation)
    client.force_login(large)
    contracts_total = Contract.objects.filter(organisation=organisation).count()
    text = client.get(URL).text
    contracts = text.split('id="contracts-title"', 1)[1].split('id="allocations-title"', 1)[0]
    assert contracts.count("<tr>") - 1 == CONTRACTS_PER_PAGE
    assert f"<dd>{contracts_total}</dd>" in text  # the count covers every contract
    assert 'href="?contracts=2#contracts-title"' in contracts
    second = client.get(URL, {"contracts": 2, "caseload": 2}).text
    contracts = second.split('id="contracts-title"', 1)[1].split('id="allocations-title"', 1)[0]
    assert contracts.count("<tr>") - 1 == contracts_total - CONTRACTS_PER_PAGE
    rows = re.compile(r'<th scope="row">([^<]*)</th>')
    first_workers = rows.findall(text.split('id="caseload-title"', 1)[1])
    caseload = second.split('id="caseload-title"', 1)[1]
    second_workers = rows.findall(caseload)
    assert len(first_workers) == CASELOAD_PER_PAGE
    assert second_workers
    assert not set(first_workers) & set(second_workers)
    assert 'href="?contracts=2&amp;caseload=1#caseload-title"' in caseload
