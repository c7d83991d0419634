from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """History pages that reach only what the admin's change page reaches.

    django-simple-history reads the history table directly, past ``get_queryset``: without
    this an administrator could read, and revert, another organisation's users, contracts and
    products. An object outside ``get_queryset`` is answered as Django answers a missing one;
    a revert (a POST of the history form) needs the change permission, as a change does.
    Every admin with history derives from this class (tests/test_admin_history.py walks the
    admin site to check it).
    """

    def _history_object(self, request, object_id):
        """The object as the change page finds it, or None; refused as the change page does:
        without permission on the model first (403), then outside ``get_queryset``."""
        if not self.has_view_history_or_change_history_permission(request):
            raise PermissionDenied
        return self.get_object(request, unquote(object_id))

    def history_view(self, request, object_id, extra_context=None):
        if self._history_object(request, object_id) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self._history_object(request, object_id)
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST" and not self.has_change_history_permission(request, obj):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyHistoryAdmin(ScopedHistoryAdmin):
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
