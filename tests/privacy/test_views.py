"""The privacy officer's pages: newest first, paged, in words, the client's overview without
dates; wrong roles and organisations refused with a logged 404; every read logged."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AccessLogEntry
from tests.accounts.factories import UserFactory
from tests.trajectories.factories import TrajectoryFactory

PAGES = ["audit:client_history", "audit:client_access_report"]


@pytest.fixture
def trajectory(db):
    return TrajectoryFactory(start=datetime.date(2025, 1, 1))


@pytest.fixture
def officer(trajectory):
    return UserFactory(organisation=trajectory.client.organisation, roles=[Role.PRIVACY_OFFICER])


def _old_entries(trajectory, count: int) -> list[AccessLogEntry]:
    """Reads of earlier days, written as they were before the page and role were kept."""
    now = timezone.now()
    return [
        AccessLogEntry.objects.create(
            occurred_at=now - datetime.timedelta(days=day + 1),
            organisation=trajectory.client.organisation,
            user=trajectory.lead_caseworker,
            username=trajectory.lead_caseworker.username,
            client=trajectory.client,
            event="view",
            detail="client page",
            basis="care_team",
            outcome="allowed",
        )
        for day in range(count)
    ]


def _url(name, trajectory):
    return reverse(name, kwargs={"pk": trajectory.client.pk})


@pytest.mark.parametrize("name", PAGES)
def test_the_page_lists_the_log_newest_first_and_paged(client, trajectory, officer, name):
    _old_entries(trajectory, 60)
    client.force_login(trajectory.lead_caseworker)
    client.get(_url("clients:detail", trajectory))
    client.force_login(officer)
    page = client.get(_url(name, trajectory)).context["page"]
    times = [entry.occurred_at for entry in page]
    assert len(times) == 50
    assert times == sorted(times, reverse=True)
    assert page[0].view_name in {name, "clients:detail"}  # today's reads come first
    second = client.get(_url(name, trajectory), {"page": 2}).context["page"]
    later = [entry.occurred_at for entry in second]
    assert later == sorted(later, reverse=True)
    assert later[0] <= times[-1]  # (the reads of these pages themselves moved the list by one)
    assert not second.has_next()


def test_the_clients_overview_opens_on_the_whole_history_without_dates(client, trajectory, officer):
    (oldest,) = _old_entries(trajectory, 1)
    client.force_login(officer)
    response = client.get(_url("audit:client_access_report", trajectory))
    assert response.status_code == 200
    assert "De hele geschiedenis, nieuwste eerst." in response.text
    assert oldest in list(response.context["page"])
    today = timezone.localdate()
    narrowed = client.get(
        _url("audit:client_access_report", trajectory), {"since": today.isoformat()}
    )
    assert oldest not in list(narrowed.context["page"])


def test_a_period_that_ends_before_it_starts_is_a_clear_message_and_no_list(
    client, trajectory, officer
):
    _old_entries(trajectory, 1)
    client.force_login(officer)
    response = client.get(
        _url("audit:client_access_report", trajectory),
        {"since": "2026-01-02", "until": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "ligt na het einde" in response.text
    assert len(response.context["page"]) == 0
    assert (
        client.get(
            _url("audit:client_access_report", trajectory), {"since": "gisteren"}
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "nl",
            ["Cliëntpagina", "Behandelaar", "niet vastgelegd", "Functionaris gegevensbescherming"],
        ),
        ("en", ["Client page", "Caseworker", "not recorded", "Privacy officer"]),
    ],
)
def test_what_and_role_are_in_words_in_the_readers_language(
    client, trajectory, officer, language, words
):
    _old_entries(trajectory, 1)  # before the role was kept: "not recorded"
    client.force_login(trajectory.lead_caseworker)
    client.get(_url("clients:detail", trajectory))
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    text = client.get(_url("audit:client_history", trajectory)).text
    for word in words:
        assert word in text
    for internal in ("clients:detail", "caseworker<", "privacy_officer", ">client page<"):
        assert internal not in text


def test_the_csv_exports_are_in_words_newest_first(client, trajectory, officer):
    _old_entries(trajectory, 2)
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    export = client.get(_url("audit:client_access_report", trajectory), {"export": "csv"})
    rows = [row.split(";") for row in export.content.decode("utf-8-sig").splitlines()[1:]]
    assert [row[0] for row in rows] == sorted((row[0] for row in rows), reverse=True)
    assert rows[0][3] == "Privacy officer: overview for the client"
    assert rows[-1][2:4] == ["not recorded", "Client page"]
    assert AccessLogEntry.objects.filter(
        user=officer, event="export", view_name="audit:client_access_report"
    ).exists()


@pytest.mark.parametrize("name", PAGES)
def test_every_read_is_logged_with_the_officers_role(client, trajectory, officer, name):
    client.force_login(officer)
    assert client.get(_url(name, trajectory)).status_code == 200
    entry = AccessLogEntry.objects.filter(user=officer).latest("pk")
    assert (entry.client, entry.event, entry.basis, entry.acting_role, entry.view_name) == (
        trajectory.client,
        "view",
        "privacy_review",
        "privacy_officer",
        name,
    )


@pytest.mark.parametrize(
    ("name", "who"),
    [
        *((name, who) for name in [*PAGES, "audit:home"] for who in ("caseworker", "manager")),
        # another organisation's officer has a start page of their own, not this client
        *((name, "other_organisation") for name in PAGES),
    ],
)
def test_wrong_roles_and_organisations_are_refused_with_a_logged_404(client, trajectory, name, who):
    if who == "other_organisation":
        user = UserFactory(roles=[Role.PRIVACY_OFFICER])
    else:
        user = UserFactory(organisation=trajectory.client.organisation, roles=[who])
    client.force_login(user)
    url = reverse(name) if name == "audit:home" else _url(name, trajectory)
    assert client.get(url).status_code == 404
    refused = AccessLogEntry.objects.filter(user=user, outcome="refused").get()
    assert refused.acting_role == ("privacy_officer" if who == "other_organisation" else who)
    assert refused.view_name == name


def test_the_history_page_reads_in_a_fixed_number_of_queries(
    client, trajectory, officer, django_assert_max_num_queries
):
    _old_entries(trajectory, 60)
    client.force_login(officer)
    client.get(_url("audit:client_history", trajectory))
    with django_assert_max_num_queries(40):
        assert client.get(_url("audit:client_history", trajectory)).status_code == 200


def test_the_change_history_is_newest_first(client, trajectory, officer):
    from apps.trajectories.services import activity_log

    lead = trajectory.lead_caseworker
    for day in (3, 4):
        activity_log(
            trajectory=trajectory,
            domain="care",
            kind="intake",
            date=datetime.date(2025, 2, day),
            duration_minutes=60,
            performed_by=lead,
            actor=lead,
        )
    client.force_login(officer)
    changes = client.get(_url("audit:client_history", trajectory)).context["changes"]
    times = [change.when for change in changes]
    assert len(times) >= 3
    assert times == sorted(times, reverse=True)
