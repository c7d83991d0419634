"""The forms of the request pages: one step from the unfunded queue (315), and a change (317)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import DateInput
from apps.funding.models import Frequency, Product

from .models import ReferrerType, RequestReason


def _cents(euros: Decimal | None) -> int | None:
    return None if euros is None else int(euros * 100)


class _ProductChoice(forms.ModelChoiceField):
    def label_from_instance(self, product: Product) -> str:
        return f"{product.category} {product.code} · {product.description}"


class _SizeForm(forms.Form):
    volume = forms.IntegerField(label=_("Volume"), required=False, min_value=1, max_value=99999999)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices, required=False)
    budget = forms.DecimalField(
        label=_("Budget (euros)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("999999.99"),
        max_digits=8,
        decimal_places=2,
        help_text=_("Instead of a volume: a budget asks for a period with an end."),
    )
    end = forms.DateField(label=_("End"), required=False, widget=DateInput)
    comment = forms.CharField(
        label=_("Comment for the municipality"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @property
    def budget_cents(self) -> int | None:
        return _cents(self.cleaned_data.get("budget"))


class AllocationRequestForm(_SizeForm):
    """A request for an allocation (315), filled in from the proposal."""

    product = _ProductChoice(
        label=_("Product"),
        queryset=Product.objects.none(),
        required=False,
        help_text=_("A product of your contract with the municipality; empty: a budget only."),
    )
    start = forms.DateField(label=_("Requested start"), widget=DateInput)
    referrer_type = forms.ChoiceField(
        label=_("Referred by"), choices=ReferrerType.choices, initial=ReferrerType.SELF
    )
    referrer_name = forms.CharField(label=_("Referrer's name"), required=False, max_length=64)
    referrer_agb = forms.CharField(label=_("Referrer's AGB code"), required=False, max_length=8)
    field_order = [
        "product",
        "volume",
        "frequency",
        "budget",
        "start",
        "end",
        "referrer_type",
        "referrer_name",
        "referrer_agb",
        "comment",
    ]

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        if products is not None:
            self.fields["product"].queryset = products


class ChangeRequestForm(_SizeForm):
    """A request for a change (317) of one allocation."""

    reason = forms.ChoiceField(label=_("Reason"), choices=RequestReason.choices)
    start = forms.DateField(label=_("Desired start of the change"), widget=DateInput)
    field_order = ["reason", "volume", "frequency", "budget", "start", "end", "comment"]
