from django.urls import path

from . import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("break-the-glass/", views.client_break_glass_find, name="break_glass_find"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/break-the-glass/", views.client_break_glass, name="break_glass"),
]
