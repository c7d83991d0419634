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

    def get_readonly_fields(self, request, obj=None):
        # A client stays with the organisation that registered it: its trajectories, care
        # teams, allocations and funding alerts (which keep the organisation) are that
        # organisation's; a transfer is a new registration there, not an edit here.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "organisation"] if obj is not None else fields

    # No inlines for the Wlz indications and health insurers: they are recorded on the
    # client's funding-facts page (clients:funding_facts), through the services that decide
    # the client's care again.
