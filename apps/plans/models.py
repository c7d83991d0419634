"""The treatment plan (Jeugdwet art. 4.1.3, the hulpverleningsplan) and its evaluations.

One plan per trajectory: the help question, the approach, when and with whom it was agreed and
when it is evaluated next. The goals themselves stay `apps.trajectories.models.Goal` (one per
lane); an evaluation scores each goal on a date, so progress is a line of scores over time and
`Goal.progress` is the latest score (docs/plans.md).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.trajectories.models import Goal, Trajectory

PLAN_TEXT_MAX_LENGTH = 4000
EVALUATION_TEXT_MAX_LENGTH = 4000
SCORE_COMMENT_MAX_LENGTH = 500
# The scale of a goal's score: the percentage Goal.progress already uses (0 = not started,
# 100 = reached), so the latest score is the goal's progress without a conversion.
SCORE_MIN, SCORE_MAX = 0, 100
DEFAULT_EVALUATION_WEEKS = 12
MAX_EVALUATION_WEEKS = 52


class AgreedHow(models.TextChoices):
    CONVERSATION = "conversation", _("in a conversation")
    MEETING = "meeting", _("in a meeting with the network")
    PHONE = "phone", _("by telephone or video call")
    WRITING = "writing", _("in writing")


class TreatmentPlan(models.Model):
    """The trajectory's plan: what help is asked, how it is given, and who agreed to it."""

    trajectory = models.OneToOneField(
        Trajectory, on_delete=models.PROTECT, related_name="plan", verbose_name=_("trajectory")
    )
    help_question = models.TextField(_("help question"), blank=True)
    approach = models.TextField(_("approach"), blank=True)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    agreed_how = models.CharField(
        _("agreed how"), max_length=20, choices=AgreedHow.choices, blank=True
    )
    young_person_agreed = models.BooleanField(_("the young person agreed"), default=False)
    guardian_name = models.CharField(_("parent or guardian who agreed"), max_length=200, blank=True)
    evaluation_weeks = models.PositiveSmallIntegerField(
        _("evaluate every (weeks)"), default=DEFAULT_EVALUATION_WEEKS
    )
    next_evaluation_on = models.DateField(_("next evaluation"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("treatment plan")
        verbose_name_plural = _("treatment plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(evaluation_weeks__gte=1, evaluation_weeks__lte=52),
                name="plan_evaluation_weeks_1_52",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Treatment plan of %(trajectory)s") % {"trajectory": self.trajectory})

    @property
    def is_agreed(self) -> bool:
        return self.agreed_on is not None


class Evaluation(models.Model):
    """The plan evaluated on a date: a summary and a score for each goal evaluated."""

    plan = models.ForeignKey(
        TreatmentPlan,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("treatment plan"),
    )
    date = models.DateField(_("date"))
    text = models.TextField(_("summary"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("evaluated by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["plan", "date"])]

    def __str__(self) -> str:
        return f"{self.plan} · {self.date:%d-%m-%Y}"


class GoalScore(models.Model):
    """One goal's score (0-100 %) in one evaluation, with an optional comment."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.PROTECT, related_name="scores", verbose_name=_("evaluation")
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="scores", verbose_name=_("goal")
    )
    score = models.PositiveSmallIntegerField(_("score (%)"))
    comment = models.TextField(_("comment"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal score")
        verbose_name_plural = _("goal scores")
        ordering = ["evaluation__date", "evaluation_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "goal"], name="one_score_per_goal"),
            models.CheckConstraint(condition=models.Q(score__lte=100), name="goal_score_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.score}%"
