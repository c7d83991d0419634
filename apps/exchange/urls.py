"""The exchange's pages: /messages/ (managers; the waiting allocations: caseworkers)."""

from django.urls import path

from . import views_messages

app_name = "exchange"

urlpatterns: list = [
    path("", views_messages.message_list, name="messages"),
    path("upload/", views_messages.message_upload, name="messages_upload"),
    path("fetch/", views_messages.message_fetch, name="messages_fetch"),
    path("<int:pk>/", views_messages.message_detail, name="message_detail"),
    path("<int:pk>/file/", views_messages.message_file, name="message_file"),
]
