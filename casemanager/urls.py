from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.i18n import set_language

from apps.accounts import keepalive
from apps.accounts import views as account_views
from apps.api.views.base import UnknownUrlView
from apps.workday import views as workday_views

from . import views

urlpatterns = [
    path("", workday_views.day, name="home"),  # the day page (apps/workday)
    path("healthz", views.healthz, name="healthz"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("account/2fa/setup/", account_views.two_factor_setup, name="two_factor_setup"),
    path("account/2fa/verify/", account_views.two_factor_verify, name="two_factor_verify"),
    path("account/", account_views.account_profile, name="account"),
    path(
        "account/tokens/<int:pk>/revoke/",
        account_views.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path("account/session/keepalive/", keepalive.session_keepalive, name="session_keepalive"),
    path("account/unsaved/", keepalive.unsaved_forms, name="unsaved_forms"),
    path("account/unsaved/<int:pk>/save/", keepalive.unsaved_form_save, name="unsaved_form_save"),
    path(
        "account/unsaved/<int:pk>/discard/",
        keepalive.unsaved_form_discard_view,
        name="unsaved_form_discard",
    ),
    path("clients/", include("apps.trajectories.urls")),
    path("clients/<int:pk>/safety/", include("apps.safety.urls")),
    path("privacy/", include("apps.privacy.urls")),
    path("privacy/retention/", include("apps.retention.urls")),
    path("records/", include("apps.records.urls")),
    path("plans/", include("apps.plans.urls")),
    path("funding/", include("apps.control.urls")),
    path("funding/pools/", include("apps.pools.urls")),
    path("zvw/", include("apps.zvw.urls")),
    path("reports/", include("apps.reports.urls")),
    path("registers/", include("apps.registers.urls")),
    path("messages/", include("apps.exchange.urls")),
    path("agenda/", include("apps.agenda.urls")),
    path("workday/", include("apps.workday.urls")),
    path("intake/", include("apps.intake.urls")),
    path("api/v1/", include("apps.api.urls")),
    re_path(r"^api/", UnknownUrlView.as_view()),  # anything else under /api/: the API's 404
    path("admin/", admin.site.urls),
]

# Under /api/ an unknown URL and a crash answer in the API's error format (casemanager/views.py).
handler404 = "casemanager.views.handler404"
handler500 = "casemanager.views.handler500"
