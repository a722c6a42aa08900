from django.urls import path

from netral.insights import export_views

app_name = "exports"

urlpatterns = [
    path("", export_views.exports, name="list"),
    path("<int:pk>/", export_views.export_detail, name="detail"),
    path("<int:pk>/unduh/", export_views.export_download, name="download"),
    path("<int:pk>/ulangi/", export_views.export_retry, name="retry"),
]
