from django.contrib import admin

from apps.core.admin import OrganisationScopedAdmin, ScopedHistoryAdmin

from .models import Client, HealthInsurance, Municipality, WlzIndication


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["cbs_code", "name"]
    search_fields = ["cbs_code", "name"]


class WlzIndicationInline(admin.TabularInline):
    model = WlzIndication
    extra = 0
    fields = ["care_profile", "decision_reference", "start", "end"]


class HealthInsuranceInline(admin.TabularInline):
    model = HealthInsurance
    extra = 0
    fields = ["uzovi", "start", "end"]


@admin.register(Client)
class ClientAdmin(OrganisationScopedAdmin, ScopedHistoryAdmin):
    list_display = ["client_number", "pseudonym", "organisation", "status", "shielded"]
    list_filter = ["organisation", "status", "shielded"]
    search_fields = ["client_number", "pseudonym"]
    autocomplete_fields = ["municipality", "municipality_before_stay"]
    readonly_fields = ["responsible_municipality", "responsibility_rule"]
    inlines = [WlzIndicationInline, HealthInsuranceInline]
