from django.urls import path

from . import views

app_name = "pools"

urlpatterns = [
    path("", views.pool_index, name="list"),
    path("<int:pk>/", views.pool_detail, name="detail"),
    path(
        "<int:pk>/enrolments/<int:enrolment_pk>/exit/",
        views.enrolment_exit,
        name="enrolment_exit",
    ),
    path("<int:pk>/bases/new/", views.basis_new, name="basis_new"),
    path(
        "<int:pk>/funders/<int:funder_pk>/export.<str:fmt>",
        views.funder_export,
        name="funder_export",
    ),
]
