"""Funding alerts (apps/funding/alerts.py): each cause raised once, acknowledged, resolved by
itself when the cause has gone; the boundaries of each rule; who sees them; the mail; the
nightly task, its schedule and the management command. Every check is run on an explicit day."""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from django.utils.formats import date_format

from apps.accounts.models import Organisation, Role, User
from apps.audit.models import AccessLogEntry
from apps.control.alerts import (
    funding_alert_acknowledge,
    funding_alert_get_for,
    funding_alert_list_for_user,
    funding_alerts_refresh,
)
from apps.control.tasks import funding_alerts_task
from apps.funding.models import (
    AlertKind,
    Allocation,
    ChangeReason,
    Frequency,
    FundingAlert,
    Product,
)
from apps.trajectories.assignment import allocation_change, allocation_withdraw
from apps.trajectories.models import CareTeamMembership, TeamRole, Trajectory
from apps.trajectories.services import activity_cancel, care_team_join, care_team_leave
from casemanager.celery import app as celery_app
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.clients.factories import extended_youth_care
from tests.funding.builders import (
    HOUR,
    log,
    product,
    register,
    register_weekly_without_end,
    trajectory_of,
)

D = datetime.date
TODAY = D(2025, 6, 2)  # a Monday
ALLOCATION_80, ALLOCATION_100 = AlertKind.ALLOCATION_80, AlertKind.ALLOCATION_100
ENDING, TURNS_18, WAITING = (
    AlertKind.ALLOCATION_ENDING,
    AlertKind.TURNS_18,
    AlertKind.UNFUNDED_WAITING,
)


@dataclass
class World:
    organisation: Organisation
    trajectory: Trajectory
    lead: User
    manager: User
    jeugdwet: Product

    @property
    def client(self):
        return self.trajectory.client


@pytest.fixture
def world(db) -> World:
    """An organisation with one 15-year-old client (born 17 May 2010), its lead caseworker on
    the care team since 1 January 2025, a manager and a Jeugdwet product in minutes."""
    organisation = OrganisationFactory()
    trajectory = trajectory_of(organisation, given_name="Fenna", family_name="Zichtbaar")
    return World(
        organisation=organisation,
        trajectory=trajectory,
        lead=trajectory.lead_caseworker,
        manager=UserFactory(organisation=organisation, roles=[Role.MANAGER]),
        jeugdwet=product(organisation),
    )


def _refresh(today=TODAY):
    return funding_alerts_refresh(today=today)


def _open(kind=None, client=None):
    alerts = FundingAlert.objects.open()
    if kind is not None:
        alerts = alerts.filter(kind=kind)
    if client is not None:
        alerts = alerts.filter(client=client)
    return alerts


FIRST_OF_MAY = D(2025, 5, 1)


def _sessions(trajectory, count, minutes=60, first=FIRST_OF_MAY):
    """One session a day from 1 May on (all before TODAY)."""
    return [
        log(trajectory, first + datetime.timedelta(days=n), minutes=minutes) for n in range(count)
    ]


def _turning_18(world, birthday: D, **client) -> Trajectory:
    """A client of the world who turns 18 on the birthday, with a Jeugdwet allocation."""
    trajectory = trajectory_of(
        world.organisation, date_of_birth=birthday.replace(year=birthday.year - 18), **client
    )
    register(trajectory.client, world.jeugdwet, trajectory.lead_caseworker, volume=6000)
    return trajectory


# --- each kind: raised once, acknowledged, resolved by itself -------------------------------


def _cause_80(world) -> Callable[[], object]:
    allocation = register(world.client, world.jeugdwet, world.lead, volume=600)
    _sessions(world.trajectory, 8)  # 480 of 600
    return lambda: allocation_change(
        allocation=allocation, actor=world.manager, reason=ChangeReason.EXTENDED, volume=1200
    )


def _cause_100(world) -> Callable[[], object]:
    allocation = register(world.client, world.jeugdwet, world.lead, volume=600)
    _sessions(world.trajectory, 10)  # 600 of 600
    return lambda: allocation_change(
        allocation=allocation, actor=world.manager, reason=ChangeReason.EXTENDED, volume=1200
    )


def _cause_ending(world) -> Callable[[], object]:
    allocation = register(world.client, world.jeugdwet, world.lead, end=TODAY + _days(20))
    return lambda: register(
        world.client, world.jeugdwet, world.lead, start=allocation.end + _days(1)
    )


def _cause_turns_18(world) -> Callable[[], object]:
    trajectory = _turning_18(world, D(2025, 8, 1))
    return lambda: extended_youth_care(trajectory.client, until=D(2026, 7, 31), actor=world.lead)


def _cause_waiting(world) -> Callable[[], object]:
    waiting = log(world.trajectory, TODAY - _days(20))
    assert waiting.funding_status == "unfunded"
    return lambda: register(world.client, world.jeugdwet, world.lead)


def _days(n):
    return datetime.timedelta(days=n)


CAUSES = {
    ALLOCATION_80: _cause_80,
    ALLOCATION_100: _cause_100,
    ENDING: _cause_ending,
    TURNS_18: _cause_turns_18,
    WAITING: _cause_waiting,
}


@pytest.mark.parametrize("kind", list(CAUSES))
def test_each_cause_raises_one_alert_and_a_second_run_raises_nothing(world, kind):
    CAUSES[kind](world)

    first = _refresh()
    raised = [alert for alert in first.raised if alert.kind == kind]
    assert len(raised) == 1
    alert = _open(kind).get()
    assert (alert.raised_on, alert.resolved_at, alert.acknowledged_at) == (TODAY, None, None)
    assert alert.client.organisation == world.organisation
    # Kept with the alert, for the manager's list (index open_alerts_of_organisation).
    assert alert.organisation == world.organisation
    assert alert.text  # a sentence, in the active language

    second = _refresh()
    assert second.raised == []
    assert second.resolved == 0
    assert second.open == first.open
    assert FundingAlert.objects.filter(kind=kind).count() == 1


@pytest.mark.parametrize("kind", list(CAUSES))
def test_each_alert_is_acknowledged_once_and_stays_open_until_its_cause_is_gone(world, kind):
    CAUSES[kind](world)
    _refresh()
    alert = _open(kind).get()
    caseworker = alert.client.trajectories.get().lead_caseworker

    acknowledged = funding_alert_acknowledge(alert=alert, actor=caseworker)

    assert acknowledged.acknowledged_by == caseworker
    assert acknowledged.acknowledged_at is not None
    with pytest.raises(ValidationError):
        funding_alert_acknowledge(alert=alert, actor=world.manager)
    assert _refresh().raised == []
    alert.refresh_from_db()
    assert (alert.resolved_at, alert.acknowledged_by) == (None, caseworker)
    entry = AccessLogEntry.objects.filter(user=caseworker, event="change").latest("pk")
    assert (entry.client_id, entry.basis) == (alert.client_id, "care_team")


@pytest.mark.parametrize("kind", list(CAUSES))
def test_each_alert_resolves_by_itself_when_its_cause_is_gone(world, kind):
    resolve = CAUSES[kind](world)
    _refresh()
    alert = _open(kind).get()

    resolve()
    run = _refresh()

    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert run.resolved >= 1
    assert not _open(kind).exists()
    with pytest.raises(ValidationError):
        funding_alert_acknowledge(alert=alert, actor=world.manager)
    assert _refresh().raised == []


def test_a_cause_that_returns_raises_a_new_alert(world):
    register(world.client, world.jeugdwet, world.lead, volume=60)
    first = log(world.trajectory, D(2025, 5, 5))
    waiting = log(world.trajectory, D(2025, 5, 6))
    assert waiting.funding_status == "unfunded"
    _refresh()
    old = _open(WAITING).get()

    activity_cancel(activity=first, actor=world.lead)  # the waiting one takes its place
    _refresh()
    log(world.trajectory, D(2025, 5, 7))  # waits again
    run = _refresh()

    old.refresh_from_db()
    assert old.resolved_at is not None
    assert [alert.kind for alert in run.raised] == [WAITING]
    assert FundingAlert.objects.filter(kind=WAITING).count() == 2


def test_acknowledging_a_resolved_alert_is_refused(world):
    resolve = _cause_waiting(world)
    _refresh()
    alert = _open(WAITING).get()
    resolve()
    _refresh()

    with translation.override("en"), pytest.raises(ValidationError) as error:
        funding_alert_acknowledge(alert=alert, actor=world.lead)
    with translation.override("en"):
        assert "already resolved" in error.value.messages[0]
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_a_manager_acknowledges_on_the_basis_of_management(world):
    _cause_waiting(world)
    _refresh()
    funding_alert_acknowledge(alert=_open(WAITING).get(), actor=world.manager)
    entry = AccessLogEntry.objects.filter(user=world.manager, event="change").latest("pk")
    assert (entry.client_id, entry.basis) == (world.client.pk, "management")


# --- allocation 80% and 100% -----------------------------------------------------------------


def test_exactly_80_percent_raises_and_just_below_does_not(world):
    at_80 = register(world.client, world.jeugdwet, world.lead, volume=600)
    _sessions(world.trajectory, 8)
    below = trajectory_of(world.organisation)
    below_80 = register(below.client, world.jeugdwet, world.lead, volume=600)
    _sessions(below, 7)
    log(below, D(2025, 5, 20), minutes=59)  # 479 of 600: 79.8%

    run = _refresh()

    assert [(alert.kind, alert.allocation) for alert in run.raised] == [(ALLOCATION_80, at_80)]
    alert = run.raised[0]
    assert alert.details == {"number": at_80.number, "percent": 80, "windowed": False}
    assert not FundingAlert.objects.filter(allocation=below_80).exists()
    with translation.override("en"):
        assert alert.text == f"Allocation {at_80.number} is 80% used."


def test_99_percent_is_80_and_100_percent_is_used_up_as_well(world):
    almost = register(world.client, world.jeugdwet, world.lead, volume=600)
    _sessions(world.trajectory, 9)
    log(world.trajectory, D(2025, 5, 20), minutes=59)  # 599 of 600
    full = trajectory_of(world.organisation)
    used_up = register(full.client, world.jeugdwet, world.lead, volume=600)
    _sessions(full, 10)

    _refresh()

    assert set(_open(client=world.client).values_list("kind", "allocation")) == {
        (ALLOCATION_80, almost.pk)
    }
    assert set(_open(client=full.client).values_list("kind", "allocation")) == {
        (ALLOCATION_80, used_up.pk),
        (ALLOCATION_100, used_up.pk),
    }
    alert = _open(ALLOCATION_100).get()
    with translation.override("en"):
        assert alert.text.startswith(f"Allocation {used_up.number} is used up")


def test_a_rest_too_small_for_care_that_now_waits_counts_as_used_up(world):
    allocation = register(world.client, world.jeugdwet, world.lead, volume=600)
    _sessions(world.trajectory, 9)
    log(world.trajectory, D(2025, 5, 20), minutes=30)  # 570 of 600: 95%
    refused = log(world.trajectory, D(2025, 5, 21), minutes=60)
    assert refused.funding_reason["refusals"][0]["code"] == "volume_used"

    _refresh()

    assert _open(ALLOCATION_100).get().allocation == allocation
    assert _open(ALLOCATION_100).get().details["percent"] == 95
    assert _open(WAITING).count() == 0  # it has waited 12 days, not more than 14


def test_a_refusal_in_a_windows_volume_does_not_make_a_weekly_allocation_used_up(world):
    register_weekly_without_end(world.client, world.jeugdwet, world.lead, volume=120)
    log(world.trajectory, D(2025, 5, 26), minutes=90)
    refused = log(world.trajectory, D(2025, 5, 27), minutes=60)  # 30 left this week
    assert refused.funding_reason["refusals"][0]["code"] == "volume_used"

    _refresh(today=D(2025, 5, 28))

    assert not _open(ALLOCATION_100).exists()
    assert not _open(ALLOCATION_80).exists()  # 90 of this week's 120: 75%


def test_the_details_follow_the_use_without_a_second_alert(world):
    register(world.client, world.jeugdwet, world.lead, volume=600)
    _sessions(world.trajectory, 8)
    _refresh()
    log(world.trajectory, D(2025, 5, 20))  # 540 of 600

    run = _refresh()

    assert run.raised == []
    alert = _open(ALLOCATION_80).get()
    assert alert.details["percent"] == 90
    assert alert.history.count() == 2  # raised, then its details changed


def test_a_weekly_allocation_without_an_end_is_watched_in_its_window(world):
    weekly = register_weekly_without_end(world.client, world.jeugdwet, world.lead, volume=120)
    log(world.trajectory, D(2025, 5, 26))
    log(world.trajectory, D(2025, 5, 27))  # 120 of 120 in the week of 26 May

    _refresh(today=D(2025, 5, 28))
    alert = _open(ALLOCATION_100).get()
    assert alert.allocation == weekly
    assert alert.details["windowed"] is True
    with translation.override("en"):
        assert "in its current window" in alert.text

    _refresh(today=D(2025, 6, 2))  # a new week: nothing used in it yet
    assert not FundingAlert.objects.open().filter(allocation=weekly).exists()


def test_a_weekly_allocation_with_an_end_is_budgeted_over_its_validity(world):
    register(
        world.client,
        world.jeugdwet,
        world.lead,
        volume=120,
        frequency=Frequency.PER_WEEK,
        start=D(2025, 5, 26),
        end=D(2025, 6, 22),  # four weeks: 480 minutes
    )
    log(world.trajectory, D(2025, 5, 26))
    log(world.trajectory, D(2025, 5, 27))  # this week's volume, a quarter of the whole

    _refresh(today=D(2025, 5, 28))

    assert not _open(ALLOCATION_80).exists()
    assert not _open(ALLOCATION_100).exists()


def test_a_withdrawn_allocation_has_no_alert(world):
    allocation = register(world.client, world.jeugdwet, world.lead, volume=600)
    _sessions(world.trajectory, 8)
    _refresh()
    assert _open(ALLOCATION_80).exists()

    allocation_withdraw(allocation=allocation, actor=world.manager)
    _refresh()

    assert not _open(ALLOCATION_80).exists()


# --- an allocation ending without a follow-up -----------------------------------------------


@pytest.mark.parametrize(("days", "raised"), [(0, True), (30, True), (31, False)])
def test_an_allocation_ending_within_30_days_raises(world, days, raised):
    allocation = register(world.client, world.jeugdwet, world.lead, end=TODAY + _days(days))

    _refresh()

    alerts = list(_open(ENDING))
    assert [alert.allocation for alert in alerts] == ([allocation] if raised else [])
    if raised:
        assert alerts[0].details == {
            "number": allocation.number,
            "end": allocation.end.isoformat(),
        }


def test_an_allocation_that_has_ended_already_raises_nothing(world):
    register(world.client, world.jeugdwet, world.lead, end=TODAY - _days(1))
    _refresh()
    assert not _open(ENDING).exists()


def test_a_follow_up_of_the_same_stream_from_the_day_after_prevents_the_alert(world):
    ending = register(world.client, world.jeugdwet, world.lead, end=TODAY + _days(10))
    other_funder = product(world.organisation)  # another municipality, the same stream
    register(world.client, other_funder, world.lead, start=ending.end + _days(1), end=None)

    _refresh()

    assert not _open(ENDING).exists()


@pytest.mark.parametrize(
    "follow_up",
    [
        pytest.param({"stream_code": "wmo", "unit": HOUR}, id="wmo-another-stream"),
        pytest.param({"stream_code": "onderwijs", "unit": HOUR}, id="education"),
        pytest.param({"stream_code": "jeugdwet", "gap": 1}, id="same-stream-a-day-late"),
    ],
)
def test_what_is_not_a_follow_up_leaves_the_alert(world, follow_up):
    ending = register(world.client, world.jeugdwet, world.lead, end=TODAY + _days(10))
    gap = follow_up.pop("gap", 0)
    stream_code = follow_up.pop("stream_code")
    register(
        world.client,
        product(world.organisation, stream_code, **follow_up),
        world.lead,
        start=ending.end + _days(1 + gap),
    )

    _refresh()

    assert [alert.allocation for alert in _open(ENDING)] == [ending]


def test_a_withdrawn_follow_up_does_not_count(world):
    ending = register(world.client, world.jeugdwet, world.lead, end=TODAY + _days(10))
    follow_up = register(world.client, world.jeugdwet, world.lead, start=ending.end + _days(1))
    _refresh()
    assert not _open(ENDING).exists()

    allocation_withdraw(allocation=follow_up, actor=world.manager)
    _refresh()

    assert [alert.allocation for alert in _open(ENDING)] == [ending]


# --- turning 18 under the Jeugdwet ------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "raised"), [(0, True), (60, True), (90, True), (91, False), (-1, False)]
)
def test_turning_18_within_90_days_raises(world, days, raised):
    birthday = TODAY + _days(days)
    trajectory = _turning_18(world, birthday)

    _refresh()

    alerts = list(_open(TURNS_18))
    assert [alert.client for alert in alerts] == ([trajectory.client] if raised else [])
    if raised:
        number = trajectory.client.allocations.get().number
        assert alerts[0].details == {
            "birthday": birthday.isoformat(),
            "numbers": [number],
            "guidance": False,
        }
        assert alerts[0].allocation is None


@pytest.mark.parametrize(
    ("stream_code", "start_after_birthday"),
    [("wmo", 0), ("zvw-ggz", 0), ("wmo", -30)],
)
def test_an_allocation_of_an_adult_stream_valid_on_the_birthday_prevents_it(
    world, stream_code, start_after_birthday
):
    birthday = D(2025, 8, 1)
    trajectory = _turning_18(world, birthday)
    register(
        trajectory.client,
        product(world.organisation, stream_code, unit=HOUR),
        world.lead,
        volume=20,
        start=birthday + _days(start_after_birthday),
    )
    _refresh()
    assert not _open(TURNS_18).exists()


@pytest.mark.parametrize(
    ("stream_code", "start_after_birthday"),
    [("wmo", 1), ("onderwijs", 0)],
    ids=["wmo-from-the-day-after", "education-does-not-pay-for-care"],
)
def test_what_does_not_pay_on_the_birthday_leaves_the_alert(
    world, stream_code, start_after_birthday
):
    birthday = D(2025, 8, 1)
    trajectory = _turning_18(world, birthday)
    register(
        trajectory.client,
        product(world.organisation, stream_code, unit=HOUR),
        world.lead,
        volume=20,
        start=birthday + _days(start_after_birthday),
    )
    _refresh()
    assert [alert.client for alert in _open(TURNS_18)] == [trajectory.client]


@pytest.mark.parametrize(("start", "raised"), [(D(2025, 8, 2), True), (D(2025, 8, 1), False)])
def test_extended_youth_care_must_cover_the_birthday(world, start, raised):
    trajectory = _turning_18(world, D(2025, 8, 1))
    extended_youth_care(trajectory.client, start=start, until=D(2026, 7, 31), actor=world.lead)
    _refresh()
    assert _open(TURNS_18).exists() is raised


def test_turning_18_without_jeugdwet_care_raises_nothing(world):
    trajectory = trajectory_of(world.organisation, date_of_birth=D(2007, 8, 1))
    register(trajectory.client, product(world.organisation, "onderwijs", unit=HOUR), world.lead)
    _refresh()
    assert not _open(TURNS_18).exists()


def test_turning_18_with_guidance_says_it_is_never_extended(world):
    trajectory = trajectory_of(world.organisation, date_of_birth=D(2007, 8, 1))
    guidance = product(world.organisation, is_guidance=True)
    register(trajectory.client, guidance, world.lead)
    _refresh()
    alert = _open(TURNS_18).get()
    assert alert.details["guidance"] is True
    with translation.override("en"):
        assert "Guidance is never extended after 18" in alert.text
        assert date_format(D(2025, 8, 1), "SHORT_DATE_FORMAT") in alert.text


def test_a_wmo_allocation_registered_for_after_the_birthday_resolves_the_alert(world):
    trajectory = _turning_18(world, D(2025, 8, 1))
    _refresh()
    alert = _open(TURNS_18).get()

    register(
        trajectory.client,
        product(world.organisation, "wmo", unit=HOUR),
        world.manager,
        volume=40,
        start=D(2025, 8, 1),
    )
    _refresh()

    alert.refresh_from_db()
    assert alert.resolved_at is not None


@pytest.mark.parametrize(("today", "raised"), [(D(2025, 12, 1), True), (D(2025, 11, 30), False)])
def test_a_leap_day_child_turns_18_on_the_first_of_march(world, today, raised):
    trajectory = trajectory_of(world.organisation, date_of_birth=D(2008, 2, 29))
    register(trajectory.client, world.jeugdwet, world.lead, end=D(2026, 12, 31))

    _refresh(today=today)  # 90 days later is 1 March 2026, or 28 February

    alerts = list(_open(TURNS_18))
    assert len(alerts) == int(raised)
    if raised:
        assert alerts[0].details["birthday"] == "2026-03-01"


def test_the_turns_18_alert_resolves_once_the_birthday_has_passed(world):
    _turning_18(world, D(2025, 8, 1))
    _refresh()
    _refresh(today=D(2025, 8, 2))
    assert not _open(TURNS_18).exists()


# --- care waiting unfunded --------------------------------------------------------------------


@pytest.mark.parametrize(("days", "raised"), [(14, False), (15, True)])
def test_care_waiting_more_than_14_days_raises(world, days, raised):
    log(world.trajectory, TODAY - _days(days))
    _refresh()
    assert _open(WAITING).exists() is raised


def test_one_waiting_alert_per_client_counts_and_dates_its_care(world):
    log(world.trajectory, D(2025, 4, 1))
    log(world.trajectory, D(2025, 5, 1))
    log(world.trajectory, TODAY - _days(3))  # not waiting long enough to count
    log(world.trajectory, D(2025, 4, 2), kind="case_consultation")  # never billed
    cancelled = log(world.trajectory, D(2025, 3, 3))
    activity_cancel(activity=cancelled, actor=world.lead)

    _refresh()

    alert = _open(WAITING).get()
    assert alert.details == {"count": 2, "oldest": "2025-04-01"}
    with translation.override("en"):
        assert alert.text.startswith("2 activities have waited for funding since")


def test_care_absorbed_by_a_new_allocation_resolves_the_waiting_alert(world):
    waiting = log(world.trajectory, D(2025, 4, 1))
    _refresh()
    allocation = register(world.client, world.jeugdwet, world.lead)
    waiting.refresh_from_db()
    assert (waiting.allocation, waiting.absorbed_at is not None) == (allocation, True)

    run = _refresh()

    assert run.resolved == 1
    assert not _open(WAITING).exists()


# --- who sees them --------------------------------------------------------------------------


@pytest.fixture
def alerts(world):
    """Open alerts for the world's client and for a client of another team."""
    _cause_waiting(world)
    other_team = trajectory_of(world.organisation)
    log(other_team, D(2025, 4, 1))
    _refresh()
    return world, other_team


def _visible(user):
    return set(funding_alert_list_for_user(user=user).values_list("client_id", flat=True))


def _team_member(world, team_role, *roles):
    user = UserFactory(organisation=world.organisation, roles=list(roles))
    care_team_join(
        trajectory=world.trajectory,
        user=user,
        role=team_role,
        start=D(2025, 1, 1),
        actor=world.lead,
    )
    return user


def test_a_caseworker_sees_the_alerts_of_the_clients_on_whose_team_they_are(alerts):
    world, other_team = alerts
    assert _visible(world.lead) == {world.client.pk}
    assert _visible(other_team.lead_caseworker) == {other_team.client.pk}
    alert = _open(client=world.client).get()
    assert funding_alert_get_for(user=world.lead, pk=alert.pk) == alert
    assert funding_alert_get_for(user=other_team.lead_caseworker, pk=alert.pk) is None


def test_a_manager_sees_the_organisations_alerts(alerts):
    world, other_team = alerts
    assert _visible(world.manager) == {world.client.pk, other_team.client.pk}


def test_a_managers_alerts_are_read_by_their_own_organisation_not_through_the_clients(alerts):
    # Issue 19: joined to their clients, a manager's open alerts were found among every open
    # alert of the country; the alert keeps its organisation (index open_alerts_of_organisation).
    world, _other_team = alerts
    where = str(funding_alert_list_for_user(user=world.manager).query).split(" WHERE ")[1]
    assert '"funding_fundingalert"."organisation_id" = ' in where
    assert '"clients_client"."organisation_id"' not in where


@pytest.mark.django_db
def test_on_postgresql_the_open_alerts_have_an_index_in_the_pages_order():
    # Made by migration funding 0017 in SQL (SQLite has no NULLS FIRST in an index).
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("an index of PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'open_alerts_of_organisation'"
        )
        [(definition,)] = cursor.fetchall()
    assert definition.endswith(
        "(organisation_id, acknowledged_at NULLS FIRST, raised_on DESC, kind, id)"
        " WHERE (resolved_at IS NULL)"
    )


def test_an_alert_saved_on_its_own_takes_its_clients_organisation(world):
    alert = FundingAlert.objects.create(
        kind=WAITING, key="waiting:by-hand", client=world.client, raised_on=TODAY
    )
    assert alert.organisation == world.organisation
    assert alert.history.get().organisation_id == world.organisation.pk


@pytest.mark.parametrize(
    ("team_role", "roles"),
    [
        pytest.param(TeamRole.TEACHER, [Role.TEACHER], id="teacher-on-the-team"),
        pytest.param(TeamRole.TEACHER, [Role.CASEWORKER], id="caseworker-in-a-teacher-role"),
        pytest.param(TeamRole.JOB_COACH, [Role.JOB_COACH], id="job-coach-on-the-team"),
    ],
)
def test_a_team_member_who_is_not_its_caseworker_sees_none(alerts, team_role, roles):
    world, _other_team = alerts
    assert _visible(_team_member(world, team_role, *roles)) == set()


@pytest.mark.parametrize("role", [Role.TEACHER, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR])
def test_other_roles_see_none(alerts, role):
    world, _other_team = alerts
    user = UserFactory(organisation=world.organisation, roles=[role])
    assert _visible(user) == set()
    assert funding_alert_get_for(user=user, pk=_open().first().pk) is None


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASEWORKER])
def test_another_organisation_sees_none(alerts, role):
    assert _visible(UserFactory(roles=[role])) == set()


def test_a_caseworker_without_an_organisation_sees_none(alerts):
    assert _visible(UserFactory(organisation=None, roles=[Role.MANAGER])) == set()


def test_a_caseworker_who_left_the_team_no_longer_sees_its_alerts(alerts):
    world, _other_team = alerts
    former = _team_member(world, TeamRole.CASEWORKER, Role.CASEWORKER)
    assert _visible(former) == {world.client.pk}
    membership = CareTeamMembership.objects.get(user=former)
    care_team_leave(membership=membership, end=D(2025, 5, 1), actor=world.lead)

    assert _visible(former) == set()


def test_the_list_hides_resolved_alerts_unless_asked(alerts):
    world, _other_team = alerts
    register(world.client, world.jeugdwet, world.lead)  # absorbs the waiting care
    _refresh()
    assert _visible(world.lead) == set()
    every = funding_alert_list_for_user(user=world.lead, include_closed=True)
    assert [alert.kind for alert in every] == [WAITING]


def test_alerts_nobody_has_acknowledged_come_first(world):
    for day in (D(2025, 4, 1), D(2025, 4, 2), D(2025, 4, 3)):
        log(trajectory_of(world.organisation, lead=world.lead), day)
    _refresh()
    first = funding_alert_list_for_user(user=world.lead)[0]
    funding_alert_acknowledge(alert=first, actor=world.lead)

    listed = list(funding_alert_list_for_user(user=world.lead))

    assert [alert.acknowledged_at is None for alert in listed] == [True, True, False]


def test_the_list_is_one_query_with_its_client_and_allocation(world, django_assert_num_queries):
    for count in range(3):
        trajectory = trajectory_of(world.organisation, lead=world.lead)
        register(trajectory.client, world.jeugdwet, world.lead, volume=60)
        _sessions(trajectory, count + 1)
    _refresh()
    alerts = funding_alert_list_for_user(user=world.manager)  # asks for the user's roles
    with django_assert_num_queries(1):
        rows = [
            (alert.client.client_number, alert.allocation and alert.allocation.funder.name)
            for alert in alerts
        ]
    assert len(rows) == 8  # three used up (80% and 100% each), two with care waiting


# --- mail -----------------------------------------------------------------------------------


@pytest.fixture
def mail_on(settings):
    settings.FUNDING_ALERT_MAIL = True
    settings.SITE_URL = "https://zorg.example.nl"
    return settings


def _refresh_and_mail(django_capture_on_commit_callbacks, today=TODAY):
    with django_capture_on_commit_callbacks(execute=True):
        return _refresh(today)


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_new_alerts_are_mailed_once_to_the_caseworker_and_the_managers(
    world, mail_on, django_capture_on_commit_callbacks
):
    _cause_80(world)
    second = trajectory_of(world.organisation, lead=world.lead, given_name="Xandriel")
    log(second, TODAY - _days(20))  # waits
    teacher = _team_member(world, TeamRole.TEACHER, Role.TEACHER)
    other_caseworker = trajectory_of(world.organisation).lead_caseworker
    UserFactory(organisation=world.organisation, roles=[Role.MANAGER], email="")
    UserFactory(organisation=world.organisation, roles=[Role.PRIVACY_OFFICER])
    UserFactory(roles=[Role.MANAGER])  # another organisation
    UserFactory(organisation=world.organisation, roles=[Role.MANAGER], is_active=False)

    _refresh_and_mail(django_capture_on_commit_callbacks)

    assert _recipients() == sorted([world.lead.email, world.manager.email])
    assert teacher.email not in _recipients()
    assert other_caseworker.email not in _recipients()
    assert len(mail.outbox) == 2  # one message each, listing all their new alerts
    for message in mail.outbox:
        body = message.body
        assert f"- {world.client.client_number}: " in body
        assert f"- {second.client.client_number}: " in body
        for name in ("Fenna", "Zichtbaar", "Xandriel", second.client.family_name):
            assert name not in body
        assert "GEHEIME" not in body
        assert "https://zorg.example.nl/funding/alerts/" in body
        assert message.from_email == settings.DEFAULT_FROM_EMAIL

    mail.outbox.clear()
    _refresh_and_mail(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_only_the_new_alert_is_mailed_on_a_later_run(
    world, mail_on, django_capture_on_commit_callbacks
):
    _cause_waiting(world)
    _refresh_and_mail(django_capture_on_commit_callbacks)
    mail.outbox.clear()
    turning = _turning_18(world, D(2025, 8, 1), given_name="Xandriel")

    _refresh_and_mail(django_capture_on_commit_callbacks)

    assert _recipients() == sorted([turning.lead_caseworker.email, world.manager.email])
    for message in mail.outbox:
        assert turning.client.client_number in message.body
        assert world.client.client_number not in message.body  # mailed on the first run
        assert "Xandriel" not in message.body


def test_a_manager_on_the_team_as_caseworker_gets_one_message_with_each_alert_once(
    world, mail_on, django_capture_on_commit_callbacks
):
    both = _team_member(world, TeamRole.CASEWORKER, Role.CASEWORKER, Role.MANAGER)
    _cause_waiting(world)

    _refresh_and_mail(django_capture_on_commit_callbacks)

    to_both = [message for message in mail.outbox if message.to == [both.email]]
    assert len(to_both) == 1
    assert to_both[0].body.count(world.client.client_number) == 1


def test_nothing_is_mailed_when_mail_is_off(world, settings, django_capture_on_commit_callbacks):
    settings.FUNDING_ALERT_MAIL = False
    _cause_waiting(world)
    _refresh_and_mail(django_capture_on_commit_callbacks)
    assert _open(WAITING).exists()
    assert mail.outbox == []


def test_a_caseworker_who_left_the_team_is_not_mailed(
    world, mail_on, django_capture_on_commit_callbacks
):
    former = _team_member(world, TeamRole.CASEWORKER, Role.CASEWORKER)
    care_team_leave(
        membership=CareTeamMembership.objects.get(user=former), end=D(2025, 5, 1), actor=world.lead
    )
    _cause_waiting(world)

    _refresh_and_mail(django_capture_on_commit_callbacks)

    assert former.email not in _recipients()


# --- the nightly task, its schedule and the command -----------------------------------------


def _waiting_since_real_today(world, days):
    """Care dated relative to the real today: the task checks as of today."""
    today = timezone.localdate()
    trajectory = trajectory_of(world.organisation, start=today - _days(60))
    log(trajectory, today - _days(days))
    return trajectory


def test_the_nightly_task_raises_and_reports_what_it_did(world):
    _waiting_since_real_today(world, 20)
    _waiting_since_real_today(world, 5)  # not yet

    result = funding_alerts_task.apply()

    assert result.successful()
    assert result.get() == {"raised": 1, "resolved": 0, "open": 1}
    assert funding_alerts_task.apply().get() == {"raised": 0, "resolved": 0, "open": 1}
    assert _open(WAITING).get().raised_on == timezone.localdate()


def test_the_task_runs_through_celery_by_its_registered_name(world):
    _waiting_since_real_today(world, 20)
    celery_app.loader.import_default_modules()
    task = celery_app.tasks["funding.funding_alerts_task"]
    assert task.name == funding_alerts_task.name == "funding.funding_alerts_task"

    # With a broker configured (not in the tests) it runs here, through Celery, all the same.
    result = funding_alerts_task.delay() if celery_app.conf.task_always_eager else task.apply()

    assert result.get(timeout=5)["raised"] == 1


def test_the_beat_schedule_runs_the_task_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["funding-alerts"]
    assert entry["task"] == "funding.funding_alerts_task"
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute) == ({2}, {30})
    assert celery_app.conf.beat_schedule["funding-alerts"]["task"] == entry["task"]


def test_the_command_checks_as_on_a_given_day(world):
    _cause_waiting(world)
    out = io.StringIO()

    call_command("funding_alerts", "--date", TODAY.isoformat(), stdout=out)

    assert out.getvalue().startswith("1 alerts raised, 0 resolved, 1 open.")
    assert f"+ {world.client.pk}:" in out.getvalue()
    assert _open(WAITING).get().raised_on == TODAY

    out = io.StringIO()
    call_command("funding_alerts", "--date", TODAY.isoformat(), stdout=out)
    assert out.getvalue().startswith("0 alerts raised, 0 resolved, 1 open.")


@pytest.mark.parametrize("bad", ["2025-02-30", "02-06-2025", "morgen"])
def test_the_command_refuses_a_bad_date(db, bad):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("funding_alerts", "--date", bad, stdout=io.StringIO())
    assert not FundingAlert.objects.exists()


def test_the_command_without_a_date_checks_today(world):
    _waiting_since_real_today(world, 20)
    call_command("funding_alerts", stdout=io.StringIO())
    assert _open(WAITING).get().raised_on == timezone.localdate()


def test_another_organisations_alert_is_that_organisations_only(world):
    other = OrganisationFactory()
    trajectory = trajectory_of(other)
    register(trajectory.client, product(other), trajectory.lead_caseworker, volume=60)
    _sessions(trajectory, 1)
    _refresh()
    assert set(_open().values_list("client__organisation", flat=True)) == {other.pk}
    assert _visible(world.manager) == set()
    assert Allocation.objects.count() == 1
