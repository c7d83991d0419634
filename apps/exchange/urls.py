"""The exchange's pages: /messages/ (managers; the waiting allocations: caseworkers)."""

from django.urls import path

from . import views_declarations

app_name = "exchange"

urlpatterns: list = [
    path("declarations/", views_declarations.declaration_list, name="declarations"),
    path(
        "declarations/rejected/",
        views_declarations.declaration_rejected,
        name="declarations_rejected",
    ),
    path(
        "declarations/<int:pk>/",
        views_declarations.declaration_detail,
        name="declaration_detail",
    ),
]
