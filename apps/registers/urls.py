from django.urls import path

from . import views

app_name = "registers"

urlpatterns = [
    path("", views.home, name="home"),
    path("group/new/", views.group_new, name="group_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("classes/new/", views.class_new, name="class_new"),
    path("classes/<int:pk>/", views.class_detail, name="class"),
    path("classes/<int:pk>/pupils/add/", views.class_pupil_add_view, name="class_pupil_add"),
    path(
        "classes/<int:pk>/pupils/<int:pupil_pk>/remove/",
        views.class_pupil_remove_view,
        name="class_pupil_remove",
    ),
    path("classes/<int:pk>/lesson/", views.class_lesson, name="class_lesson"),
    path(
        "classes/<int:pk>/absence/<int:client_pk>/report/",
        views.absence_report,
        name="absence_report",
    ),
]
