from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."))
        return token


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the school's attendance system."),
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        widget=DateInput,
        help_text=_("At most a year from today; the token stops working after this day."),
    )
