"""Writes of the treatment plan and its evaluations: one transaction each, history with the
actor, the access-log entry, and the goals' progress through `goal_update`."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.audit.models import AccessEvent
from apps.audit.services import access_log_write
from apps.clients.representation import MINOR_WHO_DECIDES_ALONE_AGE
from apps.core.errors import PermissionRefused, text_too_long
from apps.trajectories.access import client_access_for
from apps.trajectories.models import Goal, Trajectory, TrajectoryStatus
from apps.trajectories.services import goal_update

from .models import (
    EVALUATION_TEXT_MAX_LENGTH,
    MAX_EVALUATION_WEEKS,
    PLAN_TEXT_MAX_LENGTH,
    SCORE_COMMENT_MAX_LENGTH,
    SCORE_MAX,
    SCORE_MIN,
    Evaluation,
    GoalScore,
    TreatmentPlan,
)
from .rules import writes_plan

# Below this age a parent or guardian agrees to the plan as well (WGBO art. 7:450 and Jeugdwet
# art. 7.3.4: under 16 the parents' consent is needed, from 12 beside the young person's own):
# the age from which the young person decides alone (apps/clients/representation.py).
GUARDIAN_NEEDED_BELOW_AGE = MINOR_WHO_DECIDES_ALONE_AGE

PLAN_FIELDS = frozenset(
    {
        "help_question",
        "approach",
        "agreed_on",
        "agreed_how",
        "young_person_agreed",
        "guardian_name",
        "evaluation_weeks",
        "next_evaluation_on",
    }
)


def _today() -> date:
    return timezone.localdate()


def _actor_writes(*, actor: User, trajectory: Trajectory) -> None:
    access = client_access_for(user=actor, client=trajectory.client)
    if access is None or not writes_plan(access):
        raise PermissionRefused(
            _("Only a caseworker of the care team writes the plan and its evaluations.")
        )


def guardian_needed(*, trajectory: Trajectory, on: date) -> bool:
    """Whether a parent or guardian agrees as well: the client was under 16 on that day."""
    return trajectory.client.age_on(on) < GUARDIAN_NEEDED_BELOW_AGE


def _validate_plan(plan: TreatmentPlan) -> None:
    trajectory = plan.trajectory
    errors: dict[str, list[str]] = {}
    for field in ("help_question", "approach"):
        too_long = text_too_long(getattr(plan, field), PLAN_TEXT_MAX_LENGTH)
        if too_long:
            errors[field] = [too_long]
    if not 1 <= plan.evaluation_weeks <= MAX_EVALUATION_WEEKS:
        errors["evaluation_weeks"] = [
            _("Evaluate at least once every %(weeks)s weeks.") % {"weeks": MAX_EVALUATION_WEEKS}
        ]
    if plan.agreed_on is None:
        if plan.agreed_how or plan.young_person_agreed or plan.guardian_name:
            errors["agreed_on"] = [_("Give the date the plan was agreed on.")]
    else:
        if plan.agreed_on > _today():
            errors["agreed_on"] = [_("The plan cannot be agreed on a day still to come.")]
        elif plan.agreed_on < trajectory.start:
            errors["agreed_on"] = [
                _("The trajectory started on %(start)s; the plan is agreed on or after it.")
                % {"start": date_format(trajectory.start, "SHORT_DATE_FORMAT")}
            ]
        if not plan.agreed_how:
            errors["agreed_how"] = [_("Say how the plan was agreed.")]
        if not plan.guardian_name.strip() and guardian_needed(
            trajectory=trajectory, on=plan.agreed_on
        ):
            errors["guardian_name"] = [
                _(
                    "The young person was under %(age)s on that day: name the parent or "
                    "guardian who agreed as well."
                )
                % {"age": GUARDIAN_NEEDED_BELOW_AGE}
            ]
        if plan.next_evaluation_on is not None and plan.next_evaluation_on < plan.agreed_on:
            errors["next_evaluation_on"] = [
                _("The next evaluation comes after the day the plan was agreed.")
            ]
    if errors:
        raise ValidationError(errors)
    plan.full_clean(exclude=["trajectory"])


@transaction.atomic
def plan_save(*, trajectory: Trajectory, actor: User, **fields) -> TreatmentPlan:
    """Write the trajectory's plan (the first time or again). Without a next evaluation date an
    agreed plan is evaluated `evaluation_weeks` after its last evaluation, or after it was
    agreed."""
    unknown = set(fields) - PLAN_FIELDS
    if unknown:
        raise TypeError(f"plan_save cannot change {sorted(unknown)}")
    trajectory = (
        Trajectory.objects.select_for_update().select_related("client").get(pk=trajectory.pk)
    )
    if trajectory.status != TrajectoryStatus.OPEN:
        raise ValidationError(_("Only the plan of an open trajectory can be changed."))
    _actor_writes(actor=actor, trajectory=trajectory)
    plan = TreatmentPlan.objects.filter(trajectory=trajectory).first()
    created = plan is None
    if created:
        plan = TreatmentPlan(trajectory=trajectory)
    for field, value in fields.items():
        setattr(plan, field, value.strip() if isinstance(value, str) else value)
    if plan.agreed_on is not None and plan.next_evaluation_on is None:
        last = (
            plan.evaluations.order_by("-date").values_list("date", flat=True).first()
            if not created
            else None
        )
        plan.next_evaluation_on = max(plan.agreed_on, last or plan.agreed_on) + timedelta(
            weeks=plan.evaluation_weeks
        )
    _validate_plan(plan)
    plan._history_user = actor
    plan.save()
    access_log_write(
        actor=actor,
        event=AccessEvent.CREATE if created else AccessEvent.CHANGE,
        client=trajectory.client,
        obj=plan,
    )
    return plan


@transaction.atomic
def evaluation_record(
    *,
    plan: TreatmentPlan,
    on: date,
    text: str,
    scores: list[tuple[Goal, int, str]],
    actor: User,
) -> Evaluation:
    """Evaluate the plan on a day: a summary and a score (0-100 %) per goal evaluated.

    Each score is a new point of the goal's line; the goal's progress becomes its latest score
    (by date) through `goal_update`, and the next evaluation moves on by the plan's interval.
    """
    plan = (
        TreatmentPlan.objects.select_for_update()
        .select_related("trajectory__client")
        .get(pk=plan.pk)
    )
    trajectory = plan.trajectory
    if trajectory.status != TrajectoryStatus.OPEN:
        raise ValidationError(_("Only the plan of an open trajectory can be evaluated."))
    _actor_writes(actor=actor, trajectory=trajectory)
    text = text.strip()
    errors: dict[str, list[str]] = {}
    if not plan.is_agreed:
        raise ValidationError(
            _("Record when and with whom the plan was agreed before evaluating it.")
        )
    if on > _today():
        errors["date"] = [_("An evaluation cannot lie in the future.")]
    elif on < plan.agreed_on:
        errors["date"] = [
            _("The plan was agreed on %(day)s; evaluate it on or after that day.")
            % {"day": date_format(plan.agreed_on, "SHORT_DATE_FORMAT")}
        ]
    too_long = text_too_long(text, EVALUATION_TEXT_MAX_LENGTH)
    if too_long:
        errors["text"] = [too_long]
    if not scores:
        errors.setdefault("__all__", []).append(_("Score at least one goal."))
    seen: set[int] = set()
    for goal, score, comment in scores:
        if goal.trajectory_id != trajectory.pk or goal.pk in seen:
            raise ValidationError(_("A goal of another trajectory cannot be scored here."))
        seen.add(goal.pk)
        if not SCORE_MIN <= score <= SCORE_MAX:
            errors.setdefault("__all__", []).append(_("A score is a percentage from 0 to 100."))
        if message := text_too_long(comment, SCORE_COMMENT_MAX_LENGTH):
            errors.setdefault("__all__", []).append(message)
    if errors:
        raise ValidationError(errors)

    evaluation = Evaluation(plan=plan, date=on, text=text, evaluated_by=actor)
    evaluation.full_clean(exclude=["plan", "evaluated_by"])
    evaluation._history_user = actor
    evaluation.save()
    for goal, score, comment in scores:
        row = GoalScore(evaluation=evaluation, goal=goal, score=score, comment=comment.strip())
        row.full_clean(exclude=["evaluation", "goal"])
        row._history_user = actor
        row.save()
        later = GoalScore.objects.filter(goal=goal, evaluation__date__gt=on).exists()
        if not later and goal.progress != score:
            goal_update(goal=goal, actor=actor, progress=score)
    latest = plan.evaluations.order_by("-date").values_list("date", flat=True).first()
    if latest == on:
        plan.next_evaluation_on = on + timedelta(weeks=plan.evaluation_weeks)
        plan._history_user = actor
        plan.save(update_fields=["next_evaluation_on"])
    access_log_write(
        actor=actor, event=AccessEvent.CREATE, client=trajectory.client, obj=evaluation
    )
    return evaluation
