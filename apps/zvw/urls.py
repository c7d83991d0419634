from django.urls import path

from . import declaration_views, views

app_name = "zvw"

urlpatterns = [
    path("clients/<int:pk>/", views.route, name="route"),
    path("clients/<int:pk>/typing/", views.typing_record, name="typing"),
    path(
        "clients/<int:pk>/activities/<int:activity_pk>/present/",
        views.participant_add,
        name="participant_add",
    ),
    path("declarations/", declaration_views.declaration_list, name="declarations"),
    path("declarations/<int:pk>/", declaration_views.declaration_detail, name="declaration"),
    path(
        "declarations/<int:pk>/approve/",
        declaration_views.declaration_approve,
        name="declaration_approve",
    ),
    path(
        "declarations/<int:pk>/export/",
        declaration_views.declaration_export,
        name="declaration_export",
    ),
    path(
        "declarations/<int:pk>/answer/",
        declaration_views.declaration_answer,
        name="declaration_answer",
    ),
    path("rejected/", declaration_views.rejected_queue, name="rejected"),
    path("rejected/<int:line_pk>/resolve/", declaration_views.rejected_resolve, name="resolve"),
]
