from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from netral.cases.models import Case
from netral.cases.services import CHECKLIST
from netral.core.models import AuditEntry
from netral.intake.models import Report
from netral.intake.tests.test_reporting import _receipt

pytestmark = pytest.mark.django_db

ALL = {f"check_{r.code}": "on" for r in CHECKLIST}


def _identified(form_data, **changes):
    return {
        **form_data,
        "identified": "1",
        "reporter_name": "Siti Aminah",
        "reporter_nik": "6402014506900001",
        "reporter_address": "Jl. Mawar 1",
        "reporter_phone": "081234567890",
        **changes,
    }


def test_register_a_formal_report_opens_a_case_the_reporter_sees(client, form_data, as_user):
    code, secret = _receipt(client.post("/lapor/", _identified(form_data)).content.decode())
    officer = as_user("bawaslu.kukar")
    page = officer.get(f"/laporan/{code}/registrasi/")
    assert page.status_code == 200
    response = officer.post(f"/laporan/{code}/registrasi/", {"action": "register", **ALL})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.number.startswith("BAWASLU-64.02/")
    assert case.office.code == "BAWASLU-64.02"
    assert case.violation_types.get().code == "online-campaign"
    assert Report.objects.get(receipt_code=code).status == "registered"
    status = client.post(
        "/lapor/status/", {"receipt_code": code, "secret": secret}
    ).content.decode()
    assert "Diregistrasi" in status
    assert case.number in status
    assert AuditEntry.objects.filter(action="case.register", object_id=str(case.pk)).exists()


def test_missing_requirements_refuse_registration_and_name_them(client, form_data, as_user):
    code, _ = _receipt(client.post("/lapor/", _identified(form_data)).content.decode())
    partial = {k: v for k, v in ALL.items() if k != "check_evidence"}
    response = as_user("bawaslu.kukar").post(
        f"/laporan/{code}/registrasi/", {"action": "register", **partial}
    )
    assert response.status_code == 422
    assert "Saksi atau bukti" in response.content.decode()
    assert Case.objects.count() == 0


def test_anonymous_tip_must_be_adopted_as_a_finding_first(client, form_data, as_user):
    code, _ = _receipt(client.post("/lapor/", form_data).content.decode())
    officer = as_user("bawaslu.kukar")
    refused = officer.post(f"/laporan/{code}/registrasi/", {"action": "register", **ALL})
    assert refused.status_code == 422
    officer.post(f"/laporan/{code}/registrasi/", {"action": "adopt", "text": "Informasi awal"})
    assert Report.objects.get(receipt_code=code).kind == "finding"
    done = officer.post(f"/laporan/{code}/registrasi/", {"action": "register", **ALL})
    assert done.status_code == 302
    assert Case.objects.count() == 1


def test_request_to_complete_and_rejection_reach_the_reporter(client, form_data, as_user):
    code, secret = _receipt(client.post("/lapor/", _identified(form_data)).content.decode())
    officer = as_user("bawaslu.kukar")
    officer.post(
        f"/laporan/{code}/registrasi/", {"action": "complete", "text": "Lampirkan tangkapan layar."}
    )
    report = Report.objects.get(receipt_code=code)
    assert report.status == "incomplete"
    status = client.post(
        "/lapor/status/", {"receipt_code": code, "secret": secret}
    ).content.decode()
    assert "Lampirkan tangkapan layar." in status
    assert "batas / due:" in status
    # "Do not register" cannot be undone: it asks once more, on a page that needs no script.
    asked = officer.post(
        f"/laporan/{code}/registrasi/",
        {"action": "reject", "text": "Bukan pelanggaran netralitas."},
    ).content.decode()
    assert 'id="confirm-form"' in asked
    assert 'name="action" value="reject"' in asked
    assert Report.objects.get(receipt_code=code).status != "rejected"
    officer.post(
        f"/laporan/{code}/registrasi/",
        {"action": "reject", "text": "Bukan pelanggaran netralitas.", "confirmed": "1"},
    )
    status = client.post(
        "/lapor/status/", {"receipt_code": code, "secret": secret}
    ).content.decode()
    assert "Bukan pelanggaran netralitas." in status
    assert Report.objects.get(receipt_code=code).status == "rejected"


def test_duplicates_are_listed_and_merged_each_reporter_keeps_a_receipt(
    client, form_data, photo, as_user
):
    first, first_secret = _receipt(
        client.post(
            "/lapor/", {**_identified(form_data), "attachments": SimpleUploadedFile("a.jpg", photo)}
        ).content.decode()
    )
    second, second_secret = _receipt(
        client.post(
            "/lapor/",
            {**_identified(form_data, submission_token="z" * 24, upload_token="y" * 24),
             "attachments": SimpleUploadedFile("b.jpg", photo)},
        ).content.decode()
    )  # fmt: skip
    officer = as_user("bawaslu.kukar")
    officer.post(f"/laporan/{first}/registrasi/", {"action": "register", **ALL})
    page = officer.get(f"/laporan/{second}/registrasi/").content.decode()
    assert first in page
    case = Case.objects.get()
    joined = officer.post(
        f"/laporan/{second}/registrasi/", {"action": "register", "join": case.pk, **ALL}
    )
    assert joined.status_code == 302
    assert Case.objects.count() == 1
    assert case.sources.count() == 2
    for code, secret in ((first, first_secret), (second, second_secret)):
        status = client.post("/lapor/status/", {"receipt_code": code, "secret": secret})
        assert case.number in status.content.decode()


def test_registration_is_for_the_responsible_office_only(client, form_data, as_user):
    code, _ = _receipt(client.post("/lapor/", _identified(form_data)).content.decode())
    assert as_user("bawaslu.sukamara").get(f"/laporan/{code}/registrasi/").status_code == 404
    assert as_user("kustodian.kukar").get(f"/laporan/{code}/registrasi/").status_code == 403


def test_officer_api_register_ask_reject_merge(client, form_data, as_user):
    from netral.cases.services import CHECKLIST as ITEMS

    code, _ = _receipt(client.post("/lapor/", _identified(form_data)).content.decode())
    other, _ = _receipt(
        client.post(
            "/lapor/", _identified(form_data, submission_token="q" * 24, upload_token="w" * 24)
        ).content.decode()
    )
    officer = as_user("bawaslu.kukar")
    asked = officer.post(f"/api/v1/reports/{code}/ask", {"text": "Siapa saksinya?"},
                         content_type="application/json")  # fmt: skip
    assert asked.status_code == 200
    partial = officer.post(f"/api/v1/reports/{code}/register", {"checklist": {"evidence": True}},
                           content_type="application/json")  # fmt: skip
    assert partial.status_code == 422
    assert partial.json()["errors"][0]["field"] == "checklist"
    full = {r.code: True for r in ITEMS}
    done = officer.post(f"/api/v1/reports/{code}/register", {"checklist": full},
                        content_type="application/json")  # fmt: skip
    assert done.status_code == 200
    assert done.json()["case_number"] == Case.objects.get().number
    merged = officer.post(f"/api/v1/reports/{other}/merge", {"into": code},
                          content_type="application/json")  # fmt: skip
    assert merged.json()["status"] == "merged"
    outsider = as_user("bawaslu.sukamara").post(
        f"/api/v1/reports/{code}/reject", {"text": "x"}, content_type="application/json"
    )
    assert outsider.status_code == 404
    empty = officer.post(
        f"/api/v1/reports/{code}/reject", {"text": ""}, content_type="application/json"
    )
    assert empty.status_code == 422


def test_registration_is_all_or_nothing(client, form_data, personas, monkeypatch):
    """register_report runs in its own transaction (its SELECT ... FOR UPDATE needs one on
    PostgreSQL, where the API called it outside any and answered 500, found by the chaos test):
    a failure after the case is written leaves no case, no number and the report unregistered."""
    from netral.cases import services
    from netral.cases.services import registration

    code, _ = _receipt(client.post("/lapor/", _identified(form_data)).content.decode())

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(registration, "mark_registered", broken)
    with pytest.raises(RuntimeError):
        services.register_report(
            report=Report.objects.get(receipt_code=code),
            officer=personas["bawaslu.kukar"],
            checklist={r.code: True for r in CHECKLIST},
        )
    assert Case.objects.count() == 0
    assert Report.objects.get(receipt_code=code).status != "registered"
