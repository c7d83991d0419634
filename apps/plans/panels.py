"""The plan's panel on the client page (slot TOP): the warnings "no plan yet" and "evaluation
overdue", the plan's dates and a link to the plan page."""

from django.http import HttpRequest
from django.utils import timezone

from apps.clients.models import Client
from apps.trajectories.access import ClientAccess
from apps.trajectories.models import Trajectory

from .rules import PLAN_DUE_AFTER, evaluation_overdue, plan_missing, writes_plan
from .selectors import plan_for_trajectory


def plan_panel(
    request: HttpRequest, client: Client, access: ClientAccess, trajectory: Trajectory | None
) -> dict | None:
    """Dates only (no text), so every role that opens the client page sees the same warnings;
    the client page's own entry in the access log covers the read."""
    if trajectory is None:
        return None
    today = timezone.localdate()
    plan = plan_for_trajectory(trajectory=trajectory)
    return {
        "client": client,
        "plan": plan,
        "missing": plan_missing(
            trajectory_start=trajectory.start,
            plan_agreed_on=plan.agreed_on if plan else None,
            today=today,
        ),
        "plan_due_on": trajectory.start + PLAN_DUE_AFTER,
        "overdue": plan is not None
        and evaluation_overdue(next_evaluation_on=plan.next_evaluation_on, today=today),
        "writes": writes_plan(access),
    }
