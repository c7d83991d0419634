from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Organisation
from apps.clients.models import Client
from apps.core.forms import DateInput
from apps.funding.models import Allocation, ChangeReason, Frequency, Product, Unit


class ClientByNumberField(forms.CharField):
    """A client of one organisation, typed by client number (managers have no client list)."""

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


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, product: Product) -> str:
        contract = product.contract
        return (
            f"{contract.funder.name} · {contract.stream.name} · {contract.reference} · "
            f"{product.code} {product.description} ({product.get_unit_display()})"
        )


class AllocationRegisterForm(forms.Form):
    """A funder's allocation (beschikking / toewijzing), typed over by a manager."""

    client = ClientByNumberField()
    product = ProductChoiceField(label=_("Contract and product"), queryset=Product.objects.none())
    number = forms.CharField(label=_("Allocation number"), max_length=40)
    volume = forms.IntegerField(label=_("Volume"), min_value=1, max_value=1_000_000)
    unit = forms.ChoiceField(
        label=_("Unit"),
        required=False,
        choices=[("", _("The product's unit")), *Unit.choices],
        help_text=_("Only when the allocation counts in another time unit than the product."),
    )
    frequency = forms.ChoiceField(label=_("Frequency"), choices=[("", "—"), *Frequency.choices])
    start = forms.DateField(label=_("Start"), widget=DateInput)
    end = forms.DateField(label=_("End"), widget=DateInput, required=False)

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].organisation = organisation
        self.fields["product"].queryset = (
            Product.objects.filter(
                contract__organisation=organisation, contract__integral_pilot__isnull=True
            )
            .select_related("contract__funder", "contract__stream")
            .order_by("contract__funder__name", "contract__reference", "code")
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date lies before the start date."))
        return data


def _reason_field(label):
    return forms.ChoiceField(label=label, choices=[("", "—"), *ChangeReason.choices])


class AllocationChangeForm(forms.Form):
    """A change of an allocation as IV066 allows it: its end date, and its volume when its
    frequency is total within the validity, with a reason from JZ002."""

    reason = _reason_field(_("Reason for the change (JZ002)"))
    end = forms.DateField(
        label=_("End"),
        widget=DateInput,
        required=False,
        help_text=_(
            "Shorter or longer. The start date set as end date, with reason 13 (removed), "
            "removes the allocation."
        ),
    )
    volume = forms.IntegerField(
        label=_("Volume"),
        min_value=1,
        max_value=1_000_000,
        help_text=_("Only an allocation with the frequency “total within the validity”."),
    )

    def __init__(self, *args, allocation: Allocation, **kwargs):
        kwargs.setdefault("initial", {"end": allocation.end, "volume": allocation.volume})
        super().__init__(*args, **kwargs)
        if allocation.frequency != Frequency.TOTAL:
            # IV066: a windowed volume is not changed; the field shows it, read-only.
            self.fields["volume"].disabled = True
            self.fields["volume"].help_text = _(
                "A volume per day, week or month does not change: replace the allocation."
            )

    def changes(self) -> dict:
        changes = {"end": self.cleaned_data["end"]}
        if not self.fields["volume"].disabled:
            changes["volume"] = self.cleaned_data["volume"]
        return changes


class AllocationReplaceForm(forms.Form):
    """The allocation that takes over from a date under a new number (IV066)."""

    reason = _reason_field(_("Reason for the replacement (JZ002)"))
    number = forms.CharField(label=_("New allocation number"), max_length=40)
    volume = forms.IntegerField(label=_("Volume"), min_value=1, max_value=1_000_000)
    unit = forms.ChoiceField(
        label=_("Unit"),
        required=False,
        choices=[("", _("The product's unit")), *Unit.choices],
        help_text=_("Only when the allocation counts in another time unit than the product."),
    )
    frequency = forms.ChoiceField(label=_("Frequency"), choices=[("", "—"), *Frequency.choices])
    start = forms.DateField(
        label=_("Start"),
        widget=DateInput,
        help_text=_("The day the change takes effect; the current allocation ends the day before."),
    )
    end = forms.DateField(label=_("End"), widget=DateInput, required=False)

    def __init__(self, *args, allocation: Allocation, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "volume": allocation.volume,
                "unit": allocation.unit if allocation.unit != allocation.product.unit else "",
                "frequency": allocation.frequency,
                "end": allocation.end,
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date lies before the start date."))
        return data


class PilotEnrolForm(forms.Form):
    client = ClientByNumberField()

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].organisation = organisation


class PeriodForm(forms.Form):
    """A period to look at, by default the last twelve months up to today."""

    period_start = forms.DateField(label=_("From"), widget=DateInput, required=False)
    period_end = forms.DateField(label=_("Until"), widget=DateInput, required=False)

    MAX_DAYS = 5 * 366
    EARLIEST = date(2000, 1, 1)

    def period(self) -> tuple[date, date]:
        """The chosen period, or the default when nothing (valid) was chosen."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period_start"], self.cleaned_data["period_end"]
        return self._with_defaults(None, None)

    def _with_defaults(self, start: date | None, end: date | None) -> tuple[date, date]:
        end = end or timezone.localdate()
        start = start or _months_back(max(end, self.EARLIEST), 11)
        return start, end

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        start, end = data.get("period_start"), data.get("period_end")
        for field, day in (("period_start", start), ("period_end", end)):
            if day is not None and day < self.EARLIEST:
                self.add_error(field, _("Choose a date from 2000 on."))
        if self.errors:
            return data
        start, end = self._with_defaults(start, end)
        if end < start:
            self.add_error("period_end", _("The end date lies before the start date."))
        elif (end - start).days > self.MAX_DAYS:
            self.add_error("period_start", _("Choose a period of at most five years."))
        data["period_start"], data["period_end"] = start, end
        return data


def _months_back(day: date, months: int) -> date:
    """The first day of the month ``months`` months before the month of ``day``."""
    first = day.replace(day=1)
    for _month in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    return first
