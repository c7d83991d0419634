"""The administrator keeps the Zvw's configuration: the workers' professions, the NZa's
maximum tariffs per year, and the contracts with insurers with their tariffs."""

from django.contrib import admin

from apps.core.admin import OrganisationScopedAdmin, ScopedHistoryAdmin

from .models import ContractTariff, InsurerContract, MaxTariff, PractitionerProfile


@admin.register(PractitionerProfile)
class PractitionerProfileAdmin(OrganisationScopedAdmin, ScopedHistoryAdmin):
    organisation_path = "user__organisation"
    list_display = ["user", "profession", "agb_code"]
    list_select_related = ["user"]
    list_filter = ["profession"]


@admin.register(MaxTariff)
class MaxTariffAdmin(ScopedHistoryAdmin):
    list_display = ["year", "prestatie", "code", "cents"]
    list_filter = ["year"]
    search_fields = ["prestatie", "code"]


class ContractTariffInline(admin.TabularInline):
    model = ContractTariff
    extra = 0


@admin.register(InsurerContract)
class InsurerContractAdmin(OrganisationScopedAdmin, ScopedHistoryAdmin):
    list_display = ["reference", "uzovi", "year", "organisation"]
    list_filter = ["year", "uzovi"]
    list_select_related = ["organisation"]
    inlines = [ContractTariffInline]
