from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.requests_view, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/review/", views.request_review, name="request_review"),
    path("requests/<int:pk>/execute/", views.request_execute, name="request_execute"),
    path("due/", views.due_list, name="due"),
    path("due/<int:pk>/destroy/", views.due_destroy, name="due_destroy"),
    path("clients/<int:pk>/retention/", views.extend, name="extend"),
    path("tombstones/", views.tombstones, name="tombstones"),
]
