from django import forms
from django.utils.translation import gettext_lazy as _

from apps.audit.models import AccessEvent
from apps.core.forms import DateInput


class HistoryFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("User"), queryset=None, required=False, empty_label=_("everyone")
    )
    event = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["event"].choices = [("", _("all actions")), *AccessEvent.choices]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            raise forms.ValidationError(_("The start of the period lies after its end."))
        return cleaned


class PeriodForm(forms.Form):
    """A period to narrow the overview to; without dates it covers the whole history."""

    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            raise forms.ValidationError(_("The start of the period lies after its end."))
        return cleaned


class ReviewForm(forms.Form):
    review_comment = forms.CharField(
        label=_("Review"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ClientFindForm(forms.Form):
    q = forms.CharField(label=_("Client number or pseudonym"), max_length=100)
