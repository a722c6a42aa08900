"""Every query the report page runs is counted (STYLE): the count is exact and does not grow
with the report's evidence, history, messages and links (no query per row)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from netral.intake.models import Evidence, Report, ReportEvent, ReportLink, ReportMessage

pytestmark = pytest.mark.django_db

REPORT_PAGE_QUERIES = 19


def _grow(report: Report, n: int) -> None:
    evidence = report.evidence.order_by("pk").first()
    assert evidence is not None
    last = report.events.order_by("-pk").first()
    assert last is not None
    for i in range(n):
        copy = Evidence.objects.get(pk=evidence.pk)
        copy.pk = None
        copy.original_name = f"foto-{i}.jpg"
        copy.sha256 = f"{Evidence.objects.count():064x}"
        copy.save()
        ReportEvent.objects.create(report=report, status=last.status, note=f"catatan {i}")
        ReportMessage.objects.create(report=report, sender="officer", body=f"pertanyaan {i}")
        ReportLink.objects.create(
            report=report, platform="facebook", url=f"https://www.facebook.com/x/posts/{i}"
        )


def test_the_report_page_runs_the_same_queries_whatever_the_report_holds(
    client, form_data, photo, as_user, django_assert_num_queries
):
    client.post("/lapor/", {**form_data, "attachments": SimpleUploadedFile("a.jpg", photo)})
    report = Report.objects.get()
    officer = as_user("bawaslu.kukar")
    url = f"/laporan/{report.receipt_code}/"
    assert officer.get(url).status_code == 200  # the session and the reference memo warmed
    for n in (10, 5):
        _grow(report, n)
        with django_assert_num_queries(REPORT_PAGE_QUERIES):
            assert officer.get(url).status_code == 200
