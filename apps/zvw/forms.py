from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User

from .models import CareDemandTyping, ZvwRoute


class DateInput(forms.DateInput):
    input_type = "date"


class ZvwRouteForm(forms.ModelForm):
    class Meta:
        model = ZvwRoute
        fields = [
            "uzovi",
            "policy_number",
            "insurance_checked_on",
            "referral_type",
            "referrer_name",
            "referrer_agb",
            "referral_date",
            "regiebehandelaar",
        ]
        widgets = {"insurance_checked_on": DateInput(), "referral_date": DateInput()}

    def __init__(self, *args, organisation_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regiebehandelaar"].queryset = User.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).order_by("last_name", "first_name")

    def _post_clean(self) -> None:
        # The service validates the route (and its client) as a whole; nothing is saved here.
        pass


class CareDemandTypingForm(forms.ModelForm):
    class Meta:
        model = CareDemandTyping
        fields = ["care_demand_type", "measured_on"]
        widgets = {"measured_on": DateInput()}
        labels = {"care_demand_type": _("care-demand type")}

    def _post_clean(self) -> None:
        pass


class ConsultParticipantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Also present"), queryset=User.objects.none())

    def __init__(self, *args, organisation_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            organisation_id=organisation_id, is_active=True, practitioner_profile__isnull=False
        ).order_by("last_name", "first_name")
