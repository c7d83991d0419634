from django.urls import path

from . import views

app_name = "agenda"

urlpatterns = [
    path("", views.week, name="week"),
    path("day/", views.day, name="day"),
    path("clients/<int:pk>/plan/", views.plan, name="plan"),
    path("appointments/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("appointments/<int:pk>/no-show/", views.no_show, name="no_show"),
    path("appointments/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("feed/new/", views.feed_create, name="feed_create"),
    path("feed/revoke/", views.feed_revoke, name="feed_revoke"),
    path("feed/<str:secret>.ics", views.feed, name="feed"),
]
