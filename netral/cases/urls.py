from django.urls import path

from netral.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("terlambat/", views.overdue_list, name="overdue"),
    path("tindak-lanjut/", views.follow_up_page, name="follow_up"),
    path("calon/", views.candidates, name="candidates"),
    path("impor/", views.import_page, name="import"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/langkah/<slug:name>/", views.take_step, name="step"),
    path("<int:pk>/dokumen/<int:doc>/", views.document, name="document"),
]
