import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.clients.models import ExtendedYouthCareBasis
from apps.core.domains import (
    DOMAIN_OF_KIND,
    KINDS_BY_DOMAIN,
    NOT_CHARGEABLE_KINDS,
    ActivityKind,
    Attendance,
    Domain,
)
from apps.core.forms import DateInput, TimeInput

from .models import (
    ACTIVITY_NOTE_MAX_LENGTH,
    CHANGE_REASON_MAX_LENGTH,
    GOAL_DESCRIPTION_MAX_LENGTH,
    GOAL_TARGET_MAX_YEARS_AHEAD,
    DayPart,
    Goal,
    GoalStatus,
    SchoolType,
    TeamRole,
    TlvCategory,
)


def _at_most_characters(limit: int):
    """The limit said in the form, in the language and number format of the request."""
    return lazy(
        lambda: (
            gettext("At most %(limit)s characters.")
            % {"limit": number_format(limit, force_grouping=True)}
        ),
        str,
    )()


class ClientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name, client number or pseudonym"), required=False, max_length=100
    )


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need access now?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=15,
        max_length=2000,
        help_text=_("The privacy officer reviews every emergency access."),
    )


class ClientNumberForm(forms.Form):
    client_number = forms.CharField(label=_("Client number"), max_length=30)


# What each lane records beside what every activity has (kind, date, time, duration, goal,
# note): a teacher sees lesson fields, a job coach work fields, a caseworker care fields.
ACTIVITY_COMMON_FIELDS = (
    "domain",
    "kind",
    "date",
    "start_time",
    "duration_minutes",
    "goal",
    "note",
)
ACTIVITY_LANE_FIELDS: dict[str, tuple[str, ...]] = {
    Domain.CARE: ("units", "expected_funding"),
    Domain.EDUCATION: ("attendance", "subject", "assessment", "milestone"),
    Domain.WORK: ("attendance", "milestone"),
}
ACTIVITY_FIELDS = frozenset(
    {*ACTIVITY_COMMON_FIELDS, *(name for names in ACTIVITY_LANE_FIELDS.values() for name in names)}
)
# The kind a new activity of each lane starts as: what is logged most often there.
DEFAULT_KIND_OF_LANE: dict[str, str] = {
    Domain.CARE: ActivityKind.TREATMENT_SESSION,
    Domain.EDUCATION: ActivityKind.LESSON,
    Domain.WORK: ActivityKind.JOB_COACHING,
}
# The funding counts these in minutes (apps.funding.rules.consumption_for): without a duration
# no allocation in time units can be chosen. Never billed kinds, and presence counted in
# nights or day parts, need none.
DURATION_NOT_NEEDED_KINDS = frozenset(
    {*NOT_CHARGEABLE_KINDS, ActivityKind.DAY_ACTIVITY, ActivityKind.RESIDENTIAL_STAY}
)


def duration_needed(kind: str) -> bool:
    """Whether the funding of an activity of this kind needs its duration."""
    return kind not in DURATION_NOT_NEEDED_KINDS


class ActivityForm(forms.Form):
    """Log an activity in one lane: the fields of that lane only, the lane's most common kind
    and today filled in, and the duration asked for where the funding counts it.

    The lanes and goals offered follow the user's access; ``lane`` is the lane chosen (the
    first of ``lanes`` when not given).
    """

    domain = forms.ChoiceField(label=_("Lane"), widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"))
    date = forms.DateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TimeInput)
    duration_minutes = forms.IntegerField(label=_("Duration in minutes"), required=False)
    units = forms.IntegerField(
        label=_("Number of units"),
        required=False,
        help_text=_("Only for care counted in items, euros, nights or day parts."),
    )
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=Goal.objects.none(), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=ACTIVITY_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_at_most_characters(ACTIVITY_NOTE_MAX_LENGTH),
    )
    attendance = forms.ChoiceField(
        label=_("Attendance"), required=False, choices=[("", "—"), *Attendance.choices]
    )
    subject = forms.CharField(label=_("Subject"), required=False, max_length=100)
    assessment = forms.CharField(label=_("Assessment"), required=False, max_length=100)
    milestone = forms.CharField(label=_("Milestone reached"), required=False, max_length=200)
    expected_funding = forms.CharField(
        label=_("Expected funding"),
        required=False,
        max_length=200,
        help_text=_("When no allocation fits yet: who is expected to pay (e.g. Jeugdwet, crisis)."),
    )

    def __init__(self, *args, lanes, goals, kinds=None, lane=None, sees_funding=True, **kwargs):
        super().__init__(*args, **kwargs)
        lanes = [d.value for d in Domain if d.value in lanes]
        self.lane = lane if lane in lanes else next(iter(lanes), Domain.CARE)
        keep = {*ACTIVITY_COMMON_FIELDS, *ACTIVITY_LANE_FIELDS[self.lane]}
        if not sees_funding:
            keep.discard("expected_funding")
        # Only the other lanes' fields go: a form built on this one (ActivityCorrectForm)
        # keeps its own fields (the reason, the declared-claim tick).
        for name in [name for name in ACTIVITY_FIELDS if name not in keep]:
            del self.fields[name]
        self.fields["domain"].choices = [(self.lane, Domain(self.lane).label)]
        self.fields["domain"].initial = self.lane
        # Nights of a residential stay follow from its admission and discharge (the stays
        # page, apps.trajectories.presence), never logged one by one.
        kinds = kinds or [
            k for k in KINDS_BY_DOMAIN[self.lane] if k != ActivityKind.RESIDENTIAL_STAY
        ]
        self.fields["kind"].choices = [(kind, ActivityKind(kind).label) for kind in kinds]
        self.fields["kind"].initial = DEFAULT_KIND_OF_LANE[self.lane]
        self.fields["date"].initial = timezone.localdate
        self.fields["goal"].queryset = goals.filter(domain=self.lane)
        self.fields["goal"].label_from_instance = lambda goal: goal.description[:60]
        # An activity records a duration or a number of units (the model's constraint); the
        # lanes without units ask for the duration, care marks it as needed where the funding
        # counts minutes and clean() says so per kind.
        duration = self.fields["duration_minutes"]
        if "units" not in self.fields:
            duration.required = True
        duration.needed = duration.required or duration_needed(DEFAULT_KIND_OF_LANE[self.lane])
        if self.lane == Domain.CARE:
            duration.help_text = _(
                "Needed for the funding; for a day activity give the day parts as units instead."
            )

    def clean(self):
        cleaned = super().clean()
        kind, domain = cleaned.get("kind"), cleaned.get("domain")
        if kind and domain and DOMAIN_OF_KIND.get(kind) != domain:
            self.add_error(
                "kind",
                _("%(kind)s is not an activity of the domain %(domain)s.")
                % {"kind": ActivityKind(kind).label, "domain": Domain(domain).label},
            )
        missing_duration = (
            kind
            and cleaned.get("duration_minutes") is None
            and "duration_minutes" not in self.errors
        )
        if missing_duration and duration_needed(kind):
            self.add_error(
                "duration_minutes",
                _("Fill in the duration: the funding of %(kind)s counts minutes.")
                % {"kind": ActivityKind(kind).label.lower()},
            )
        elif missing_duration and cleaned.get("units") is None:
            self.add_error("duration_minutes", _("Fill in the duration or the number of units."))
        for name in ACTIVITY_LANE_FIELDS[Domain.CARE] + ACTIVITY_LANE_FIELDS[Domain.EDUCATION]:
            cleaned.setdefault(name, None if name == "units" else "")
        return cleaned

    @property
    def preview_hint(self) -> str:
        """Why the funding cannot be shown yet: the fields it still needs, by their labels."""
        missing = [
            str(self.fields[name].label).lower()
            for name in ("kind", "date", "duration_minutes", "units")
            if name in self.errors
        ]
        if not missing:
            return gettext("Correct the form to see which allocation the activity draws on.")
        return gettext("Fill in the %(fields)s to see which allocation the activity draws on.") % {
            "fields": ", ".join(missing)
        }


class GoalForm(forms.Form):
    domain = forms.ChoiceField(label=_("Lane"))
    description = forms.CharField(
        label=_("Goal"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=GOAL_DESCRIPTION_MAX_LENGTH,
        help_text=_at_most_characters(GOAL_DESCRIPTION_MAX_LENGTH),
    )
    target_date = forms.DateField(
        label=_("Target date"),
        required=False,
        widget=DateInput,
        help_text=lazy(
            lambda: (
                ngettext(
                    "At most %(years)s year ahead.",
                    "At most %(years)s years ahead.",
                    GOAL_TARGET_MAX_YEARS_AHEAD,
                )
                % {"years": GOAL_TARGET_MAX_YEARS_AHEAD}
            ),
            str,
        )(),
    )

    def __init__(self, *args, lanes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [(d.value, d.label) for d in Domain if d.value in lanes]


class GoalProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)


class CareTeamJoinForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Colleague"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role in the team"), choices=TeamRole.choices)
    start = forms.DateField(label=_("From"), widget=DateInput)

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = colleagues


class ExtendedYouthCareForm(forms.Form):
    """Record or change extended youth care: the ground, the decision and the period."""

    basis = forms.ChoiceField(
        label=_("Basis (Jeugdwet art. 1.1)"),
        widget=forms.RadioSelect,
        choices=[
            (value, label)
            for value, label in ExtendedYouthCareBasis.choices
            if value != ExtendedYouthCareBasis.UNKNOWN
        ],
    )
    care_started_on = forms.DateField(
        label=_("Youth care started or was decided on"),
        widget=DateInput,
        help_text=_("Before the 18th birthday."),
    )
    previous_care_ended_on = forms.DateField(
        label=_("Previous youth care ended on"),
        widget=DateInput,
        required=False,
        help_text=_("Only for resumed care: it may be resumed within six months after this day."),
    )
    decided_by = forms.CharField(
        label=_("Decided by"),
        max_length=200,
        help_text=_("E.g. the college of the municipality of Utrecht."),
    )
    decision_reference = forms.CharField(
        label=_("Decision reference"), max_length=100, required=False
    )
    decision_date = forms.DateField(label=_("Decision date"), widget=DateInput)
    start = forms.DateField(label=_("Extended youth care from"), widget=DateInput)
    until = forms.DateField(
        label=_("Extended youth care until"),
        widget=DateInput,
        help_text=_("At the latest the day before the 23rd birthday."),
    )


class ExtendedYouthCareEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Last day of the extended youth care"), widget=DateInput)


class _FundingFactStartMixin:
    """A start more than a year ahead is a typing error: no CIZ decision or insurance policy
    is recorded that far in advance."""

    def clean_start(self):
        start = self.cleaned_data["start"]
        if start > timezone.localdate() + datetime.timedelta(days=366):
            raise forms.ValidationError(_("The start lies more than a year ahead."))
        return start


class WlzIndicationForm(_FundingFactStartMixin, forms.Form):
    """Record a CIZ indication (Wlz): the care profile, the decision and its period."""

    care_profile = forms.CharField(
        label=_("Care profile (zorgprofiel)"),
        max_length=20,
        help_text=_("As the CIZ decision names it, e.g. LVG 3 or GGZ-W 1."),
    )
    decision_reference = forms.CharField(
        label=_("CIZ decision reference"), max_length=40, required=False
    )
    start = forms.DateField(label=_("Valid from"), widget=DateInput)
    end = forms.DateField(
        label=_("Valid until"),
        widget=DateInput,
        required=False,
        help_text=_("Leave empty when the indication has no end date."),
    )


class HealthInsuranceForm(_FundingFactStartMixin, forms.Form):
    """Record the client's own health insurer (Zvw) by its UZOVI code, for a period."""

    uzovi = forms.CharField(
        label=_("UZOVI code"),
        max_length=4,
        help_text=_("The four digits of the health insurer, as on the insurance card."),
    )
    start = forms.DateField(label=_("Insured from"), widget=DateInput)
    end = forms.DateField(
        label=_("Insured until"),
        widget=DateInput,
        required=False,
        help_text=_("Leave empty while the client is insured with it."),
    )

    def clean_uzovi(self):
        uzovi = self.cleaned_data["uzovi"].strip()
        if len(uzovi) != 4 or not uzovi.isdigit():
            raise forms.ValidationError(_("A UZOVI code has four digits."))
        return uzovi


class FundingFactEndForm(forms.Form):
    end = forms.DateField(label=_("Last day"), widget=DateInput)


# --- presence: stays and day parts --------------------------------------------------------


class StayAdmitForm(forms.Form):
    admitted_on = forms.DateField(label=_("Admitted on"), widget=DateInput)
    discharged_on = forms.DateField(
        label=_("Discharged on"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty while the client stays."),
    )


class StayDatesForm(forms.Form):
    """Correct a stay's dates (a discharge recorded on the wrong day, a late admission)."""

    admitted_on = forms.DateField(label=_("Admitted on"), widget=DateInput)
    discharged_on = forms.DateField(
        label=_("Discharged on"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty while the client stays."),
    )


class StayDischargeForm(forms.Form):
    discharged_on = forms.DateField(
        label=_("Discharged on"),
        widget=DateInput,
        help_text=_("The day the client leaves; it is not a night of the stay."),
    )


class StayLeaveForm(forms.Form):
    leaves_on = forms.DateField(
        label=_("Leaves on"),
        widget=DateInput,
        help_text=_("The first night the client sleeps away."),
    )
    returns_on = forms.DateField(
        label=_("Returns on"),
        widget=DateInput,
        help_text=_("The client sleeps in again from this night on."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class DayPartsForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    day_parts = forms.MultipleChoiceField(
        label=_("Day parts attended"),
        choices=DayPart.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each day part attended counts as one unit; none ticked clears the day."),
    )


# --- education and work: the school placement and the employment ----------------------------


class SchoolPlacementForm(forms.Form):
    """The school a pupil attends and how it is funded; the TLV only for (V)SO and
    praktijkonderwijs, the level only for the MBO (the service says what is missing)."""

    school_name = forms.CharField(label=_("School"), max_length=200)
    board_code = forms.CharField(
        label=_("School-board number (bevoegd gezag)"),
        max_length=10,
        help_text=_("The number DUO gives the school board, not the BRIN number."),
    )
    brin = forms.CharField(
        label=_("BRIN number"),
        max_length=4,
        required=False,
        help_text=_("Four characters, e.g. 12AB."),
    )
    location_number = forms.CharField(
        label=_("Location number"),
        max_length=2,
        required=False,
        help_text=_("Two digits: with the BRIN number the vestigingsnummer."),
    )
    school_type = forms.ChoiceField(label=_("Kind of school"), choices=SchoolType.choices)
    mbo_level = forms.TypedChoiceField(
        label=_("MBO level"),
        required=False,
        choices=[("", "—"), *((level, str(level)) for level in range(1, 5))],
        coerce=int,
        empty_value=None,
    )
    samenwerkingsverband = forms.ModelChoiceField(
        label=_("Samenwerkingsverband (issued the TLV)"), queryset=None, required=False
    )
    tlv_number = forms.CharField(label=_("TLV number"), max_length=40, required=False)
    tlv_category = forms.ChoiceField(
        label=_("TLV category"), required=False, choices=[("", "—"), *TlvCategory.choices]
    )
    tlv_start = forms.DateField(label=_("TLV valid from"), required=False, widget=DateInput)
    tlv_end = forms.DateField(label=_("TLV valid until"), required=False, widget=DateInput)
    start = forms.DateField(label=_("Start"), widget=DateInput)
    end = forms.DateField(label=_("End"), required=False, widget=DateInput)

    def __init__(self, *args, samenwerkingsverbanden, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["samenwerkingsverband"].queryset = samenwerkingsverbanden


class EmploymentForm(forms.Form):
    """A job the client holds: the UWV pays job coaching only beside one."""

    employer = forms.CharField(label=_("Employer"), max_length=200)
    hours_per_week = forms.IntegerField(label=_("Hours per week"), min_value=1, max_value=60)
    start = forms.DateField(label=_("Start"), widget=DateInput)
    end = forms.DateField(label=_("End"), required=False, widget=DateInput)


class EndDateForm(forms.Form):
    end = forms.DateField(label=_("End"), widget=DateInput)


# --- correcting and cancelling an activity (apps.trajectories.correction_views) -------------


def _reason_field(label):
    return forms.CharField(
        label=label,
        max_length=CHANGE_REASON_MAX_LENGTH,
        min_length=5,
        help_text=_("Kept with the history of the activity."),
    )


def _declared_field():
    return forms.BooleanField(
        label=_("Change the declared claim"),
        required=False,
        help_text=_(
            "Only when the activity was declared to a municipality and accepted: the next "
            "declaration of that month withdraws the claim and claims it anew."
        ),
    )


class ActivityCorrectForm(ActivityForm):
    """Correct an activity: the form of its own lane (the lane itself does not change), with
    its fields filled in, and a reason; the "change the declared claim" tick only where the
    view keeps it (an app above holds the activity back)."""

    reason = _reason_field(_("Why is it corrected?"))
    declared_confirmed = _declared_field()

    def __init__(self, *args, activity, goals, sees_notes: bool, sees_funding: bool, **kwargs):
        kinds = [
            kind
            for kind in KINDS_BY_DOMAIN[Domain(activity.domain)]
            if kind != ActivityKind.RESIDENTIAL_STAY
        ]
        super().__init__(
            *args,
            lanes={activity.domain},
            lane=activity.domain,
            goals=goals,
            kinds=kinds,
            sees_funding=sees_funding,
            **kwargs,
        )
        self.fields["domain"].disabled = True
        # The duration is needed as the funding of the activity's own kind asks, not as the
        # lane's most common kind does.
        duration = self.fields["duration_minutes"]
        duration.needed = duration.required or duration_needed(activity.kind)
        if not sees_notes:
            del self.fields["note"]


class ActivityCancelForm(forms.Form):
    reason = _reason_field(_("Why is it cancelled?"))
    declared_confirmed = _declared_field()
