from django.urls import path

from netral.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.report_form, name="form"),
    path("tanda-terima/", views.receipt_download, name="receipt_download"),
    path("status/", views.receipt_status, name="status"),
]

officer_urlpatterns = (
    [
        path("", views.report_list, name="list"),
        path("temuan/baru/", views.finding_form, name="new_finding"),
        path("<str:code>/", views.report_detail, name="detail"),
        path("<str:code>/bukti/<int:pk>/<str:which>/", views.evidence_file, name="evidence"),
    ],
    "reports",
)
