"""The exchange's pages: /messages/ (managers; the waiting allocations: caseworkers)."""

from django.urls import path

from . import (
    views_allocations_in,
    views_declarations,
    views_messages,
    views_requests,
    views_startstop,
)

app_name = "exchange"

urlpatterns: list = [
    # The start and stop of care told to the municipalities (JW305/JW307, WMO305/WMO307).
    path("deliveries/", views_startstop.deliveries, name="deliveries"),
    path(
        "deliveries/<int:pk>/remove/",
        views_startstop.delivery_remove_view,
        name="delivery_remove",
    ),
    # Requests for an allocation or a change (views_requests.py).
    path("requests/", views_requests.request_list, name="requests"),
    path("requests/new/", views_requests.request_new, name="request_new"),
    path("requests/change/<int:pk>/", views_requests.request_change, name="request_change"),
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
    path("", views_messages.message_list, name="messages"),
    path("upload/", views_messages.message_upload, name="messages_upload"),
    path("fetch/", views_messages.message_fetch, name="messages_fetch"),
    path("<int:pk>/", views_messages.message_detail, name="message_detail"),
    path("<int:pk>/file/", views_messages.message_file, name="message_file"),
    path("waiting/", views_allocations_in.waiting_list, name="waiting"),
    path("waiting/<int:pk>/link/", views_allocations_in.waiting_link, name="waiting_link"),
    path("waiting/<int:pk>/dismiss/", views_allocations_in.waiting_dismiss, name="waiting_dismiss"),
]
