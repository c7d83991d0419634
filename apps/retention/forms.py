from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput

from .models import RefusalGround, Requester


class RequestForm(forms.Form):
    client_number = forms.CharField(label=_("Client number"), max_length=30)
    requester = forms.ChoiceField(
        label=_("Asked by"), choices=Requester.choices, widget=forms.RadioSelect
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("grant", _("Grant the request")), ("refuse", _("Refuse the request"))],
        widget=forms.RadioSelect,
    )
    refusal_ground = forms.ChoiceField(
        label=_("Ground of a refusal"),
        choices=[("", "—"), *RefusalGround.choices],
        required=False,
    )
    refusal_explanation = forms.CharField(
        label=_("Explanation of a refusal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class ConfirmForm(forms.Form):
    confirmation = forms.CharField(
        label=_("Type the client number to confirm"),
        max_length=30,
        help_text=_("The record, its history and its files are destroyed; this cannot be undone."),
    )


class ExtensionForm(forms.Form):
    until = forms.DateField(label=_("Keep until"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )
