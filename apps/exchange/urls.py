"""The exchange's pages: /messages/ (managers; the waiting allocations: caseworkers)."""

from django.urls import path  # noqa: F401 - each part of the exchange adds its pages below

app_name = "exchange"

urlpatterns: list = []
