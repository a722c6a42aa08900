from django.urls import path

from netral.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.civil_servant_list, name="civil_servants"),
    path("asn/<str:nip>/", views.civil_servant_detail, name="civil_servant"),
    path("instansi/", views.agency_list, name="agencies"),
    path("instansi/<str:code>/", views.agency_detail, name="agency"),
    path("impor/", views.import_start, name="import"),
    path("impor/<int:pk>/", views.import_detail, name="import_detail"),
    path("impor/<int:pk>/laporan.csv", views.import_report, name="import_report"),
    path("impor/<int:pk>/ulangi/", views.import_retry, name="import_retry"),
]
