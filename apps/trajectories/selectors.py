"""Reads of trajectories for the pages: querysets with what the templates need, no more."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max, Q, QuerySet, Sum

from apps.accounts.models import User
from apps.clients.models import Client
from apps.funding.models import Allocation, FundingAlert
from apps.trajectories.use import AllocationUse, allocation_use

from .access import client_list_for_user
from .models import Activity, CareTeamMembership, Goal, Trajectory, TrajectoryStatus


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
    # (docs/performance.md, C1).
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
    return client.allocations.select_related("funder", "product__contract__stream").order_by(
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
    *, clients: list[Client], today: date
) -> list[tuple[Client, Attention]]:
    """Each client with what needs attention, in a fixed number of queries.

    An allocation that ends within 30 days or is 80% used over its validity, unfunded
    activities, an 18th birthday within 90 days, no activity for 14 days.
    """
    if not clients:
        return []
    ids = [client.pk for client in clients]
    activity_stats = {
        row["trajectory__client_id"]: row
        for row in Activity.objects.recorded()
        .filter(trajectory__client_id__in=ids)
        .values("trajectory__client_id")
        .annotate(
            unfunded=Count("pk", filter=Q(funding_status="unfunded")),
            last=Max("date"),
        )
    }
    allocations = list(
        Allocation.objects.active().valid_on(today).filter(client_id__in=ids).order_by("pk")
    )
    # Use over the whole validity: a weekly allocation whose week is full is no warning.
    used = {
        row["allocation_id"]: row["used"]
        for row in Activity.objects.recorded()
        .filter(allocation__in=allocations, funding_status="funded")
        .values("allocation_id")
        .annotate(used=Sum("consumed"))
    }
    by_client: dict[int, list[Allocation]] = {}
    for allocation in allocations:
        by_client.setdefault(allocation.client_id, []).append(allocation)
    result = []
    for client in clients:
        stats = activity_stats.get(client.pk, {})
        own = by_client.get(client.pk, [])
        birthday = client.birthday(18)
        last = stats.get("last")
        result.append(
            (
                client,
                Attention(
                    expiring=[
                        a for a in own if a.end is not None and a.end <= today + timedelta(days=30)
                    ],
                    nearly_used=[
                        a
                        for a in own
                        if a.total_capacity and used.get(a.pk, 0) >= a.total_capacity * 0.8
                    ],
                    unfunded=stats.get("unfunded", 0),
                    birthday_18=birthday
                    if today <= birthday <= today + timedelta(days=90)
                    else None,
                    last_activity=last,
                    quiet=last is None or last < today - timedelta(days=14),
                ),
            )
        )
    return result
