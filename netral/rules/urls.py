from django.urls import path

from netral.rules import views

app_name = "rules"
urlpatterns = [path("", views.rules_page, name="page")]
