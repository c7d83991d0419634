"""The administrator sets up a pool's funders: each with its law (whose age rules decide
when it pays), its share or shares per domain, its agreed contribution, and what it paid in.
The pool itself (name, period, domains, budget, pricing, split rule) is set on its contract
(apps.control.admin)."""

from django.contrib import admin

from apps.core.admin import OrganisationScopedAdmin, ScopedHistoryAdmin
from apps.funding.models import IntegralPilot

from .models import PoolDomainShare, PoolFunder, PoolPayment


class PoolDomainShareInline(admin.TabularInline):
    model = PoolDomainShare
    extra = 0


class PoolPaymentInline(admin.TabularInline):
    model = PoolPayment
    extra = 0


@admin.register(PoolFunder)
class PoolFunderAdmin(OrganisationScopedAdmin, ScopedHistoryAdmin):
    organisation_path = "pool__contract__organisation"
    list_display = ["funder", "pool", "stream", "share_permille", "contribution_cents"]
    list_filter = ["pool"]
    list_select_related = ["funder", "pool", "stream"]
    inlines = [PoolDomainShareInline, PoolPaymentInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "pool" and not request.user.is_superuser:
            kwargs["queryset"] = IntegralPilot.objects.filter(
                contract__organisation=request.user.organisation_id
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
