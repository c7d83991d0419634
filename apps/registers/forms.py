from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.domains import KINDS_BY_DOMAIN, ActivityKind, Attendance
from apps.core.forms import DateInput, TimeInput
from apps.trajectories.models import ACTIVITY_NOTE_MAX_LENGTH

from .selectors import register_name

# Present, excused, unexcused: the words of a register for the attendance of any lesson.
ATTENDANCE_CHOICES = [
    (Attendance.PRESENT, _("Present")),
    (Attendance.ABSENT_AUTHORISED, _("Excused")),
    (Attendance.ABSENT_UNAUTHORISED, _("Unexcused")),
]
PRESENCE_KINDS = (ActivityKind.RESIDENTIAL_STAY, ActivityKind.DAY_ACTIVITY)


class GroupSessionForm(forms.Form):
    """The session: one lane (chosen before, it decides whom the worker may add)."""

    kind = forms.ChoiceField(label=_("Kind"))
    date = forms.DateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TimeInput)
    duration_minutes = forms.IntegerField(label=_("Duration in minutes"))
    subject = forms.CharField(label=_("Subject or title"), required=False, max_length=100)

    def __init__(self, *args, lane: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind, ActivityKind(kind).label)
            for kind in KINDS_BY_DOMAIN[lane]
            if kind not in PRESENCE_KINDS
        ]


class ParticipantForm(forms.Form):
    """One row of a register: who, present or absent, and a note."""

    client = forms.TypedChoiceField(label=_("Client"), coerce=int, required=False)
    attendance = forms.ChoiceField(
        label=_("Attendance"),
        choices=ATTENDANCE_CHOICES,
        initial=Attendance.PRESENT,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=ACTIVITY_NOTE_MAX_LENGTH)

    def __init__(self, *args, clients=(), fixed_client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_client = fixed_client
        self.fixed_client_name = register_name(fixed_client) if fixed_client else ""
        if fixed_client is not None:
            # A class's row: the pupil is given, not chosen.
            self.fields["client"].choices = [(fixed_client.pk, register_name(fixed_client))]
            self.fields["client"].widget = forms.HiddenInput()
            self.fields["client"].required = True
            self.fields["client"].initial = fixed_client.pk
            self.empty_permitted = False  # a pupil's row counts even when left as it is
        else:
            self.fields["client"].choices = [("", "—")] + [
                (client.pk, register_name(client)) for client in clients
            ]


class BaseParticipantFormSet(forms.BaseFormSet):
    def __init__(self, *args, clients=(), fixed_clients=None, **kwargs):
        self.clients = clients
        self.fixed_clients = fixed_clients
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if self.fixed_clients is not None:
            kwargs["fixed_client"] = self.fixed_clients[index]
        else:
            kwargs["clients"] = self.clients
        return kwargs


def participant_formset(*, data=None, clients=(), rows: int = 6, fixed_clients=None, prefix="p"):
    """Rows to choose clients in (``clients``), or one row per given pupil (``fixed_clients``)."""
    if fixed_clients is not None:
        rows = len(fixed_clients)
    FormSet = forms.formset_factory(
        ParticipantForm,
        formset=BaseParticipantFormSet,
        extra=rows,
        min_num=0,
        max_num=rows,
        absolute_max=rows,
        validate_max=True,
    )
    return FormSet(data, clients=clients, fixed_clients=fixed_clients, prefix=prefix)


class LessonForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TimeInput)
    subject = forms.CharField(label=_("Subject"), max_length=100)
    duration_minutes = forms.IntegerField(label=_("Duration in minutes"))


class SchoolClassForm(forms.Form):
    name = forms.CharField(label=_("Name of the class"), max_length=100)
    lesson_minutes = forms.IntegerField(
        label=_("Usual lesson length in minutes"), initial=50, min_value=1, max_value=1440
    )


class PupilAddForm(forms.Form):
    client = forms.TypedChoiceField(label=_("Pupil"), coerce=int)

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [(c.pk, register_name(c)) for c in clients]


class AbsenceReportForm(forms.Form):
    reported_on = forms.DateField(label=_("Reported on"), widget=DateInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the reference of the report in DUO's verzuimregister."),
    )
