"""Who sees and writes what of a plan, read from the client's `ClientAccess`, and the dates
that make a plan late. One place, so the pages, the panel and the day page agree.

- The plan's own texts (help question, approach, an evaluation's summary) cross the lanes:
  only whoever sees every lane and the notes reads them (the care team's caseworkers, a
  caseworker in an emergency).
- A teacher or job coach sees the goals, scores and comments of their own lane.
- A manager sees figures only: dates and scores, never a text.
- Only a caseworker of the care team writes the plan and records evaluations.
"""

from datetime import date, timedelta

from apps.core.domains import Domain
from apps.trajectories.access import ClientAccess

# The plan is due six weeks after the trajectory started (issue 17; docs/plans.md).
PLAN_DUE_AFTER = timedelta(weeks=6)
ALL_LANES = frozenset(Domain.values)


def sees_plan_text(access: ClientAccess) -> bool:
    return access.sees_notes and access.lanes >= ALL_LANES


def sees_goal_text_in(access: ClientAccess, domain: str) -> bool:
    return access.sees_goal_text and domain in access.lanes


def writes_plan(access: ClientAccess) -> bool:
    return access.may_change_care_team


def plan_missing(*, trajectory_start: date, plan_agreed_on: date | None, today: date) -> bool:
    """No agreed plan while the trajectory started more than six weeks ago."""
    return plan_agreed_on is None and trajectory_start + PLAN_DUE_AFTER < today


def evaluation_overdue(*, next_evaluation_on: date | None, today: date) -> bool:
    return next_evaluation_on is not None and next_evaluation_on < today
