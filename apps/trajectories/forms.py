from django import forms
from django.utils.translation import gettext_lazy as _


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
