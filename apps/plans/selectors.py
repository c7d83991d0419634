"""Reads of the treatment plan: the plan page's goals as lines of scores, the evaluations a
user may see, and the day page's list of plans missing or due."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch

from apps.accounts.models import User
from apps.clients.models import Client
from apps.trajectories.access import client_list_for_user
from apps.trajectories.models import Goal, Trajectory, TrajectoryStatus

from .models import Evaluation, GoalScore, TreatmentPlan
from .rules import ALL_LANES, PLAN_DUE_AFTER, evaluation_overdue, plan_missing

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 240, 64, 6


def plan_for_trajectory(*, trajectory: Trajectory) -> TreatmentPlan | None:
    return TreatmentPlan.objects.filter(trajectory=trajectory).first()


@dataclass
class GoalLine:
    """A goal with its scores in date order, and the points of its chart."""

    goal: Goal
    scores: list[GoalScore]
    points: list[tuple[float, float, GoalScore]] = field(default_factory=list)

    @property
    def latest(self) -> int | None:
        return self.scores[-1].score if self.scores else None

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _score in self.points)


def _chart_points(scores: list[GoalScore]) -> list[tuple[float, float, GoalScore]]:
    """x by date between the first and last evaluation (evenly apart on a single day), y by
    score from 0 at the bottom to 100 at the top."""
    if not scores:
        return []
    first, last = scores[0].evaluation.date, scores[-1].evaluation.date
    span = (last - first).days
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD
    points = []
    for index, row in enumerate(scores):
        if len(scores) == 1:
            x = CHART_WIDTH / 2
        elif span:
            x = CHART_PAD + inner_w * (row.evaluation.date - first).days / span
        else:
            x = CHART_PAD + inner_w * index / (len(scores) - 1)
        y = CHART_PAD + inner_h * (100 - row.score) / 100
        points.append((x, y, row))
    return points


def goal_lines_for(*, trajectory: Trajectory, lanes) -> list[GoalLine]:
    """The trajectory's goals in the given lanes, each with its scores (two queries)."""
    goals = Goal.objects.filter(trajectory=trajectory, domain__in=list(lanes)).prefetch_related(
        Prefetch(
            "scores",
            queryset=GoalScore.objects.select_related("evaluation").order_by(
                "evaluation__date", "evaluation_id"
            ),
        )
    )
    lines = []
    for goal in goals:
        scores = list(goal.scores.all())
        lines.append(GoalLine(goal=goal, scores=scores, points=_chart_points(scores)))
    return lines


def evaluations_for(*, plan: TreatmentPlan, lanes) -> list[Evaluation]:
    """The plan's evaluations, newest first, each with only the scores of the given lanes
    (as `lane_scores`); an evaluation without a score in those lanes is left out unless the
    user sees every lane."""
    lanes = set(lanes)
    evaluations = list(
        plan.evaluations.select_related("evaluated_by")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=GoalScore.objects.select_related("goal").order_by(
                    "goal__domain", "goal_id"
                ),
            )
        )
        .order_by("-date", "-pk")
    )
    shown = []
    for evaluation in evaluations:
        evaluation.lane_scores = [s for s in evaluation.scores.all() if s.goal.domain in lanes]
        if evaluation.lane_scores or lanes >= ALL_LANES:
            shown.append(evaluation)
    return shown


@dataclass(frozen=True)
class PlanDue:
    """A client whose plan needs the user: missing (and due since `since`) or to be evaluated."""

    client: Client
    trajectory: Trajectory
    plan: TreatmentPlan | None
    missing: bool
    since: date


def evaluations_due_for(*, user: User, today: date) -> list[PlanDue]:
    """The user's clients (their care teams now) whose plan is missing more than six weeks
    after the trajectory started, or whose next evaluation date has passed; most overdue
    first. One query, however many clients."""
    trajectories = (
        Trajectory.objects.filter(
            status=TrajectoryStatus.OPEN, client__in=client_list_for_user(user=user)
        )
        .select_related("client", "plan")
        .order_by("pk")
    )
    due = []
    for trajectory in trajectories:
        plan = getattr(trajectory, "plan", None)
        if plan_missing(
            trajectory_start=trajectory.start,
            plan_agreed_on=plan.agreed_on if plan else None,
            today=today,
        ):
            due.append(
                PlanDue(
                    trajectory.client, trajectory, plan, True, trajectory.start + PLAN_DUE_AFTER
                )
            )
        elif plan is not None and evaluation_overdue(
            next_evaluation_on=plan.next_evaluation_on, today=today
        ):
            due.append(PlanDue(trajectory.client, trajectory, plan, False, plan.next_evaluation_on))
    return sorted(due, key=lambda item: (item.since, item.client.pk))
