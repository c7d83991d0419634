"""The admin of funding streams, funders, contracts, products and allocations. It lives here,
above the trajectories, because saving a contract's integral pilot lets waiting care in (a rematch
of activities)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.core.admin import OrganisationScopedAdmin, ReadOnlyHistoryAdmin, ScopedHistoryAdmin
from apps.core.domains import ActivityKind, Domain
from apps.funding.models import Allocation, Contract, Funder, FundingStream, IntegralPilot, Product
from apps.trajectories.assignment import pilot_rematch


@admin.register(FundingStream)
class FundingStreamAdmin(ScopedHistoryAdmin):
    list_display = ["name", "code", "min_age", "age_limit", "extended_age_limit"]


@admin.register(Funder)
class FunderAdmin(ScopedHistoryAdmin):
    list_display = ["name", "kind", "code"]
    list_filter = ["kind", "streams"]
    search_fields = ["name", "code"]


class ProductForm(forms.ModelForm):
    """A product with the activity kinds it pays for as checkboxes; the delivery kind follows
    the unit when left empty (Product.clean checks a chosen one against it)."""

    activity_kinds = forms.MultipleChoiceField(
        label=_("Activity kinds it pays for"),
        choices=ActivityKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,  # Product.clean says what is missing, in words
        help_text=_("Only activities of these kinds are drawn on the product's allocations."),
    )

    class Meta:
        model = Product
        fields = [
            "contract",
            "category",
            "code",
            "description",
            "unit",
            "delivery_kind",
            "activity_kinds",
            "tariff_cents",
            "is_guidance",
        ]


class ProductInline(admin.TabularInline):
    model = Product
    form = ProductForm
    extra = 0


class IntegralPilotForm(forms.ModelForm):
    domains = forms.MultipleChoiceField(
        label=_("Domains it covers"),
        choices=Domain.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = IntegralPilot
        fields = [
            "name",
            "kind",
            "domains",
            "budget_cents",
            "start",
            "end",
            "pricing",
            "price_cents",
            "trajectory_months",
            "early_exit",
            "domain_weights",
            "split_rule",
            "assumed_rejection_percent",
        ]


class IntegralPilotInline(admin.StackedInline):
    """Marks a contract as a pooled budget (its funders: apps.pools.admin); managers enrol
    its clients."""

    model = IntegralPilot
    form = IntegralPilotForm
    extra = 0
    max_num = 1
    can_delete = False


@admin.register(Contract)
class ContractAdmin(OrganisationScopedAdmin, ScopedHistoryAdmin):
    list_display = [
        "reference",
        "funder",
        "organisation",
        "stream",
        "start",
        "end",
        "execution_variant",
    ]
    list_filter = ["stream", "execution_variant", "organisation"]
    list_select_related = ["funder", "organisation", "stream"]
    search_fields = ["reference", "funder__name"]
    inlines = [ProductInline, IntegralPilotInline]

    def save_related(self, request, form, formsets, change):
        """A pilot's budget, period or domains may have grown: let waiting care in."""
        super().save_related(request, form, formsets, change)
        pilot = IntegralPilot.objects.filter(contract=form.instance).first()
        if pilot is not None:
            pilot_rematch(pilot=pilot, actor=request.user)


@admin.register(Product)
class ProductAdmin(OrganisationScopedAdmin, ScopedHistoryAdmin):
    organisation_path = "contract__organisation"
    form = ProductForm
    list_display = [
        "code",
        "description",
        "contract",
        "unit",
        "delivery_kind",
        "paid_kinds",
        "tariff_cents",
    ]
    list_filter = ["delivery_kind"]
    list_select_related = ["contract__funder"]
    search_fields = ["code", "description"]

    @admin.display(description=_("Activity kinds it pays for"))
    def paid_kinds(self, product: Product) -> str:
        return ", ".join(product.activity_kind_labels())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "contract" and not request.user.is_superuser:
            kwargs["queryset"] = Contract.objects.filter(
                organisation_id=request.user.organisation_id
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Allocation)
class AllocationAdmin(OrganisationScopedAdmin, ReadOnlyHistoryAdmin):
    """Read-only: allocations are registered through the funding services (they rematch)."""

    organisation_path = "client__organisation"

    list_display = [
        "number",
        "funder",
        "client",
        "variant",
        "product",
        "category",
        "volume",
        "unit",
        "frequency",
        "budget_cents",
        "start",
        "end",
        "status",
        "change_reason",
    ]
    list_filter = ["status", "variant", "frequency", "funder"]
    list_select_related = ["funder", "client", "product"]
    search_fields = ["number"]
