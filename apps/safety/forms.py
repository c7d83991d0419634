from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.forms import DateInput

from .models import (
    MELDCODE_NOTES_MAX_LENGTH,
    SAFETY_NOTICE_MAX_LENGTH,
    InspectorateReportKind,
    MeldcodeDecision,
    MeldcodeStep,
)


class SafetyNoticeForm(forms.Form):
    text = forms.CharField(
        label=_("Notice"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=SAFETY_NOTICE_MAX_LENGTH,
        help_text=_(
            'What everyone working with the client must know, e.g. "Do not share where she '
            'is; call the caseworker when someone asks for her." Shown to the whole care team, '
            "teachers and job coaches included: no treatment details."
        ),
    )
    start = forms.DateField(label=_("From"), widget=DateInput)
    end = forms.DateField(
        label=_("Until"), required=False, widget=DateInput, help_text=_("Empty: until ended.")
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end lies before the start."))
        return cleaned


class SafetyNoticeChangeForm(SafetyNoticeForm):
    reason = forms.CharField(
        label=_("Why is it changed?"),
        max_length=100,
        min_length=5,
        help_text=_("Kept with the history of the notice."),
    )


class SafetyNoticeEndForm(forms.Form):
    end = forms.DateField(label=_("Ends on"), widget=DateInput)


# --- the meldcode and reports to the inspectorate ------------------------------------------------

YES_NO = [
    ("yes", pgettext_lazy("meldcode answer", "Yes")),
    ("no", pgettext_lazy("meldcode answer", "No")),
]


def _yes_no(label, *, help_text="", required=True):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        required=required,
        help_text=help_text,
    )


class MeldcodeTrackOpenForm(forms.Form):
    concern = forms.CharField(
        label=_("Concern"),
        max_length=200,
        help_text=_(
            'In a few words, e.g. "signs of contact with the former pimp". No names of others: '
            "they go in the steps' notes."
        ),
    )
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput)


class MeldcodeStepForm(forms.Form):
    """The next step of a track; the fields that step asks for, and no others."""

    date = forms.DateField(label=_("Date"), widget=DateInput)
    outcome = forms.CharField(label=_("Outcome"), max_length=300)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=MELDCODE_NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    veilig_thuis_consulted = _yes_no(
        _("Was Veilig Thuis consulted for advice?"),
        help_text=_("Consulting is not reporting: it can be done without the client's name."),
    )
    conversation_held = _yes_no(
        _("Did the conversation with the client take place?"),
        help_text=_(
            "Leave it out only when it would endanger the client or others, or the client "
            "cannot be reached; then say why in the notes."
        ),
    )
    suspicion = _yes_no(
        _("1. Based on steps 1 to 3, do I suspect domestic violence or child abuse?"),
        required=False,
    )
    acute_or_structural = _yes_no(
        _("2. Do I suspect acute or structural unsafety?"),
        help_text=_("Human trafficking and sexual exploitation count as acute unsafety."),
        required=False,
    )
    effective_help = _yes_no(
        _("3. Am I able to give or organise effective help against the (risk of) violence?"),
        required=False,
    )
    help_accepted = _yes_no(
        _("4. Do those involved accept that help and will they work on it?"),
        required=False,
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=MeldcodeDecision.choices, widget=forms.RadioSelect
    )

    FIELDS_OF_STEP = {
        MeldcodeStep.SIGNALS: (),
        MeldcodeStep.CONSULTATION: ("veilig_thuis_consulted",),
        MeldcodeStep.CONVERSATION: ("conversation_held",),
        MeldcodeStep.WEIGHING: (
            "suspicion",
            "acute_or_structural",
            "effective_help",
            "help_accepted",
        ),
        MeldcodeStep.DECISION: ("decision",),
    }
    STEP_SPECIFIC = frozenset(name for names in FIELDS_OF_STEP.values() for name in names)

    def __init__(self, *args, step: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        for name in self.STEP_SPECIFIC - set(self.FIELDS_OF_STEP[step]):
            del self.fields[name]
        if step == MeldcodeStep.WEIGHING:
            self.fields["outcome"].help_text = _(
                "Answer the questions in their order until one leads to a conclusion: "
                '1 "no" closes, 2 "yes", 3 "no" or 4 "no" means reporting is necessary.'
            )


class MeldcodeReportForm(forms.Form):
    reported_on = forms.DateField(label=_("Reported to Veilig Thuis on"), widget=DateInput)
    reference = forms.CharField(label=_("Veilig Thuis reference"), max_length=50)


class MeldcodeFollowUpForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    help_works = _yes_no(
        _("Does the help lead to the safety and recovery needed, within the term set?"),
        help_text=_('Afweging 5. "No": report (again) to Veilig Thuis.'),
        required=False,
    )
    notes = forms.CharField(
        label=_("What was found"),
        max_length=MELDCODE_NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MeldcodeCloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput)
    note = forms.CharField(
        label=_("Why is it closed?"),
        max_length=MELDCODE_NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InspectorateReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=InspectorateReportKind.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=_("What happened"),
        max_length=300,
        help_text=_("A few lines without names of others; the details stay in the record."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    occurred_on = forms.DateField(label=_("Happened on"), widget=DateInput)
    discovered_on = forms.DateField(
        label=_("Known to us on"),
        widget=DateInput,
        help_text=_("The three working days for the report count from this day."),
    )
    reported_on = forms.DateField(
        label=_("Reported to the inspectorate on"),
        required=False,
        widget=DateInput,
        help_text=_("Empty: not reported yet."),
    )
    igj_reference = forms.CharField(
        label=_("Inspectorate reference"), max_length=50, required=False
    )


class InspectorateTimelineForm(forms.Form):
    reported_on = forms.DateField(
        label=_("Reported to the inspectorate on"), required=False, widget=DateInput
    )
    igj_reference = forms.CharField(
        label=_("Inspectorate reference"), max_length=50, required=False
    )
    investigation_due = forms.DateField(
        label=_("Investigation report due"),
        required=False,
        widget=DateInput,
        help_text=_("The term the inspectorate set in its answer."),
    )
    investigation_sent_on = forms.DateField(
        label=_("Investigation report sent on"), required=False, widget=DateInput
    )
    closed_on = forms.DateField(
        label=_("Closed by the inspectorate on"), required=False, widget=DateInput
    )
