"""The exchange's pages: /messages/ (managers; the waiting allocations: caseworkers)."""

from django.urls import path

from . import views_requests

app_name = "exchange"

urlpatterns: list = [
    # Requests for an allocation or a change (views_requests.py).
    path("requests/", views_requests.request_list, name="requests"),
    path("requests/new/", views_requests.request_new, name="request_new"),
    path("requests/change/<int:pk>/", views_requests.request_change, name="request_change"),
]
