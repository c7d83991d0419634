"""The demo's treatment plans (apps.plans), written through the plan services by a caseworker
of each care team: every open trajectory has an agreed plan, except the stories the demo tells
on the client page and the day page:

- the first open trajectory of each organisation is evaluated three times, its goals rising;
- the second has an evaluation that is overdue (the client page warns);
- the third started more than six weeks ago and has no plan yet (the client page warns).

Deterministic: the trajectories in client-number order, the dates from ``today``.
"""

from datetime import date, timedelta

from apps.accounts.models import User
from apps.plans.models import TreatmentPlan
from apps.plans.services import evaluation_record, guardian_needed, plan_save
from apps.trajectories.access import current_memberships
from apps.trajectories.models import GoalStatus, TeamRole, Trajectory, TrajectoryStatus

PLAN_WEEKS_AFTER_START = 4
EVALUATION_WEEKS = 8
GUARDIANS = ("Moeder (gezaghebbend)", "Vader (gezaghebbend)", "Voogd, Jeugdbescherming")
APPROACHES = (
    "Traumabehandeling (EMDR) in de zorg, een vast rooster op school met een vertrouwenspersoon, "
    "en een stageplek die past bij wat ze aankan.",
    "Wekelijkse gesprekken met de behandelaar, samen met de mentor het schoolverzuim aanpakken, "
    "en stap voor stap werken aan een eigen inkomen.",
)


def _caseworker(trajectory: Trajectory) -> User | None:
    membership = (
        trajectory.memberships.filter(current_memberships(), role=TeamRole.CASEWORKER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _agree(trajectory: Trajectory, actor: User, *, agreed_on: date, index: int, **more):
    return plan_save(
        trajectory=trajectory,
        actor=actor,
        help_question=(
            "Zich weer veilig voelen, naar school blijven gaan en zicht krijgen op werk; "
            "de jongere wil leren grenzen aan te geven."
        ),
        approach=APPROACHES[index % len(APPROACHES)],
        agreed_on=agreed_on,
        agreed_how=("conversation", "meeting")[index % 2],
        young_person_agreed=True,
        guardian_name=(
            GUARDIANS[index % len(GUARDIANS)]
            if guardian_needed(trajectory=trajectory, on=agreed_on)
            else ""
        ),
        evaluation_weeks=EVALUATION_WEEKS,
        **more,
    )


def _evaluate(plan: TreatmentPlan, actor: User, *, days: list[date], start_score: int) -> None:
    goals = list(plan.trajectory.goals.filter(status=GoalStatus.OPEN).order_by("domain", "pk"))
    if not goals:
        return
    for step, day in enumerate(days):
        evaluation_record(
            plan=plan,
            on=day,
            text=(
                "Besproken met de jongere: "
                + ("het gaat met kleine stappen vooruit." if step else "een voorzichtig begin.")
            ),
            scores=[
                (goal, min(100, start_score + 15 * step + 5 * rank), "")
                for rank, goal in enumerate(goals)
            ],
            actor=actor,
        )


def demo_plans_seed(*, users: dict[str, User], today: date) -> None:
    """Plans and evaluations for the demo's open trajectories (see the module's docstring)."""
    trajectories = (
        Trajectory.objects.filter(status=TrajectoryStatus.OPEN)
        .select_related("client")
        .order_by("client__organisation_id", "client__client_number")
    )
    story: dict[int, int] = {}  # per organisation, how many trajectories had their story
    for index, trajectory in enumerate(trajectories):
        actor = _caseworker(trajectory)
        agreed_on = trajectory.start + timedelta(weeks=PLAN_WEEKS_AFTER_START)
        if actor is None or agreed_on > today - timedelta(days=1):
            continue  # too young for a plan: it is still being written
        place = story.get(trajectory.client.organisation_id, 0)
        story[trajectory.client.organisation_id] = place + 1
        if place == 2 and trajectory.start < today - timedelta(weeks=6):
            continue  # no plan yet
        if place == 0:
            plan = _agree(trajectory, actor, agreed_on=agreed_on, index=index)
            days = [today - timedelta(weeks=EVALUATION_WEEKS * n + 2) for n in (2, 1, 0)]
            _evaluate(plan, actor, days=[d for d in days if d >= agreed_on], start_score=20)
        elif place == 1:
            plan = _agree(trajectory, actor, agreed_on=agreed_on, index=index)
            last = max(agreed_on, today - timedelta(weeks=EVALUATION_WEEKS + 3))
            _evaluate(plan, actor, days=[last], start_score=35)  # next: three weeks ago
        else:
            # Agreed, the next evaluation still to come (spread over the coming weeks).
            _agree(
                trajectory,
                actor,
                agreed_on=agreed_on,
                index=index,
                next_evaluation_on=today + timedelta(days=7 + (index * 5) % 50),
            )
