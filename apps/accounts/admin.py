from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from apps.core.admin import OrganisationScopedAdmin, ScopedHistoryAdmin

from .models import Organisation, Role, User
from .services import user_roles_check, user_roles_set


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin, ScopedHistoryAdmin):
    organisation_path = "pk"
    list_display = ["name", "agb_code"]
    search_fields = ["name", "agb_code"]


class UserChangeForm(BaseUserChangeForm):
    """The user's form in the admin: roles (groups) change only through user_roles_set.

    Its ``save_m2m`` calls the service, so the change page and the history page's revert alike
    refuse a change of one's own roles and log every other.
    """

    actor: User | None = None  # the administrator of this request (UserAdmin.get_form)

    def clean_groups(self):
        groups = self.cleaned_data["groups"]
        user_roles_check(user=self.instance, roles=_role_names(groups), actor=self.actor)
        return groups

    def _save_m2m(self):
        groups = self.cleaned_data.pop("groups", None)
        try:
            super()._save_m2m()
        finally:
            if groups is not None:
                self.cleaned_data["groups"] = groups
        if groups is not None:
            user_roles_set(user=self.instance, roles=_role_names(groups), actor=self.actor)


def _role_names(groups) -> list[str]:
    return [group.name for group in groups if group.name in Role.values]


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, BaseUserAdmin, ScopedHistoryAdmin):
    form = UserChangeForm
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

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})
