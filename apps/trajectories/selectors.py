"""Reads of trajectories for the pages: querysets with what the templates need, no more."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from apps.accounts.models import User
from apps.clients.models import Client
from apps.clients.selectors import client_list_for_user
from apps.funding.models import Allocation

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
    return (
        Activity.objects.filter(trajectory__client=client, domain__in=list(lanes))
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
