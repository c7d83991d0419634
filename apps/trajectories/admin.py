from django.contrib import admin

from apps.core.admin import OrganisationScopedAdmin, ReadOnlyHistoryAdmin

from .models import Activity, CareTeamMembership, Goal, Trajectory


@admin.register(Trajectory)
class TrajectoryAdmin(OrganisationScopedAdmin, ReadOnlyHistoryAdmin):
    organisation_path = "client__organisation"
    list_display = ["client", "start", "end", "status", "lead_caseworker"]
    list_select_related = ["client", "lead_caseworker"]


@admin.register(CareTeamMembership)
class CareTeamMembershipAdmin(OrganisationScopedAdmin, ReadOnlyHistoryAdmin):
    organisation_path = "trajectory__client__organisation"
    list_display = ["trajectory", "user", "role", "start", "end"]
    list_select_related = ["trajectory__client", "user"]


@admin.register(Goal)
class GoalAdmin(OrganisationScopedAdmin, ReadOnlyHistoryAdmin):
    organisation_path = "trajectory__client__organisation"
    list_display = ["trajectory", "domain", "status", "progress", "target_date"]
    list_select_related = ["trajectory__client"]


@admin.register(Activity)
class ActivityAdmin(OrganisationScopedAdmin, ReadOnlyHistoryAdmin):
    organisation_path = "trajectory__client__organisation"
    list_display = ["date", "kind", "domain", "funding_status", "allocation", "status"]
    list_filter = ["domain", "funding_status", "status"]
    list_select_related = ["allocation"]
    exclude = ["note"]
