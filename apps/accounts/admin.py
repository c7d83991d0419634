from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from apps.audit.models import AccessBasis, AccessEvent
from apps.audit.services import access_log_record
from apps.core.admin import OrganisationScopedAdmin, ScopedHistoryAdmin

from .models import Organisation, Role, User


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin, ScopedHistoryAdmin):
    organisation_path = "pk"
    list_display = ["name", "agb_code"]
    search_fields = ["name", "agb_code"]


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, BaseUserAdmin, ScopedHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["organisation", "groups", "is_active"]
    list_select_related = ["organisation"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ["organisation"]}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ["organisation", "first_name", "last_name", "email"]}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Administrators give roles (groups); they cannot make anyone a superuser or hand out
        # single permissions past the roles.
        hidden = {"is_superuser", "user_permissions"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = Group.objects.filter(name__in=Role.values).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        if before != after:
            roles = ", ".join(sorted(after)) or "-"
            access_log_record(
                user=request.user,
                event=AccessEvent.PERMISSION_CHANGE,
                basis=AccessBasis.ADMINISTRATION,
                obj=form.instance,
                detail=f"roles of {form.instance.get_username()}: {roles}",
            )
