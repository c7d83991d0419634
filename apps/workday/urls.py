"""The manager's client search (/workday/); the day page itself is the site's start page,
``home`` in casemanager/urls.py."""

from django.urls import path

from . import views

app_name = "workday"

urlpatterns = [
    path("clients/", views.client_search, name="clients"),
]
