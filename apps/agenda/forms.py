from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.domains import DOMAIN_OF_KIND, ActivityKind, Domain
from apps.core.forms import DateInput, TimeInput

from .models import PLACE_MAX_LENGTH, PURPOSE_MAX_LENGTH
from .services import kinds_for_planning


class AppointmentForm(forms.Form):
    """Plan an appointment: the lanes offered are those the user may log in."""

    domain = forms.ChoiceField(label=_("Lane"))
    kind = forms.ChoiceField(label=_("Kind"))
    date = forms.DateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Start time"), widget=TimeInput)
    duration_minutes = forms.IntegerField(
        label=_("Duration in minutes"), min_value=5, max_value=720, initial=60
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=PLACE_MAX_LENGTH)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=PURPOSE_MAX_LENGTH,
        help_text=_("A few words; it is not shown in the calendar feed."),
    )

    def __init__(self, *args, lanes, **kwargs):
        super().__init__(*args, **kwargs)
        domains = [d for d in Domain if d.value in lanes]
        self.fields["domain"].choices = [(d.value, d.label) for d in domains]
        grouped = [
            (str(d.label), [(k, ActivityKind(k).label) for k in kinds_for_planning(d)])
            for d in domains
        ]
        self.fields["kind"].choices = grouped if len(grouped) > 1 else grouped[0][1]

    def clean(self):
        cleaned = super().clean()
        kind, domain = cleaned.get("kind"), cleaned.get("domain")
        if kind and domain and DOMAIN_OF_KIND.get(kind) != domain:
            self.add_error(
                "kind",
                _("%(kind)s is not an activity of the domain %(domain)s.")
                % {"kind": ActivityKind(kind).label, "domain": Domain(domain).label},
            )
        return cleaned


class DayForm(forms.Form):
    date = forms.DateField(required=False)
