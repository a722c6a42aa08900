from django.urls import path

from netral.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("pemberitahuan/", views.notifications, name="notifications"),
]
