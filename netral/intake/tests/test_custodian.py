"""Only the custodian of the office that handles a report reveals its reporter; the sealed
original opens only through the audited door; officers' answers are never cached."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from netral.core.models import AuditEntry
from netral.intake.models import Report
from netral.registry.models import Office

pytestmark = pytest.mark.django_db

NIK = "6402014506900001"


def _identified(client, form_data) -> Report:
    data = {**form_data, "identified": "1", "reporter_name": "Siti Aminah",
            "reporter_nik": NIK, "reporter_address": "Jl. Mawar 1",
            "reporter_email": "siti@example.org"}  # fmt: skip
    html = client.post("/lapor/", data).content.decode()
    code = re.search(r'id="receipt-code">([^<]+)<', html)
    assert code is not None
    return Report.objects.get(receipt_code=code.group(1))


def test_the_administrator_cannot_reveal(client, form_data, as_user):
    report = _identified(client, form_data)
    admin = as_user("admin")
    page = admin.get(f"/laporan/{report.receipt_code}/").content.decode()
    assert 'name="action" value="reveal"' not in page
    refused = admin.post(f"/laporan/{report.receipt_code}/", {"action": "reveal", "reason": "x"})
    assert refused.status_code == 403
    assert NIK not in refused.content.decode()
    assert not AuditEntry.objects.filter(action="intake.identity.reveal").exists()


def test_an_office_without_a_custodian_shows_that_nobody_can_reveal(client, form_data, as_user):
    report = _identified(client, form_data)
    province = Office.objects.get(code="BAWASLU-64")
    Report.objects.filter(pk=report.pk).update(office=province)
    page = as_user("admin").get(f"/laporan/{report.receipt_code}/").content.decode()
    assert "tidak memiliki kustodian identitas" in page
    # The custodian of another office (the regency's) may not reveal it either.
    refused = as_user("kustodian.kukar").post(
        f"/laporan/{report.receipt_code}/", {"action": "reveal", "reason": "klarifikasi"}
    )
    assert refused.status_code == 403


def test_the_administrator_appoints_a_custodian_audited_but_still_cannot_reveal(
    client, form_data, as_user, personas
):
    report = _identified(client, form_data)
    Report.objects.filter(pk=report.pk).update(office=Office.objects.get(code="BAWASLU-64"))
    admin = as_user("admin")
    listing = admin.get("/akun/kustodian/?q=BAWASLU-64")
    assert listing.status_code == 200
    assert "kustodian" in admin.get("/").content.decode().lower()
    appointed = admin.post(
        "/akun/kustodian/?q=BAWASLU-64",
        {
            "action": "appoint",
            "office": "BAWASLU-64",
            "username": "bawaslu.kaltim",
            "reason": "SK Ketua Bawaslu Provinsi No. 12/2026",
        },
    )
    assert appointed.status_code == 302
    entry = AuditEntry.objects.get(action="custodian.appoint")
    assert entry.actor_id == personas["admin"].pk
    assert entry.after == {"user": "bawaslu.kaltim", "office": "BAWASLU-64"}
    assert (
        admin.post(
            f"/laporan/{report.receipt_code}/", {"action": "reveal", "reason": "x"}
        ).status_code
        == 403
    )
    shown = as_user("bawaslu.kaltim").post(
        f"/laporan/{report.receipt_code}/", {"action": "reveal", "reason": "klarifikasi saksi"}
    )
    assert NIK in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    # Officers without the capability cannot appoint.
    assert as_user("bawaslu.kaltim").get("/akun/kustodian/").status_code == 403


def test_appointing_refuses_a_non_bawaslu_office_with_a_clear_error(as_user):
    page = as_user("admin").post(
        "/akun/kustodian/",
        {"action": "appoint", "office": "BKD-64", "username": "bkd.kaltim", "reason": "x"},
    )
    assert page.status_code == 422
    assert "Bawaslu" in page.content.decode()
    assert not AuditEntry.objects.filter(action="custodian.appoint").exists()


def test_a_file_without_working_copy_opens_only_as_an_audited_original(client, form_data, as_user):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    client.post("/lapor/", {**form_data, "attachments": SimpleUploadedFile("scan.pdf", pdf)})
    report = Report.objects.latest("pk")
    evidence = report.evidence.get()
    officer = as_user("bawaslu.kukar")
    for word in ("kerja", "asli"):
        response = officer.get(f"/laporan/{report.receipt_code}/bukti/{evidence.pk}/{word}/")
        assert b"".join(response.streaming_content) == pdf
        assert "attachment" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="intake.evidence.open_original").count() == 2
    other = officer.get(f"/laporan/{report.receipt_code}/bukti/{evidence.pk}/lihat/")
    assert other.status_code == 404
    assert AuditEntry.objects.filter(action="intake.evidence.open_original").count() == 2


def test_officer_pages_are_never_stored(as_user):
    officer = as_user("bawaslu.kukar")
    for path in ("/laporan/", "/perkara/", "/dasbor/"):
        response = officer.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_the_django_admin_cannot_grant_revealing_silently():
    from django.contrib.admin import site

    from netral.accounts.admin import MembershipInline, RoleForm
    from netral.accounts.models import Membership, Role

    role = Role.objects.get(code="administrator")
    data = {"code": role.code, "name": role.name, "name_en": role.name_en, "scope": role.scope,
            "capabilities": '["*", "intake.reveal"]', "read_only": ""}  # fmt: skip
    form = RoleForm(data, instance=role)
    assert not form.is_valid()
    assert "capabilities" in form.errors
    field = MembershipInline(Membership, admin_site=site).formfield_for_foreignkey(
        Membership._meta.get_field("role"), request=None
    )
    assert "custodian" not in set(field.queryset.values_list("code", flat=True))
