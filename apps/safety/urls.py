from django.urls import path

from . import meldcode_views, views

app_name = "safety"

# Under clients/<int:pk>/safety/ (casemanager/urls.py): the client's pk comes first.
urlpatterns = [
    path("", views.safety_notices, name="notices"),
    path("<int:notice_pk>/", views.safety_notice_change_view, name="notice_change"),
    path("<int:notice_pk>/end/", views.safety_notice_end_view, name="notice_end"),
    # The meldcode (apps/safety/meldcode_views.py): the care team only.
    path("meldcode/", meldcode_views.meldcode_tracks, name="meldcode"),
    path("meldcode/<int:track_pk>/", meldcode_views.meldcode_track, name="meldcode_track"),
    path("meldcode/<int:track_pk>/step/", meldcode_views.meldcode_step, name="meldcode_step"),
    path("meldcode/<int:track_pk>/report/", meldcode_views.meldcode_report, name="meldcode_report"),
    path(
        "meldcode/<int:track_pk>/follow-up/",
        meldcode_views.meldcode_follow_up,
        name="meldcode_follow_up",
    ),
    path("meldcode/<int:track_pk>/close/", meldcode_views.meldcode_close, name="meldcode_close"),
    path("inspectorate/", meldcode_views.inspectorate_reports, name="inspectorate"),
    path(
        "inspectorate/<int:report_pk>/",
        meldcode_views.inspectorate_report,
        name="inspectorate_report",
    ),
]
