from django.contrib import admin

from apps.core.admin import ReadOnlyHistoryAdmin

from .models import Activity, CareTeamMembership, Goal, Trajectory


@admin.register(Trajectory)
class TrajectoryAdmin(ReadOnlyHistoryAdmin):
    list_display = ["client", "start", "end", "status", "lead_caseworker"]
    list_select_related = ["client", "lead_caseworker"]


@admin.register(CareTeamMembership)
class CareTeamMembershipAdmin(ReadOnlyHistoryAdmin):
    list_display = ["trajectory", "user", "role", "start", "end"]
    list_select_related = ["trajectory__client", "user"]


@admin.register(Goal)
class GoalAdmin(ReadOnlyHistoryAdmin):
    list_display = ["trajectory", "domain", "status", "progress", "target_date"]
    list_select_related = ["trajectory__client"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyHistoryAdmin):
    list_display = ["date", "kind", "domain", "funding_status", "allocation", "status"]
    list_filter = ["domain", "funding_status", "status"]
    list_select_related = ["allocation"]
    exclude = ["note"]
