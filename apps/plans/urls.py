from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("client/<int:pk>/", views.plan_detail, name="plan"),
    path("client/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("client/<int:pk>/goals/new/", views.plan_goal_new, name="goal_new"),
    path("client/<int:pk>/evaluations/new/", views.evaluation_new, name="evaluation_new"),
]
