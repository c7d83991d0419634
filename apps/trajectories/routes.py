"""Funding routes outside the allocations: a law that pays per prestatie, not by allocation.

The Zvw pays a young adult's GGZ treatment from the 18th birthday through the insurer, per
prestatie of the zorgprestatiemodel (apps.zvw); there is no allocation to draw on. Apps above
this one may not be imported from here (the layers of pyproject.toml), so such an app registers
a decider in its AppConfig.ready():

    funding_route_register("zvw", zvw_route_decide)

The assignment asks the deciders only when no allocation pays for the activity (an allocation
that fits, e.g. extended youth care or the Wlz, keeps paying) and no Wlz indication puts the
Wlz first. ``decider(activity, client)`` returns None when its law is not the one for this
activity on its date, else a ``RouteDecision``: ``pays`` when everything the funder needs is
recorded (the activity is then paid by the route), otherwise not, with the reason (a to-do)
the activity keeps in the unfunded queue until the route is completed and the queue is matched
again (assignment.unfunded_rematch).
"""

from collections.abc import Callable
from dataclasses import dataclass

from apps.clients.models import Client

from .models import Activity


@dataclass(frozen=True)
class RouteDecision:
    pays: bool
    reason: dict


RouteDecider = Callable[[Activity, Client], RouteDecision | None]

_DECIDERS: dict[str, RouteDecider] = {}


def funding_route_register(name: str, decider: RouteDecider) -> None:
    """Adds (or, under the same name, replaces) a decider; called from AppConfig.ready()."""
    _DECIDERS[name] = decider


def funding_route_decide(*, activity: Activity, client: Client) -> RouteDecision | None:
    """The first registered route whose law is the one for this activity, or None."""
    for name in sorted(_DECIDERS):
        decision = _DECIDERS[name](activity, client)
        if decision is not None:
            return decision
    return None
