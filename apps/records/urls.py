from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("", views.records_home, name="home"),
    path("clients/<int:pk>/", views.client_records, name="client"),
    path("clients/<int:pk>/statements/", views.statements, name="statements"),
    path("requests/<int:pk>/copy/", views.copy_make, name="copy_make"),
    path("copies/<int:pk>/status/", views.copy_status, name="copy_status"),
    path("copies/<int:pk>/download/", views.copy_download, name="copy_download"),
]
