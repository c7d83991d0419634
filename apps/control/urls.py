from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("", views.funding_overview, name="overview"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("allocations/new/", views.allocation_new, name="allocation_new"),
    path("allocations/<int:pk>/", views.allocation_detail, name="allocation_detail"),
    path("allocations/<int:pk>/change/", views.allocation_change_form, name="allocation_change"),
    path("allocations/<int:pk>/replace/", views.allocation_replace_form, name="allocation_replace"),
    path("mosaic/", views.mosaic, name="mosaic"),
]
