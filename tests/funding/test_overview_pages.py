"""The funding overview pages its long lists (the waiting care, the new allocations) instead
of growing to a page of 20,000 pixels; each list keeps the others' page, the query count does
not grow with the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.control.views import QUEUE_ITEMS_PER_PAGE, REGISTERED_PER_PAGE
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.funding.test_views import URL, _volume

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
    assert queue.count('class="nowrap"') == QUEUE_ITEMS_PER_PAGE
    assert "Pagina 1 van 3" in queue
    assert 'href="?queue=2#queue-title"' in queue
    assert '<td class="number">120</td>' in queue  # the total covers every waiting activity
    last = client.get(URL, {"queue": 3}).text
    last_queue = last.split('id="queue-title"', 1)[1].split('id="pilots-title"', 1)[0]
    assert last_queue.count('class="nowrap"') == 120 - 2 * QUEUE_ITEMS_PER_PAGE
    assert "Pagina 3 van 3" in last_queue


def test_paging_one_list_keeps_the_page_of_the_others(client, large):
    client.force_login(large)
    text = client.get(URL, {"queue": 2, "page": 1}).text
    queue = text.split('id="queue-title"', 1)[1].split('id="pilots-title"', 1)[0]
    assert 'href="?page=1&amp;queue=3#queue-title"' in queue
    assert 'href="?page=1&amp;queue=1#queue-title"' in queue


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
    for page in ({"queue": 2}, {"queue": 3, "registered": 2}, {"page": 1, "queue": 99}):
        with django_assert_num_queries(len(first.captured_queries)):
            assert client.get(URL, page).status_code == 200
