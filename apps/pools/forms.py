"""Forms of the pool pages: enrol a client (with a funder's legal basis), end a client's
part, record a legal basis. The services check what the forms cannot."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Organisation
from apps.clients.models import Client
from apps.core.forms import DateInput
from apps.funding.models import Funder, IntegralPilot, PilotEnrolment
from apps.zvw.models import ZvwRoute

from .models import BasisKind


class _ReferralChoiceField(forms.ModelChoiceField):
    """A client's own Zvw referral: by client number, who referred and when."""

    def label_from_instance(self, route: ZvwRoute) -> str:
        who = route.referrer_name or route.referrer_agb or route.get_referral_type_display()
        when = route.referral_date.isoformat() if route.referral_date else "?"
        return f"{route.client.client_number} · {who} · {when}"


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
    zvw_referral = _ReferralChoiceField(
        label=_("The client's referral (Zvw)"),
        queryset=ZvwRoute.objects.none(),
        required=False,
        help_text=_(
            'With the legal basis "Referral (Zvw)": the referral on the client\'s Zvw route '
            "(client number · referred by · date). Its reference is taken when none is given."
        ),
        error_messages={"invalid_choice": _("Choose one of the referrals listed.")},
    )

    def __init__(self, *args, pool: IntegralPilot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = Funder.objects.filter(pool_parts__pool=pool).distinct()

    def _referrals(self, clients) -> None:
        self.fields["zvw_referral"].queryset = (
            ZvwRoute.objects.filter(client__in=clients)
            .exclude(referral_type="")
            .select_related("client")
            .order_by("client__client_number")
        )

    def _client(self, data):  # the client the basis is for (the forms below say)
        return None

    def clean(self):
        data = super().clean()
        referral = data.get("zvw_referral")
        needed = ("funder", "kind") if referral is not None else ("funder", "kind", "reference")
        given = [name for name in (*needed, "zvw_referral") if data.get(name)]
        if given and len([name for name in needed if data.get(name)]) < len(needed):
            for name in needed:
                if not data.get(name):
                    self.add_error(name, _("Give the funder, the kind and the reference."))
        if referral is not None:
            client = self._client(data)
            if data.get("kind") and data["kind"] != BasisKind.ZVW_REFERRAL:
                self.add_error(
                    "zvw_referral", _('A referral goes with the legal basis "Referral (Zvw)".')
                )
            elif client is not None and referral.client_id != client.pk:
                self.add_error(
                    "zvw_referral",
                    _("Not this client's referral: choose a referral of client %(number)s.")
                    % {"number": client.client_number},
                )
        return data


class PoolEnrolForm(_BasisFields):
    client = _ClientNumberField()
    start = forms.DateField(
        label=_("Takes part from"),
        widget=DateInput,
        required=False,
        help_text=_("Empty: from the pool's start."),
    )
    field_order = ["client", "start", "funder", "kind", "zvw_referral", "reference"]

    def __init__(self, *args, pool: IntegralPilot, organisation: Organisation, **kwargs):
        super().__init__(*args, pool=pool, **kwargs)
        self.fields["client"].organisation = organisation
        self._referrals(Client.objects.filter(organisation=organisation))

    def _client(self, data):
        return data.get("client")


class _EnrolmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, enrolment: PilotEnrolment) -> str:
        return enrolment.client.client_number


class PoolBasisForm(_BasisFields):
    enrolment = _EnrolmentChoiceField(label=_("Client"), queryset=PilotEnrolment.objects.none())
    start = forms.DateField(label=_("Start"), widget=DateInput)
    end = forms.DateField(label=_("End"), widget=DateInput, required=False)
    field_order = ["enrolment", "funder", "kind", "zvw_referral", "reference", "start", "end"]

    def __init__(self, *args, pool: IntegralPilot, **kwargs):
        super().__init__(*args, pool=pool, auto_id="basis_%s", **kwargs)
        self.fields["enrolment"].queryset = pool.enrolments.select_related("client").order_by(
            "client__client_number"
        )
        self._referrals(pool.enrolments.values("client_id"))
        for name in ("funder", "kind"):
            self.fields[name].required = True

    def _client(self, data):
        enrolment = data.get("enrolment")
        return enrolment.client if enrolment is not None else None

    def clean(self):
        data = super().clean()
        if (
            not data.get("reference")
            and data.get("zvw_referral") is None
            and "reference" not in self.errors
        ):
            self.add_error("reference", _("Give the funder, the kind and the reference."))
        return data


class PoolExitForm(forms.Form):
    end = forms.DateField(label=_("Last day in the pool"), widget=DateInput)
