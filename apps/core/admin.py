from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Records that change only through the services (history, funding rules, access rules)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrganisationScopedAdmin(admin.ModelAdmin):
    """An administrator sees and edits only their own organisation's rows.

    ``organisation_path`` is the lookup from the model to its organisation.
    """

    organisation_path = "organisation"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.organisation_path: request.user.organisation_id})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation" and not request.user.is_superuser:
            kwargs["queryset"] = db_field.related_model.objects.filter(
                pk=request.user.organisation_id
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
