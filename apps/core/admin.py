from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Records that change only through the services (history, funding rules, access rules)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
