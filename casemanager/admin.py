"""Django's admin, for administrators only: funders, contracts, products, users and teams."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class CaseAdminSite(admin.AdminSite):
    site_header = _("Care-case management: administration")
    site_title = _("Administration")
    index_title = _("Configuration")

    def has_permission(self, request) -> bool:
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (user.is_superuser or user.has_role("administrator"))
        )


class CaseAdminConfig(AdminConfig):
    default_site = "casemanager.admin.CaseAdminSite"
