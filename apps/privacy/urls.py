from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.privacy_home, name="home"),
    path(
        "break-the-glass/<int:pk>/review/", views.break_glass_review_view, name="break_glass_review"
    ),
    path("clients/<int:pk>/", views.client_history, name="client_history"),
    path(
        "clients/<int:pk>/access-report/", views.client_access_report, name="client_access_report"
    ),
]
