from django.urls import path

from . import views

app_name = "safety"

# Under clients/<int:pk>/safety/ (casemanager/urls.py): the client's pk comes first.
urlpatterns = [
    path("", views.safety_notices, name="notices"),
    path("<int:notice_pk>/", views.safety_notice_change_view, name="notice_change"),
    path("<int:notice_pk>/end/", views.safety_notice_end_view, name="notice_end"),
]
