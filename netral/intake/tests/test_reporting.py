from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from netral.core.models import AuditEntry
from netral.intake.models import Evidence, Report
from netral.intake.services import report_for_receipt

pytestmark = pytest.mark.django_db


def _receipt(html: str) -> tuple[str, str]:
    code = re.search(r'id="receipt-code">([^<]+)<', html)
    secret = re.search(r'id="receipt-secret">([^<]+)<', html)
    assert code is not None, html[:3000]
    assert secret is not None
    return code.group(1), secret.group(1)


def test_anonymous_report_with_a_photo_gets_a_receipt(client, form_data, photo):
    response = client.post(
        "/lapor/", {**form_data, "attachments": SimpleUploadedFile("a.jpg", photo)}
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    code, secret = _receipt(response.content.decode())
    report = Report.objects.get(receipt_code=code)
    assert report.anonymous
    assert report.reporter_identity is None
    assert report.secret_digest != secret
    assert report.office.code == "BAWASLU-64.02"  # the accused agency's region
    assert report.evidence.count() == 1
    assert report.links.get().platform == "facebook"
    assert report_for_receipt(code, secret) == report
    assert report_for_receipt(code, secret.lower()) == report  # typed in lower case on a phone


def test_a_bad_field_keeps_every_value_and_the_uploaded_file(client, form_data, photo):
    bad = {**form_data, "accused_nip": "12345", "attachments": SimpleUploadedFile("a.jpg", photo)}
    response = client.post("/lapor/", bad)
    html = response.content.decode()
    assert response.status_code == 422
    assert "NIP terdiri dari 18 angka" in html or "18 angka" in html
    assert 'value="Budi Santoso"' in html
    assert "Mengunggah poster calon bupati" in html
    assert 'id="pending-files"' in html
    assert "a.jpg" in html
    assert Evidence.objects.filter(upload_token=form_data["upload_token"]).count() == 1
    fixed = {**form_data, "accused_nip": ""}  # no file chosen again
    done = client.post("/lapor/", fixed)
    code, _secret = _receipt(done.content.decode())
    assert Report.objects.get(receipt_code=code).evidence.count() == 1


def test_a_double_submit_creates_one_report_and_shows_the_same_receipt(client, form_data):
    first = _receipt(client.post("/lapor/", form_data).content.decode())
    again = client.post("/lapor/", form_data).content.decode()
    assert _receipt(again) == first
    assert Report.objects.count() == 1


def test_identified_report_requires_the_identity_and_encrypts_it(client, form_data):
    incomplete = client.post("/lapor/", {**form_data, "identified": "1"})
    assert incomplete.status_code == 422
    assert "Laporan resmi memerlukan isian ini" in incomplete.content.decode()
    identified = {
        **form_data,
        "identified": "1",
        "reporter_name": "Siti Aminah",
        "reporter_nik": "6402014506900001",
        "reporter_address": "Jl. Mawar 1, Tenggarong",
        "reporter_phone": "0812 3456 7890",
    }
    code, _secret = _receipt(client.post("/lapor/", identified).content.decode())
    report = Report.objects.get(receipt_code=code)
    assert not report.anonymous
    assert b"6402014506900001" not in bytes(report.reporter_identity)
    assert b"Siti" not in bytes(report.reporter_identity)
    entry = AuditEntry.objects.get(action="intake.report.submit", object_id=str(report.pk))
    assert "6402014506900001" not in str(entry.after)


def test_nik_is_checked(client, form_data):
    data = {**form_data, "identified": "1", "reporter_name": "A", "reporter_address": "B",
            "reporter_phone": "08123456789", "reporter_nik": "6402019913900001"}  # fmt: skip
    response = client.post("/lapor/", data)
    assert "bukan tanggal yang sah" in response.content.decode()


def test_an_unknown_nik_region_code_is_a_warning_never_a_rejection(client, form_data, as_user):
    """Regions split and were renumbered (Papua 2022): an old code must still be accepted."""
    data = {**form_data, "identified": "1", "reporter_name": "Yohanes", "reporter_address": "B",
            "reporter_phone": "08123456789", "reporter_nik": "9901014506900001"}  # fmt: skip
    response = client.post("/lapor/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "99.01.01" in page
    assert "tidak ada dalam daftar kecamatan" in page
    code, _secret = _receipt(page)
    detail = as_user("bawaslu.kukar").get(f"/laporan/{code}/").content.decode()
    # The officer sees the doubt, but not the district: six of the NIK's digits.
    assert "Kode wilayah NIK ini tidak ada dalam daftar kecamatan" in detail
    assert "99.01.01" not in detail
    assert "9901014506900001" not in detail
    known = client.post(
        "/lapor/",
        {**data, "reporter_nik": "6402014506900001", "submission_token": "k" * 24},
    ).content.decode()
    assert "tidak ada dalam daftar kecamatan" not in known


def test_late_reports_are_accepted_and_flagged(client, form_data):
    late = {**form_data, "act_date": "2024-10-01", "learned_date": "2024-10-02"}
    code, _secret = _receipt(client.post("/lapor/", late).content.decode())
    assert Report.objects.get(receipt_code=code).late


def test_receipt_status_two_way_channel(client, form_data, as_user):
    code, secret = _receipt(client.post("/lapor/", form_data).content.decode())
    wrong = client.post("/lapor/status/", {"receipt_code": code, "secret": "WRONG"})
    unknown = client.post("/lapor/status/", {"receipt_code": "NTR-0000-0000", "secret": secret})
    assert wrong.status_code == unknown.status_code == 404
    officer = as_user("bawaslu.kukar")
    officer.post(f"/laporan/{code}/", {"action": "ask", "question": "Kapan unggahan itu dibuat?"})
    page = client.post("/lapor/status/", {"receipt_code": code, "secret": secret}).content.decode()
    assert "Kapan unggahan itu dibuat?" in page
    client.post(
        "/lapor/status/",
        {"receipt_code": code, "secret": secret, "body": "Tanggal 20, pukul 8 malam.",
         "upload_token": "r" * 24},
    )  # fmt: skip
    detail = officer.get(f"/laporan/{code}/").content.decode()
    assert "Tanggal 20, pukul 8 malam." in detail


def test_officers_see_only_reports_of_their_jurisdiction(client, form_data, as_user):
    code, _ = _receipt(client.post("/lapor/", form_data).content.decode())
    assert as_user("bawaslu.kukar").get(f"/laporan/{code}/").status_code == 200
    assert as_user("bawaslu.kaltim").get(f"/laporan/{code}/").status_code == 200
    assert as_user("bawaslu.ri").get(f"/laporan/{code}/").status_code == 200
    assert as_user("bawaslu.sukamara").get(f"/laporan/{code}/").status_code == 404
    assert code not in as_user("bawaslu.sukamara").get("/laporan/").content.decode()
    assert as_user("bkpsdm.kukar").get("/laporan/").status_code == 403


def test_identity_is_masked_and_revealed_only_to_the_custodian_with_a_reason(
    client, form_data, as_user
):
    identified = {**form_data, "identified": "1", "reporter_name": "Siti Aminah",
                  "reporter_nik": "6402014506900001", "reporter_address": "Jl. Mawar 1",
                  "reporter_email": "siti@example.org"}  # fmt: skip
    code, _ = _receipt(client.post("/lapor/", identified).content.decode())
    officer_page = as_user("bawaslu.kukar").get(f"/laporan/{code}/").content.decode()
    assert "6402014506900001" not in officer_page
    assert "nik: terisi" in officer_page  # filled, never its length or characters
    assert "64*" not in officer_page
    assert "nik: tidak terisi" not in officer_page
    assert "phone: tidak terisi" in officer_page
    refused = as_user("bawaslu.kukar").post(
        f"/laporan/{code}/", {"action": "reveal", "reason": "x"}
    )
    assert refused.status_code == 403
    custodian = as_user("kustodian.kukar")
    no_reason = custodian.post(f"/laporan/{code}/", {"action": "reveal", "reason": " "})
    assert "6402014506900001" not in no_reason.content.decode()
    shown = custodian.post(f"/laporan/{code}/", {"action": "reveal", "reason": "Klarifikasi saksi"})
    assert "6402014506900001" in shown.content.decode()
    entry = AuditEntry.objects.get(action="intake.identity.reveal")
    assert entry.reason == "Klarifikasi saksi"
    assert "6402014506900001" not in str(entry.after)


def test_opening_a_sealed_original_is_logged(client, form_data, photo, as_user):
    response = client.post(
        "/lapor/", {**form_data, "attachments": SimpleUploadedFile("a.jpg", photo)}
    )
    code, _ = _receipt(response.content.decode())
    evidence = Report.objects.get(receipt_code=code).evidence.get()
    officer = as_user("bawaslu.kukar")
    working = officer.get(f"/laporan/{code}/bukti/{evidence.pk}/kerja/")
    assert b"".join(working.streaming_content) != photo
    assert not AuditEntry.objects.filter(action="intake.evidence.open_original").exists()
    original = officer.get(f"/laporan/{code}/bukti/{evidence.pk}/asli/")
    assert b"".join(original.streaming_content) == photo
    assert AuditEntry.objects.filter(action="intake.evidence.open_original").count() == 1


def test_public_pages_need_no_login_and_stay_light(client):
    response = Client().get("/lapor/")
    assert response.status_code == 200
    assert len(response.content) < 40_000


def test_too_many_submissions_get_429_with_retry_after(client, form_data, settings):
    from django.core.cache import caches

    caches["counters"].clear()
    settings.NETRAL_RATE_REPORTS = "2/h"
    settings.NETRAL_RATE_REPORTS_NO_POW = "2/h"
    client.post("/lapor/", {**form_data, "submission_token": "a" * 24})
    client.post("/lapor/", {**form_data, "submission_token": "b" * 24})
    third = client.post("/lapor/", {**form_data, "submission_token": "c" * 24})
    assert third.status_code == 429
    assert int(third["Retry-After"]) > 0
    assert "tunggu sekitar" in third.content.decode()
    from netral.intake.tests.test_api import _payload

    api = client.post("/api/v1/reports", _payload(), content_type="application/json")
    assert api.status_code == 429
    assert api.json()["detail"]
    assert Report.objects.count() == 2
    caches["counters"].clear()


def test_officer_records_a_finding(form_data, as_user):
    officer = as_user("bawaslu.kukar")
    assert officer.get("/laporan/temuan/baru/").status_code == 200
    data = {k: v for k, v in form_data.items() if not k.startswith("reporter_")}
    response = officer.post("/laporan/temuan/baru/", data)
    assert response.status_code == 302
    finding = Report.objects.get(kind="finding")
    assert response["Location"] == f"/laporan/{finding.receipt_code}/"
    assert finding.created_by is not None
    assert finding.created_by.username == "bawaslu.kukar"
    assert finding.reporter_identity is None
    assert as_user("kustodian.kukar").get("/laporan/temuan/baru/").status_code == 403


def test_solved_proof_of_work_earns_the_normal_limit_and_counts_once(client, form_data, settings):
    import base64
    import hashlib
    import html
    import json

    from django.core.cache import cache

    cache.clear()
    settings.NETRAL_RATE_REPORTS_NO_POW = "1/h"
    settings.NETRAL_POW_MAX_NUMBER = 200
    page = client.get("/lapor/").content.decode()
    spec = json.loads(html.unescape(re.search(r'data-pow="([^"]+)"', page).group(1)))
    number = next(
        n for n in range(spec["maxnumber"] + 1)
        if hashlib.sha256(f"{spec['salt']}{n}".encode()).hexdigest() == spec["challenge"]
    )  # fmt: skip
    fields = ("algorithm", "challenge", "salt", "signature")
    payload = base64.b64encode(
        json.dumps({**{k: spec[k] for k in fields}, "number": number}).encode()
    ).decode()
    no_pow = client.post("/lapor/", {**form_data, "submission_token": "a" * 24})
    assert no_pow.status_code == 200
    again = client.post("/lapor/", {**form_data, "submission_token": "b" * 24})
    assert again.status_code == 429  # without proof of work: the strict limit
    with_pow = client.post(
        "/lapor/", {**form_data, "submission_token": "c" * 24, "altcha": payload}
    )
    assert with_pow.status_code == 200
    replay = client.post("/lapor/", {**form_data, "submission_token": "d" * 24, "altcha": payload})
    assert replay.status_code == 429  # a solution counts once
    cache.clear()


def test_form_page_stays_in_history_but_receipts_are_never_stored(client, form_data):
    page = client.get("/lapor/")
    assert "no-cache" in page["Cache-Control"]
    assert "private" in page["Cache-Control"]
    assert "no-store" not in page["Cache-Control"]
    receipt = client.post("/lapor/", form_data)
    assert "no-store" in receipt["Cache-Control"]


def test_a_form_key_past_its_window_stores_the_new_files(client, form_data, photo):
    """A token reused after the idempotency window makes a new report, files included."""
    from datetime import timedelta

    from django.utils import timezone

    from netral.intake.models import IdempotentSubmission
    from netral.intake.services import IDEMPOTENCY_WINDOW

    client.post("/lapor/", form_data)
    IdempotentSubmission.objects.update(
        created_at=timezone.now() - IDEMPOTENCY_WINDOW - timedelta(minutes=1)
    )
    again = client.post("/lapor/", {**form_data, "attachments": SimpleUploadedFile("a.jpg", photo)})
    code, _secret = _receipt(again.content.decode())
    assert Report.objects.count() == 2
    assert Report.objects.get(receipt_code=code).evidence.count() == 1
