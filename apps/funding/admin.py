from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.core.admin import OrganisationScopedAdmin, ReadOnlyHistoryAdmin

from .models import Allocation, Contract, Funder, FundingStream, Product


@admin.register(FundingStream)
class FundingStreamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "min_age", "age_limit", "extended_age_limit"]


@admin.register(Funder)
class FunderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "code"]
    list_filter = ["kind", "streams"]
    search_fields = ["name", "code"]


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0


@admin.register(Contract)
class ContractAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
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
    inlines = [ProductInline]


@admin.register(Product)
class ProductAdmin(OrganisationScopedAdmin, SimpleHistoryAdmin):
    organisation_path = "contract__organisation"
    list_display = ["code", "description", "contract", "unit", "tariff_cents"]
    list_select_related = ["contract__funder"]
    search_fields = ["code", "description"]

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
        "product",
        "volume",
        "unit",
        "frequency",
        "start",
        "end",
        "status",
    ]
    list_filter = ["status", "frequency", "funder"]
    list_select_related = ["funder", "client", "product"]
    search_fields = ["number"]
