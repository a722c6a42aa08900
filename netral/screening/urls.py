from django.urls import path

from netral.screening import views

app_name = "screening"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.post_detail, name="post"),
    path("<int:pk>/temuan/", views.make_finding, name="finding"),
    path("<int:pk>/tangkapan-layar/", views.screenshot_file, name="screenshot_file"),
    path("profil/<slug:slug>/", views.profile, name="profile"),
    path("tempel/", views.paste, name="paste"),
    path("tangkapan-layar/", views.screenshot, name="screenshot"),
    path("impor/", views.start_import, name="start_import"),
    path("impor/<int:pk>/", views.import_detail, name="import"),
]
