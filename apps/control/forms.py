from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Organisation
from apps.clients.models import Client
from apps.core.forms import DateInput
from apps.funding.allocation_rules import variant_errors
from apps.funding.models import (
    Allocation,
    AllocationVariant,
    ChangeReason,
    Contract,
    Frequency,
    Product,
    Unit,
)

BUDGET_FIELD = {"budget_cents": "budget"}


def budget_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Budget (euros)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        **kwargs,
    )


def cents(euros: Decimal | None) -> int | None:
    return None if euros is None else int(euros * 100)


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
    variant = forms.ChoiceField(
        label=_("Variant"),
        choices=AllocationVariant.choices,
        initial=AllocationVariant.SPECIFIC,
        required=False,  # specific when not given
        help_text=_(
            "Specific: one product with a volume. Aspecific: a product category of a contract, "
            "with or without a budget. Generic: a budget under a contract (iJw/iWmo 3.2)."
        ),
    )
    product = ProductChoiceField(
        label=_("Contract and product"),
        queryset=Product.objects.none(),
        required=False,
        help_text=_("Specific allocations only."),
    )
    contract = forms.ModelChoiceField(
        label=_("Contract"),
        queryset=Contract.objects.none(),
        required=False,
        help_text=_("Aspecific and generic allocations only."),
    )
    category = forms.CharField(
        label=_("Product category"),
        max_length=4,
        required=False,
        help_text=_("Aspecific allocations only: a category of JZ020 or WMO020, e.g. 55."),
    )
    budget = budget_field(help_text=_("Aspecific (optional) and generic (required)."))
    number = forms.CharField(label=_("Allocation number"), max_length=40)
    volume = forms.IntegerField(label=_("Volume"), min_value=1, max_value=1_000_000, required=False)
    unit = forms.ChoiceField(
        label=_("Unit"),
        required=False,
        choices=[("", _("The product's unit")), *Unit.choices],
        help_text=_("Only when the allocation counts in another time unit than the product."),
    )
    frequency = forms.ChoiceField(
        label=_("Frequency"), choices=[("", "—"), *Frequency.choices], required=False
    )
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
        self.fields["contract"].queryset = (
            Contract.objects.filter(organisation=organisation, integral_pilot__isnull=True)
            .select_related("funder", "stream")
            .order_by("funder__name", "reference")
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date lies before the start date."))
        variant = data["variant"] = data.get("variant") or AllocationVariant.SPECIFIC
        if "variant" not in self.errors:
            specific = variant == AllocationVariant.SPECIFIC
            errors = variant_errors(
                variant=variant,
                product=data.get("product"),
                category=(data.get("category") or "").strip(),
                volume=data.get("volume"),
                budget_cents=cents(data.get("budget")),
                contract=data.get("product").contract
                if specific and data.get("product")
                else data.get("contract"),
            )
            if specific and not data.get("frequency"):
                errors.setdefault("frequency", []).append(_("Choose the frequency."))
            for field, messages in errors.items():
                self.add_error(BUDGET_FIELD.get(field, field), messages)
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

    budget = budget_field(help_text=_("An aspecific or generic allocation's budget (IV066)."))

    def __init__(self, *args, allocation: Allocation, **kwargs):
        budget = None if allocation.budget_cents is None else Decimal(allocation.budget_cents) / 100
        kwargs.setdefault(
            "initial", {"end": allocation.end, "volume": allocation.volume, "budget": budget}
        )
        super().__init__(*args, **kwargs)
        if allocation.budget_cents is None:
            del self.fields["budget"]  # only a budget there is may change
        else:
            self.fields["budget"].required = True
        if not allocation.is_specific:
            del self.fields["volume"]  # aspecific and generic: a budget, no volume
        elif allocation.frequency != Frequency.TOTAL:
            # IV066: a windowed volume is not changed; the field shows it, read-only.
            self.fields["volume"].disabled = True
            self.fields["volume"].help_text = _(
                "A volume per day, week or month does not change: replace the allocation."
            )

    def changes(self) -> dict:
        changes = {"end": self.cleaned_data["end"]}
        if "volume" in self.fields and not self.fields["volume"].disabled:
            changes["volume"] = self.cleaned_data["volume"]
        if "budget" in self.fields:
            changes["budget_cents"] = cents(self.cleaned_data["budget"])
        return changes


class AllocationReplaceForm(forms.Form):
    """The allocation that takes over from a date under a new number (IV066)."""

    reason = _reason_field(_("Reason for the replacement (JZ002)"))
    number = forms.CharField(label=_("New allocation number"), max_length=40)
    budget = budget_field(help_text=_("Aspecific or generic: the new allocation's budget."))
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
        budget = None if allocation.budget_cents is None else Decimal(allocation.budget_cents) / 100
        product_unit = allocation.product.unit if allocation.product else None
        kwargs.setdefault(
            "initial",
            {
                "volume": allocation.volume,
                "unit": allocation.unit if allocation.unit != product_unit else "",
                "frequency": allocation.frequency,
                "end": allocation.end,
                "budget": budget,
            },
        )
        super().__init__(*args, **kwargs)
        if allocation.is_specific:
            del self.fields["budget"]
        else:  # the new allocation is of the same variant: a budget, no volume
            for name in ("volume", "unit", "frequency"):
                del self.fields[name]
            if allocation.variant == "generic":
                self.fields["budget"].required = True

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date lies before the start date."))
        return data


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
