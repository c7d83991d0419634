"""Forms of the pool pages: enrol a client (with a funder's legal basis), end a client's
part, record a legal basis. The services check what the forms cannot."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Organisation
from apps.clients.models import Client
from apps.core.forms import DateInput
from apps.funding.models import Funder, IntegralPilot, PilotEnrolment

from .models import BasisKind


class _ClientNumberField(forms.CharField):
    """A client of the organisation, typed by client number (managers have no client list)."""

    def __init__(self, *, organisation: Organisation | None = None, **kwargs):
        self.organisation = organisation
        kwargs.setdefault("label", _("Client number"))
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def clean(self, value):
        number = super().clean(value).strip()
        client = Client.objects.filter(organisation=self.organisation, client_number=number).first()
        if client is None:
            raise forms.ValidationError(_("No client with this number in your organisation."))
        return client


class _BasisFields(forms.Form):
    funder = forms.ModelChoiceField(
        label=_("Funder"), queryset=Funder.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Legal basis"), choices=[("", "---------"), *BasisKind.choices], required=False
    )
    reference = forms.CharField(
        label=_("Reference (allocation number, referral, TLV number)"),
        max_length=60,
        required=False,
    )

    def __init__(self, *args, pool: IntegralPilot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = Funder.objects.filter(pool_parts__pool=pool).distinct()

    def clean(self):
        data = super().clean()
        given = [name for name in ("funder", "kind", "reference") if data.get(name)]
        if given and len(given) < 3:
            for name in ("funder", "kind", "reference"):
                if not data.get(name):
                    self.add_error(name, _("Give the funder, the kind and the reference."))
        return data


class PoolEnrolForm(_BasisFields):
    client = _ClientNumberField()
    start = forms.DateField(
        label=_("Takes part from"),
        widget=DateInput,
        required=False,
        help_text=_("Empty: from the pool's start."),
    )
    field_order = ["client", "start", "funder", "kind", "reference"]

    def __init__(self, *args, pool: IntegralPilot, organisation: Organisation, **kwargs):
        super().__init__(*args, pool=pool, **kwargs)
        self.fields["client"].organisation = organisation


class _EnrolmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, enrolment: PilotEnrolment) -> str:
        return enrolment.client.client_number


class PoolBasisForm(_BasisFields):
    enrolment = _EnrolmentChoiceField(label=_("Client"), queryset=PilotEnrolment.objects.none())
    start = forms.DateField(label=_("Start"), widget=DateInput)
    end = forms.DateField(label=_("End"), widget=DateInput, required=False)
    field_order = ["enrolment", "funder", "kind", "reference", "start", "end"]

    def __init__(self, *args, pool: IntegralPilot, **kwargs):
        super().__init__(*args, pool=pool, auto_id="basis_%s", **kwargs)
        self.fields["enrolment"].queryset = pool.enrolments.select_related("client").order_by(
            "client__client_number"
        )
        for name in ("funder", "kind", "reference"):
            self.fields[name].required = True


class PoolExitForm(forms.Form):
    end = forms.DateField(label=_("Last day in the pool"), widget=DateInput)
