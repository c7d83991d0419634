"""The query count of the caseworker's client page, the funding alerts (page and API) and
logging an activity does not grow with the data (issue 19, docs/performance.md): the same
number of queries for a client with 3 activities as for one with 30 (and on the timeline's
first and last page), for 3 alerts as for 30, and for logging beside 3 or 30 activities,
on the funded and the unfunded path."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import api_token_create
from apps.funding.models import FundingAlert
from apps.trajectories.models import Activity, WaitingValuation
from apps.trajectories.waiting import waiting_value_activity_task
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.funding.builders import log, product, register, trajectory_of

D = datetime.date
pytestmark = pytest.mark.django_db


def _queries(browser: Browser, path: str, **headers) -> int:
    browser.get(path, **headers)  # warm: sessions, caches
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(path, **headers)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


def _client_with(organisation, lead, care, activities: int, unfunded: int):
    """A client with ``activities`` funded sessions and ``unfunded`` waiting ones (before the
    allocation's start), on the lead's care team."""
    trajectory = trajectory_of(organisation, lead=lead, start=D(2024, 11, 1))
    register(trajectory.client, care, lead, volume=100_000)
    for n in range(unfunded):
        log(trajectory, D(2024, 12, 1) + datetime.timedelta(days=n))
    for n in range(activities):
        log(trajectory, D(2025, 1, 6) + datetime.timedelta(days=n))
    return trajectory


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def lead(organisation):
    return UserFactory(organisation=organisation, roles=[Role.CASEWORKER])


def test_the_client_page_asks_as_many_queries_for_30_activities_as_for_3(organisation, lead):
    care = product(organisation)
    few = _client_with(organisation, lead, care, activities=3, unfunded=1)
    many = _client_with(organisation, lead, care, activities=30, unfunded=3)
    browser = Browser()
    browser.force_login(lead)
    first = _queries(browser, f"/clients/{few.client_id}/")
    assert _queries(browser, f"/clients/{many.client_id}/") == first
    # A later page of the timeline: its ids first, then its rows (apps/core/paging.py), one
    # query more than the first page whatever the number of activities before it.
    last = _queries(browser, f"/clients/{many.client_id}/?page=2")
    assert last == first + 1
    response = browser.get(f"/clients/{many.client_id}/?page=2")
    shown = list(response.context["activities"])
    expected = list(
        Activity.objects.filter(trajectory=many, stay__isnull=True).order_by(
            "-date", "-start_time", "-pk"
        )[25:]
    )
    assert shown == expected  # the same rows, in the same order, as Paginator gives
    assert f"/clients/{many.client_id}/activities/{expected[0].pk}/correct/" in response.text


def _alerts(organisation, lead, count: int, shielded_every: int = 3) -> None:
    care = product(organisation)
    for n in range(count):
        trajectory = trajectory_of(organisation, lead=lead, shielded=n % shielded_every == 0)
        allocation = register(trajectory.client, care, lead)
        kind, details = (
            ("turns_18", {"birthday": "2027-11-23", "numbers": [allocation.number]})
            if n % 2
            else ("allocation_80", {"number": allocation.number, "percent": 85})
        )
        FundingAlert.objects.create(
            kind=kind,
            key=f"{kind}:{trajectory.client_id}",
            client=trajectory.client,
            allocation=allocation if kind == "allocation_80" else None,
            details=details,
            raised_on=timezone.localdate(),
        )


def _alert_query_counts(count: int) -> tuple[int, int, int]:
    organisation = OrganisationFactory()
    lead = UserFactory(organisation=organisation, roles=[Role.CASEWORKER])
    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    _alerts(organisation, lead, count)
    web = Browser()
    web.force_login(manager)
    own = Browser()
    own.force_login(lead)
    _token, key = api_token_create(
        user=manager,
        name="counts",
        expires_on=timezone.localdate() + datetime.timedelta(days=1),
        actor=manager,
    )
    return (
        _queries(web, "/funding/alerts/"),
        _queries(own, "/funding/alerts/"),
        _queries(Browser(), "/api/v1/alerts/", HTTP_AUTHORIZATION=f"Bearer {key}"),
    )


def test_the_alerts_page_and_api_ask_as_many_queries_for_30_alerts_as_for_3():
    assert _alert_query_counts(30) == _alert_query_counts(3)


def test_the_api_alerts_decide_access_per_page_as_per_client(organisation, lead):
    """The batched decision (client_accesses_for) is the one client_access_for takes."""
    from apps.clients.models import Client
    from apps.trajectories.access import client_access_for, client_accesses_for

    manager = UserFactory(organisation=organisation, roles=[Role.MANAGER])
    teacher = UserFactory(organisation=organisation, roles=[Role.TEACHER])
    _alerts(organisation, lead, 6)
    clients = list(Client.objects.filter(organisation=organisation))
    foreign = trajectory_of(OrganisationFactory()).client
    for user in (manager, lead, teacher):
        batched = client_accesses_for(user=user, clients=[*clients, foreign])
        for client in [*clients, foreign]:
            assert batched.get(client.pk) == client_access_for(user=user, client=client)


@pytest.mark.parametrize("funded", [True, False], ids=["funded", "unfunded"])
def test_logging_an_activity_asks_as_many_queries_beside_30_activities_as_beside_3(
    organisation, lead, funded, django_capture_on_commit_callbacks
):
    care = product(organisation)
    few = _client_with(organisation, lead, care, activities=3, unfunded=1)
    many = _client_with(organisation, lead, care, activities=30, unfunded=3)
    browser = Browser()
    browser.force_login(lead)
    # Funded: a session within the allocation's year; unfunded: before it starts.
    day = D(2025, 6, 2) if funded else D(2024, 12, 20)
    form = {
        "domain": "care",
        "kind": "treatment_session",
        "date": day.isoformat(),
        "start_time": "10:00",
        "duration_minutes": "30",
    }

    def count(trajectory) -> int:
        with (
            CaptureQueriesContext(connection) as captured,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = browser.post(f"/clients/{trajectory.client_id}/activities/new/", form)
        assert response.status_code == 302
        activity = Activity.objects.filter(trajectory=trajectory).latest("pk")
        assert activity.funding_status == ("funded" if funded else "unfunded")
        # Not valued in the request (Celery eager, no worker): on PostgreSQL the trigger
        # leaves a pending row, elsewhere none; the queue's next read values it.
        valuation = WaitingValuation.objects.filter(activity=activity).first()
        if funded or connection.vendor != "postgresql":
            assert valuation is None
        else:
            assert valuation.pending
        return len(captured.captured_queries)

    count(few)  # warm
    assert count(many) == count(few)


def test_with_a_worker_the_waiting_activity_is_valued_after_the_commit(
    organisation, lead, django_capture_on_commit_callbacks
):
    """With a broker (production) the valuation of logged waiting care runs in a Celery
    worker once the activity is committed; without one (eager) it waits for the next read."""
    trajectory = _client_with(organisation, lead, product(organisation), activities=1, unfunded=0)
    browser = Browser()
    browser.force_login(lead)
    form = {
        "domain": "care",
        "kind": "treatment_session",
        "date": "2024-12-20",  # before the allocation: unfunded
        "start_time": "10:00",
        "duration_minutes": "30",
    }
    path = f"/clients/{trajectory.client_id}/activities/new/"
    with (
        override_settings(CELERY_TASK_ALWAYS_EAGER=False),
        mock.patch.object(waiting_value_activity_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert browser.post(path, form).status_code == 302
    activity = Activity.objects.filter(trajectory=trajectory).latest("pk")
    delay.assert_called_once_with(organisation.pk, activity.pk)
    with (
        mock.patch.object(waiting_value_activity_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert browser.post(path, form).status_code == 302
    delay.assert_not_called()


def test_logging_a_never_billed_activity_locks_and_reads_no_allocation_or_pilot(organisation, lead):
    # A case consultation is recorded but never billed: it draws on no budget, so logging it
    # neither locks nor reads the client's allocations and pilots (a class is logged at once).
    trajectory = _client_with(organisation, lead, product(organisation), activities=1, unfunded=0)
    with CaptureQueriesContext(connection) as captured:
        activity = log(trajectory, D(2025, 6, 2), kind="case_consultation")
    assert activity.funding_status == "not_chargeable"
    read = " ".join(query["sql"] for query in captured.captured_queries)
    assert '"funding_allocation"' not in read
    assert '"funding_integralpilot"' not in read
