"""Reads the API needs that the web pages do not have yet.

The web shows only a client's open trajectory; the API also answers for a closed one. The
lanes come from the caller's ClientAccess (apps.trajectories.access), never from here.
Candidates to move to apps.trajectories.selectors.
"""

from collections.abc import Iterable

from django.db.models import QuerySet

from apps.trajectories.models import Goal, Trajectory


def goal_list_for_trajectory(*, trajectory: Trajectory, lanes: Iterable[str]) -> QuerySet[Goal]:
    """A trajectory's goals in the given lanes, open or closed."""
    return Goal.objects.filter(trajectory=trajectory, domain__in=list(lanes)).order_by(
        "domain", "target_date", "pk"
    )
