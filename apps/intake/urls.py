from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("closed/", views.closed, name="closed"),
    path("clients/<int:pk>/registered/", views.registered, name="registered"),
    path("clients/<int:pk>/trajectory/", views.lifecycle, name="lifecycle"),
    path("clients/<int:pk>/trajectory/phase/", views.phase_move, name="phase_move"),
    path("clients/<int:pk>/trajectory/close/", views.close, name="close"),
    path("trajectories/<int:pk>/resume/", views.resume, name="resume"),
]
