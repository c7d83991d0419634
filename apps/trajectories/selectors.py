"""Reads of trajectories for the pages: querysets with what the templates need, no more."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max, Q, QuerySet

from apps.accounts.models import User
from apps.clients.models import Client
from apps.funding.figures import ends_soon
from apps.funding.models import Allocation, FundingAlert
from apps.trajectories.use import AllocationUse, allocation_use

from .access import client_list_for_user
from .models import (
    Activity,
    ActivityStatus,
    CareTeamMembership,
    DayAttendance,
    Goal,
    Stay,
    Trajectory,
    TrajectoryStatus,
)


def client_search_for_user(*, user: User, query: str) -> QuerySet[Client]:
    """The user's clients matching a name, client number or pseudonym (care team only)."""
    clients = client_list_for_user(user=user)
    query = query.strip()
    if not query:
        return clients
    matches = Q(client_number__icontains=query) | Q(pseudonym__icontains=query)
    # Names are only searched where they are shown: a shielded client is found by pseudonym.
    for part in query.split():
        matches |= Q(shielded=False) & (
            Q(given_name__icontains=part) | Q(family_name__icontains=part)
        )
    return clients.filter(matches)


def trajectory_open_for_client(*, client: Client) -> Trajectory | None:
    return (
        Trajectory.objects.filter(client=client, status=TrajectoryStatus.OPEN)
        .select_related("lead_caseworker")
        .first()
    )


def activity_list_for_client(*, client: Client, lanes: Iterable[str]) -> QuerySet[Activity]:
    """The client's activities in the given lanes, newest first, ready for a template."""
    # By the trajectories' ids, not through a join on the client: with one trajectory the
    # (trajectory, -date) index yields the newest first and LIMIT stops after a page
    # (docs/performance.md, "The client page").
    trajectory_ids = list(Trajectory.objects.filter(client=client).values_list("pk", flat=True))
    return (
        Activity.objects.filter(trajectory_id__in=trajectory_ids, domain__in=list(lanes))
        .select_related("performed_by", "goal", "allocation__funder", "allocation__product")
        .order_by("-date", "-start_time", "-pk")
    )


def goal_list_for_client(*, client: Client, lanes: Iterable[str]) -> QuerySet[Goal]:
    return Goal.objects.filter(
        trajectory__client=client, trajectory__status=TrajectoryStatus.OPEN, domain__in=list(lanes)
    )


def care_team_for_client(*, client: Client) -> QuerySet[CareTeamMembership]:
    from .access import ongoing_memberships

    return (
        CareTeamMembership.objects.filter(ongoing_memberships(), trajectory__client=client)
        .select_related("user")
        .order_by("role", "user__last_name")
    )


def allocation_list_for_client(*, client: Client) -> QuerySet[Allocation]:
    return client.allocations.select_related("funder", "contract__stream", "product").order_by(
        "-start", "pk"
    )


def unfunded_list_for_client(*, client: Client, lanes: Iterable[str]) -> QuerySet[Activity]:
    """The client's activities waiting for funding, oldest first (care never waits)."""
    return (
        Activity.objects.unfunded()
        .filter(trajectory__client=client, domain__in=list(lanes))
        .order_by("date", "pk")
    )


def allocation_use_for_client(*, client: Client, today) -> list[AllocationUse]:
    """Each allocation of the client, the latest first, with what is used and left in its
    window and over its validity, its pace and when it runs out: one grouped query."""
    allocations = list(allocation_list_for_client(client=client))
    uses = allocation_use(allocations=allocations, today=today)
    return [uses[allocation.pk] for allocation in allocations]


def funding_alerts_for_client(*, client: Client) -> QuerySet[FundingAlert]:
    """The client's open funding alerts, the newest first."""
    return client.funding_alerts.open().order_by("-raised_on", "kind", "pk")


def timeline_rows(*, activities: Iterable[Activity], lanes: Iterable[str]) -> list[dict]:
    """Group a page of activities by date into rows with one cell per lane."""
    lanes = list(lanes)
    rows: list[dict] = []
    for activity in activities:
        if not rows or rows[-1]["date"] != activity.date:
            rows.append({"date": activity.date, "cells": {lane: [] for lane in lanes}})
        rows[-1]["cells"][activity.domain].append(activity)
    for row in rows:
        row["cells"] = [row["cells"][lane] for lane in lanes]
    return rows


def colleagues_for_care_team(*, client: Client) -> QuerySet[User]:
    """Active colleagues of the client's organisation who can join a care team."""
    return (
        User.objects.filter(
            organisation_id=client.organisation_id,
            is_active=True,
            groups__name__in=["caseworker", "teacher", "job_coach"],
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


@dataclass(frozen=True)
class Attention:
    """What needs attention for one client on "my clients"."""

    expiring: list[Allocation]
    nearly_used: list[Allocation]
    unfunded: int
    birthday_18: date | None
    last_activity: date | None
    quiet: bool

    @property
    def any(self) -> bool:
        return bool(
            self.expiring or self.nearly_used or self.unfunded or self.birthday_18 or self.quiet
        )


def caseload_with_attention(
    *, user: User, clients: list[Client], today: date
) -> list[tuple[Client, Attention]]:
    """Each client with what needs attention for this user, in a fixed number of queries.

    An allocation that ends soon or is mostly used (apps/funding/figures.py, as the alerts
    count them), unfunded
    activities, an 18th birthday within 90 days (the Jeugdwet ends), no activity for 14 days.
    Each item follows what the user may see of the client, as the client page does: funding
    items only for those who see funding, activities counted in the user's lanes only.
    """
    from .access import caseload_access_for

    if not clients:
        return []
    accesses = caseload_access_for(user=user, clients=clients)
    ids = [client.pk for client in clients]
    funded_ids = [pk for pk in ids if pk in accesses and accesses[pk].sees_funding]
    # Per client and lane, so that each user's figures add up only the lanes they see.
    activity_stats: dict[int, dict[str, dict]] = {}
    for row in (
        Activity.objects.recorded()
        .filter(trajectory__client_id__in=ids)
        .values("trajectory__client_id", "domain")
        .annotate(
            unfunded=Count("pk", filter=Q(funding_status="unfunded")),
            last=Max("date"),
        )
        .order_by()
    ):
        activity_stats.setdefault(row["trajectory__client_id"], {})[row["domain"]] = row
    allocations = (
        list(
            Allocation.objects.active()
            .valid_on(today)
            .filter(client_id__in=funded_ids)
            .order_by("pk")
        )
        if funded_ids
        else []
    )
    # What is budgeted (the whole validity where it is known), as the 80% alert counts it.
    uses = allocation_use(allocations=allocations, today=today) if allocations else {}
    by_client: dict[int, list[Allocation]] = {}
    for allocation in allocations:
        by_client.setdefault(allocation.client_id, []).append(allocation)
    result = []
    for client in clients:
        access = accesses.get(client.pk)
        lanes = access.lanes if access is not None else frozenset()
        sees_funding = access is not None and access.sees_funding
        seen = [row for domain, row in activity_stats.get(client.pk, {}).items() if domain in lanes]
        own = by_client.get(client.pk, []) if sees_funding else []
        birthday = client.birthday(18)
        last = max((row["last"] for row in seen), default=None)
        result.append(
            (
                client,
                Attention(
                    expiring=[a for a in own if ends_soon(end=a.end, today=today)],
                    nearly_used=[a for a in own if uses[a.pk].mostly_used],
                    unfunded=sum(row["unfunded"] for row in seen) if sees_funding else 0,
                    birthday_18=birthday
                    if sees_funding and today <= birthday <= today + timedelta(days=90)
                    else None,
                    last_activity=last,
                    quiet=last is None or last < today - timedelta(days=14),
                ),
            )
        )
    return result


# --- presence: stays and day parts --------------------------------------------------------


def timeline_activities_for_client(*, client: Client, lanes: Iterable[str]) -> QuerySet[Activity]:
    """The activities of the timeline: a stay's nights are folded into the stay (shown as one
    bar by ``stays_for_client``), not listed one row a night."""
    return activity_list_for_client(client=client, lanes=lanes).filter(stay__isnull=True)


def stays_for_client(*, client: Client) -> QuerySet[Stay]:
    """The client's residential stays, the latest first, each with its recorded nights and
    leave nights counted (``night_count``, ``leave_night_count``) and its leave at hand."""
    recorded = Q(nights__status=ActivityStatus.RECORDED)
    return (
        Stay.objects.filter(trajectory__client=client)
        .annotate(
            night_count=Count("nights", filter=recorded),
            leave_night_count=Count(
                "nights", filter=recorded & Q(nights__attendance="absent_authorised")
            ),
        )
        .prefetch_related("leaves")
        .order_by("-admitted_on", "-pk")
    )


def day_attendance_week(*, client: Client, monday: date) -> list[tuple[date, list[str]]]:
    """The seven days from ``monday`` with the day parts the client attended on each."""
    days = [monday + timedelta(days=n) for n in range(7)]
    found = dict(
        DayAttendance.objects.filter(
            trajectory__client=client, date__in=days, activity__status=ActivityStatus.RECORDED
        ).values_list("date", "day_parts")
    )
    return [(day, found.get(day, [])) for day in days]
