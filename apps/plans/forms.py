from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput

from .models import (
    EVALUATION_TEXT_MAX_LENGTH,
    MAX_EVALUATION_WEEKS,
    PLAN_TEXT_MAX_LENGTH,
    SCORE_COMMENT_MAX_LENGTH,
    AgreedHow,
)


class PlanForm(forms.Form):
    help_question = forms.CharField(
        label=_("Help question"),
        required=False,
        max_length=PLAN_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the young person (and the parents) ask help with, in their words."),
    )
    approach = forms.CharField(
        label=_("Approach"),
        required=False,
        max_length=PLAN_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How the help is given: care, school and work together."),
    )
    agreed_on = forms.DateField(
        label=_("Agreed on"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty while the plan is a draft."),
    )
    agreed_how = forms.ChoiceField(
        label=_("Agreed how"), required=False, choices=[("", "—"), *AgreedHow.choices]
    )
    young_person_agreed = forms.BooleanField(
        label=_("The young person agreed to the plan"), required=False
    )
    guardian_name = forms.CharField(
        label=_("Parent or guardian who agreed"),
        required=False,
        max_length=200,
        help_text=_("Needed when the young person was under 16; name and relation."),
    )
    evaluation_weeks = forms.IntegerField(
        label=_("Evaluate every (weeks)"), min_value=1, max_value=MAX_EVALUATION_WEEKS
    )
    next_evaluation_on = forms.DateField(
        label=_("Next evaluation"),
        required=False,
        widget=DateInput,
        help_text=_("Empty: the interval after the day the plan was agreed or last evaluated."),
    )


class EvaluationForm(forms.Form):
    """The day, the summary, and per goal a score (0-100 %) and a comment; a goal left without
    a score is not evaluated this time."""

    date = forms.DateField(label=_("Date"), widget=DateInput)
    text = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=EVALUATION_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, goals, goal_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            label = goal_label(goal)
            self.fields[f"score_{goal.pk}"] = forms.IntegerField(
                label=_("Score (%%) · %(goal)s") % {"goal": label},
                required=False,
                min_value=0,
                max_value=100,
            )
            self.fields[f"comment_{goal.pk}"] = forms.CharField(
                label=_("Comment · %(goal)s") % {"goal": label},
                required=False,
                max_length=SCORE_COMMENT_MAX_LENGTH,
            )

    def goal_rows(self):
        return [(goal, self[f"score_{goal.pk}"], self[f"comment_{goal.pk}"]) for goal in self.goals]

    def scores(self):
        return [
            (goal, self.cleaned_data[f"score_{goal.pk}"], self.cleaned_data[f"comment_{goal.pk}"])
            for goal in self.goals
            if self.cleaned_data.get(f"score_{goal.pk}") is not None
        ]
