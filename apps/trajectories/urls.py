from django.urls import path

from . import (
    consent_views,
    correction_views,
    education_views,
    funding_facts_views,
    views,
    youth_care_views,
)

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("break-the-glass/", views.client_break_glass_find, name="break_glass_find"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/mosaic/", views.client_mosaic, name="mosaic"),
    path("<int:pk>/break-the-glass/", views.client_break_glass, name="break_glass"),
    path("<int:pk>/activities/new/", views.activity_new, name="activity_new"),
    path("<int:pk>/activities/preview/", views.activity_preview, name="activity_preview"),
    path(
        "<int:pk>/activities/<int:activity_pk>/",
        correction_views.activity_detail,
        name="activity_detail",
    ),
    path(
        "<int:pk>/activities/<int:activity_pk>/correct/",
        correction_views.activity_correct_view,
        name="activity_correct",
    ),
    path(
        "<int:pk>/activities/<int:activity_pk>/cancel/",
        correction_views.activity_cancel_view,
        name="activity_cancel",
    ),
    path("<int:pk>/schooling/", views.activity_new, {"lane": "education"}, name="education"),
    path("<int:pk>/work/", views.activity_new, {"lane": "work"}, name="work"),
    path("<int:pk>/goals/new/", views.goal_new, name="goal_new"),
    path("<int:pk>/goals/<int:goal_pk>/progress/", views.goal_progress, name="goal_progress"),
    path("<int:pk>/stays/", views.stays, name="stays"),
    path(
        "<int:pk>/stays/<int:stay_pk>/discharge/",
        views.stay_discharge_view,
        name="stay_discharge",
    ),
    path("<int:pk>/stays/<int:stay_pk>/dates/", views.stay_dates, name="stay_dates"),
    path("<int:pk>/stays/<int:stay_pk>/leave/", views.stay_leave, name="stay_leave"),
    path(
        "<int:pk>/stays/leave/<int:leave_pk>/cancel/",
        views.stay_leave_cancel_view,
        name="stay_leave_cancel",
    ),
    path("<int:pk>/day-parts/", views.day_parts, name="day_parts"),
    path("<int:pk>/school/", education_views.school_placements, name="school_placements"),
    path(
        "<int:pk>/school/<int:placement_pk>/end/",
        education_views.school_placement_finish,
        name="school_placement_end",
    ),
    path("<int:pk>/employment/", education_views.employments, name="employments"),
    path(
        "<int:pk>/employment/<int:employment_pk>/end/",
        education_views.employment_finish,
        name="employment_end",
    ),
    path("<int:pk>/care-team/", views.care_team, name="care_team"),
    path("<int:pk>/consents/", consent_views.consents, name="consents"),
    path(
        "<int:pk>/consents/<int:consent_pk>/withdraw/",
        consent_views.consent_withdraw_view,
        name="consent_withdraw",
    ),
    path(
        "<int:pk>/extended-youth-care/",
        youth_care_views.extended_youth_care,
        name="extended_youth_care",
    ),
    path(
        "<int:pk>/extended-youth-care/<int:care_pk>/",
        youth_care_views.extended_youth_care_change,
        name="extended_youth_care_change",
    ),
    path(
        "<int:pk>/extended-youth-care/<int:care_pk>/end/",
        youth_care_views.extended_youth_care_end,
        name="extended_youth_care_end",
    ),
    path("<int:pk>/funding-facts/", funding_facts_views.funding_facts, name="funding_facts"),
    path(
        "<int:pk>/funding-facts/wlz/<int:fact_pk>/end/",
        funding_facts_views.wlz_indication_finish,
        name="wlz_indication_end",
    ),
    path(
        "<int:pk>/funding-facts/zvw/<int:fact_pk>/end/",
        funding_facts_views.health_insurance_finish,
        name="health_insurance_end",
    ),
    path(
        "<int:pk>/care-team/<int:membership_pk>/remove/",
        views.care_team_remove,
        name="care_team_remove",
    ),
]
