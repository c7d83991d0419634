"""What the Zvw route adds to the client page (apps.trajectories.panels): from 17½ the to-do
of what the insurer still needs, so that GGZ treatment goes on on the 18th birthday."""

from django.http import HttpRequest
from django.utils import timezone

from apps.clients.models import Client
from apps.trajectories.access import ClientAccess
from apps.trajectories.models import Trajectory

from .route import ADULT_AGE, route_check, todo_shows


def zvw_route_panel(
    request: HttpRequest, client: Client, access: ClientAccess, trajectory: Trajectory | None
) -> dict | None:
    """The route's state and to-do, for who sees the client's funding or decides on its care;
    the client page's own entry in the access log covers the read."""
    if trajectory is None or not (access.sees_funding or access.may_change_care_team):
        return None
    today = timezone.localdate()
    if not todo_shows(client=client, today=today):
        return None
    birthday = client.birthday(ADULT_AGE)
    check = route_check(client=client, day=max(today, birthday))
    return {
        "client": client,
        "birthday": birthday if access.sees_identity else None,
        "missing": check.missing,
        "complete": check.complete,
        "may_change": access.may_change_care_team,
    }
