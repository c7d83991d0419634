from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput

from .models import SAFETY_NOTICE_MAX_LENGTH


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
