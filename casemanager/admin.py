"""Django's admin, for administrators only: funders, contracts, products, users and teams."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class CaseAdminSite(admin.AdminSite):
    site_header = _("Care-case management: administration")
    site_title = _("Administration")
    index_title = _("Configuration")

    def has_permission(self, request) -> bool:
        # Imported here: this module is loaded with the app registry, before the models.
        from apps.accounts.permissions import USE_ADMIN, may

        return may(request.user, USE_ADMIN)


class CaseAdminConfig(AdminConfig):
    default_site = "casemanager.admin.CaseAdminSite"
