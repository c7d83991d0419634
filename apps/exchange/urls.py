"""The exchange's pages: /messages/ (managers; the waiting allocations: caseworkers)."""

from django.urls import path

from . import views_allocations_in

app_name = "exchange"

urlpatterns: list = [
    path("waiting/", views_allocations_in.waiting_list, name="waiting"),
    path("waiting/<int:pk>/link/", views_allocations_in.waiting_link, name="waiting_link"),
    path("waiting/<int:pk>/dismiss/", views_allocations_in.waiting_dismiss, name="waiting_dismiss"),
]
