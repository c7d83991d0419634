from django.contrib import admin

from apps.core.admin import OrganisationScopedAdmin, ScopedHistoryAdmin

from .models import Client, Municipality


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["cbs_code", "name"]
    search_fields = ["cbs_code", "name"]


@admin.register(Client)
class ClientAdmin(OrganisationScopedAdmin, ScopedHistoryAdmin):
    list_display = ["client_number", "pseudonym", "organisation", "status", "shielded"]
    list_filter = ["organisation", "status", "shielded"]
    search_fields = ["client_number", "pseudonym"]
    autocomplete_fields = ["municipality", "municipality_before_stay"]
    readonly_fields = ["responsible_municipality", "responsibility_rule"]
    # No inlines for the Wlz indications and health insurers: they are recorded on the
    # client's funding-facts page (clients:funding_facts), through the services that decide
    # the client's care again.
