from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.core.admin import ReadOnlyHistoryAdmin

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
class ContractAdmin(SimpleHistoryAdmin):
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
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ["code", "description", "contract", "unit", "tariff_cents"]
    list_select_related = ["contract__funder"]
    search_fields = ["code", "description"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyHistoryAdmin):
    """Read-only: allocations are registered through the funding services (they rematch)."""

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
