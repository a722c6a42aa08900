from django.contrib import admin
from django.urls import include, path

from netral.api import api
from netral.cases import views as case_views
from netral.commitments import views as commitment_views
from netral.core import views as core_views
from netral.insights import views as insight_views
from netral.intake.urls import officer_urlpatterns

urlpatterns = [
    path("", include("netral.core.urls")),
    path("akun/", include("netral.accounts.urls")),
    path("registri/", include("netral.registry.urls")),
    path("aturan/", include("netral.rules.urls")),
    path("lapor/", include("netral.intake.urls")),
    path("laporan/<str:code>/registrasi/", case_views.registration, name="registration"),
    path("laporan/", include(officer_urlpatterns)),
    path("perkara/", include("netral.cases.urls")),
    path("komitmen/", include("netral.commitments.urls")),
    path("penapisan/", include("netral.screening.urls")),
    path("dasbor/", include("netral.insights.urls")),
    path("ekspor/", include("netral.insights.export_urls")),
    path("transparansi/", insight_views.transparency, name="transparency"),
    path("transparansi/audit/", core_views.audit_checkpoints, name="audit_checkpoints"),
    path(
        "transparansi/audit/checkpoints.json",
        core_views.audit_checkpoints_file,
        name="audit_checkpoints_file",
    ),
    path("transparansi/csv/", insight_views.transparency_csv, name="transparency_csv"),
    path("verifikasi/", commitment_views.verify, name="verify_form"),
    path("verifikasi/<str:code>", commitment_views.verify, name="verify"),
    path("ikrar/<int:pk>/hadir/", commitment_views.check_in, name="check_in"),
    path("edaran/<int:pk>/", commitment_views.circular_pdf, name="circular_pdf"),
    path("wilayah/<str:code>/komitmen/", commitment_views.public_region, name="public_commitments"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

handler403 = "netral.core.views.error_403"
handler404 = "netral.core.views.error_404"
handler500 = "netral.core.views.error_500"
