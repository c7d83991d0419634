"""The lifecycle panel on the client page (apps.trajectories.panels): the phase, who decides
about the care, and the buttons; for caseworkers on the care team only."""

from django.utils import timezone

from apps.clients.representation import decision_makers

from .selectors import representatives_for_client
from .services import NEXT_PHASE, PHASE_MOVES


def lifecycle_panel(request, client, access, trajectory) -> dict | None:
    if trajectory is None or not access.may_change_care_team:
        return None
    representatives = representatives_for_client(client=client)  # the page's read covers it
    return {
        "client": client,
        "display_name": access.name_of(client),
        "trajectory": trajectory,
        "next_phase": NEXT_PHASE.get(trajectory.phase),
        "moves": PHASE_MOVES[trajectory.phase],
        "deciders": decision_makers(
            client, on=timezone.localdate(), representatives=representatives
        ),
        "representatives": representatives,
    }
