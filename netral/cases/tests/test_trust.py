"""What users trusted and got wrong: the reporter's stages and outcome, the reviewing agency's
view of the file, the classifier's suggestion, transfers between offices, notifications."""

from __future__ import annotations

from datetime import date

import pytest

from netral.cases.models import Case, State
from netral.cases.services import Upload
from netral.cases.tests.test_registration import ALL, _identified
from netral.cases.tests.test_workflow import PDF, citations, step, walk_to
from netral.core.models import AuditEntry, Notification
from netral.intake.models import Report
from netral.intake.tests.test_reporting import _receipt

pytestmark = pytest.mark.django_db


def _registered(client, form_data, as_user, photo=None):
    """A formal report (with a photo when given) registered by Bawaslu Kukar: its case."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = _identified(form_data)
    if photo is not None:
        data["attachments"] = SimpleUploadedFile("foto.jpg", photo, content_type="image/jpeg")
    code, secret = _receipt(client.post("/lapor/", data).content.decode())
    as_user("bawaslu.kukar").post(f"/laporan/{code}/registrasi/", {"action": "register", **ALL})
    return Case.objects.get(), code, secret


def _status(client, code, secret):
    response = client.post(
        "/api/v1/reports/status",
        {"receipt_code": code, "secret": secret},
        content_type="application/json",
    )
    return response.json()


def test_the_reporter_follows_every_stage_once_to_a_proven_outcome(
    client, form_data, as_user, scopes
):
    case, code, secret = _registered(client, form_data, as_user)
    seen = []
    expected = [
        (State.UNDER_STUDY, "studying"),
        (State.FORWARDED, "forwarded"),
        (State.UNDER_VERIFICATION, "forwarded"),
        (State.RECOMMENDATION_ISSUED, "with_ppk"),
        (State.RECEIVED_BY_PPK, "with_ppk"),
        (State.EXAMINATION, "with_ppk"),
    ]
    assert _status(client, code, secret)["stage"] == "registered"
    for state, stage in expected:
        case = walk_to(case, scopes, state)
        status = _status(client, code, secret)
        assert status["stage"] == stage, state
        seen.append(stage)
    case = step(
        case,
        "decide",
        "ppk.kukar",
        scopes,
        date(2024, 10, 31),
        {
            "hearing_on": "2024-10-31",
            "decision_number": "SK-1",
            "decision_date": "2024-10-31",
            "sanction": "heavy-demotion",
        },
        [Upload("examination_report", "bap.pdf", PDF), Upload("decision", "sk.pdf", PDF + b" ")],
    )
    assert _status(client, code, secret)["stage"] == "decided"
    step(
        case,
        "report_follow_up",
        "bkpsdm.kukar",
        scopes,
        date(2024, 11, 1),
        {"report_number": "TL-1", "report_date": "2024-11-01"},
    )
    assert _status(client, code, secret)["stage"] == "follow_up"
    # The reporter can still answer until the case closes.
    html = client.post("/lapor/status/", {"receipt_code": code, "secret": secret})
    assert 'name="body"' in html.content.decode()
    step(case, "close", "analis.bkn", scopes, date(2024, 11, 4), {"note": ""})
    status = _status(client, code, secret)
    stages = [s["status"] for s in status["history"]]
    assert stages == [
        "received",
        "registered",
        "studying",
        "forwarded",
        "with_ppk",
        "decided",
        "follow_up",
        "sanctioned",
    ]
    assert status["stage"] == "sanctioned"
    assert status["closed"] is True
    assert status["history"][-1]["level"] == "heavy"
    page = client.post("/lapor/status/", {"receipt_code": code, "secret": secret})
    html = page.content.decode()
    assert 'id="status-now">Ditutup: pelanggaran terbukti, sanksi dijatuhkan<' in html
    assert "Tingkat sanksi: berat" in html
    assert "Penurunan jabatan" not in html  # the level, never the sanction's name
    assert "WITA" in html
    assert 'name="body"' not in html  # closed: no reply
    refused = client.post(
        "/lapor/status/", {"receipt_code": code, "secret": secret, "body": "Tambahan"}
    )
    assert refused.status_code == 409
    assert not Report.objects.get(receipt_code=code).messages.exists()


def test_not_proven_is_said_in_plain_words_with_the_public_reason(
    client, form_data, as_user, scopes
):
    case, code, secret = _registered(client, form_data, as_user)
    case = walk_to(case, scopes, State.UNDER_VERIFICATION)
    step(
        case,
        "not_proven",
        "analis.bkn",
        scopes,
        date(2024, 10, 18),
        {"reason": "Unggahan bukan milik terlapor."},
    )
    status = _status(client, code, secret)
    assert status["stage"] == "not_proven"
    assert status["history"][-1]["note"] == "Unggahan bukan milik terlapor."
    html = client.post("/lapor/status/", {"receipt_code": code, "secret": secret}).content
    assert "tidak terbukti" in html.decode()
    assert "Unggahan bukan milik terlapor." in html.decode()


def test_a_reason_for_the_reporter_given_on_adoption_reaches_them(client, form_data, as_user):
    code, secret = _receipt(client.post("/lapor/", form_data).content.decode())
    as_user("bawaslu.kukar").post(
        f"/laporan/{code}/registrasi/",
        {"action": "adopt", "text": "Laporan anonim kami tindak lanjuti sebagai temuan."},
    )
    status = _status(client, code, secret)
    assert status["stage"] == "adopted"
    assert status["history"][-1]["note"] == "Laporan anonim kami tindak lanjuti sebagai temuan."


def test_the_reviewing_agency_reads_the_forwarded_file_and_every_opening_is_audited(
    client, form_data, as_user, scopes, photo
):
    case, code, _secret = _registered(client, form_data, as_user, photo=photo)
    evidence = Report.objects.get(receipt_code=code).evidence.get()
    analyst = as_user("analis.bkn")
    report_url = f"/laporan/{code}/"
    working = f"/laporan/{code}/bukti/{evidence.pk}/kerja/"
    original = f"/laporan/{code}/bukti/{evidence.pk}/asli/"
    # Before forwarding, the file is Bawaslu's alone.
    assert analyst.get(report_url).status_code == 404
    assert analyst.get(working).status_code == 404
    case = walk_to(case, scopes, State.FORWARDED)
    page = analyst.get(report_url)
    assert page.status_code == 200
    assert "Siti" not in page.content.decode()  # nothing of the reporter's identity
    assert analyst.get(working).status_code == 200
    assert analyst.get(original).status_code == 200
    opened = AuditEntry.objects.filter(
        action="intake.review.open", object_id=str(Report.objects.get(receipt_code=code).pk)
    )
    assert opened.count() == 3
    assert AuditEntry.objects.filter(action="intake.evidence.open_original").count() == 1
    case_page = analyst.get(f"/perkara/{case.pk}/").content.decode()
    assert f'href="/laporan/{code}/"' in case_page
    assert "Unggahan ajakan memilih." in case_page  # the study
    letter = case.documents.get(kind="forwarding_letter")
    assert analyst.get(f"/perkara/{case.pk}/dokumen/{letter.pk}/").status_code == 200
    # Nobody else gains anything: the PPK sees no report, another Bawaslu office neither.
    assert as_user("ppk.kukar").get(report_url).status_code == 403
    assert as_user("bawaslu.sukamara").get(report_url).status_code == 404
    assert as_user("bawaslu.sukamara").get(working).status_code == 404


def test_the_recommend_step_shows_and_preselects_the_suggestion(client, form_data, as_user, scopes):
    case, _code, _secret = _registered(client, form_data, as_user)
    case = walk_to(case, scopes, State.UNDER_VERIFICATION)
    page = as_user("analis.bkn").get(f"/perkara/{case.pk}/").content.decode()
    assert 'id="suggestion"' in page
    assert 'id="suggested-track"' in page
    assert 'id="suggested-citations"' in page
    cited = page.split('id="suggested-citations"')[1].split("</ul>")[0]
    assert cited.count("SKB Netralitas ASN 2022, Lampiran") == 1
    assert "Pasal Lampiran" not in page
    assert 'name="recommend-track" value="discipline"' in page
    track_input = page.split('name="recommend-track" value="discipline"')[1].split(">")[0]
    assert "checked" in track_input
    for pk in citations(case):
        chunk = page.split(f'name="recommend-citations" value="{pk}"')[1].split(">")[0]
        assert "checked" in chunk


def test_a_case_passed_to_another_office_keeps_its_deadline_and_tells_that_office(
    client, form_data, as_user, scopes, django_capture_on_commit_callbacks
):
    case, code, secret = _registered(client, form_data, as_user)
    due = case.due_date
    with django_capture_on_commit_callbacks(execute=True):
        case = step(
            case,
            "transfer",
            "bawaslu.kukar",
            scopes,
            date(2024, 10, 15),
            {"office": "BAWASLU-62.08", "reason": "Terlapor ASN Sukamara."},
        )
    case.refresh_from_db()
    assert (case.office.code, case.region_id, case.regency_code) == (
        "BAWASLU-62.08",
        "62.08",
        "62.08",
    )
    assert case.due_date == due
    assert case.state == State.REGISTERED
    entry = AuditEntry.objects.filter(action="case.transfer").get()
    assert entry.reason == "Terlapor ASN Sukamara."
    assert entry.before["office"] != entry.after["office"]
    notified = set(
        Notification.objects.filter(key=f"case:{case.pk}:2").values_list(
            "user__username", flat=True
        )
    )
    assert "bawaslu.sukamara" in notified
    assert "bawaslu.kukar" not in notified
    assert Report.objects.get(receipt_code=code).office.code == "BAWASLU-62.08"
    assert _status(client, code, secret)["stage"] == "registered"  # receipt unchanged
    assert as_user("bawaslu.kukar").get(f"/perkara/{case.pk}/").status_code == 404
    assert as_user("bawaslu.sukamara").get(f"/perkara/{case.pk}/").status_code == 200
    # Once forwarded, a case is no longer passed on.
    case = step(case, "start_study", "bawaslu.sukamara", scopes, date(2024, 10, 16))
    sukamara = as_user("bawaslu.sukamara")
    transitions = f"/api/v1/cases/{case.pk}/transitions"
    assert "transfer" in [t["name"] for t in sukamara.get(transitions).json()]
    step(
        case,
        "forward",
        "bawaslu.sukamara",
        scopes,
        date(2024, 10, 17),
        {"violation_types": ["online-campaign"], "summary": "Kajian."},
    )
    assert "transfer" not in [t["name"] for t in sukamara.get(transitions).json()]


def test_one_notification_per_event_in_the_recipients_language_read_on_opening(
    client, form_data, as_user, personas, django_capture_on_commit_callbacks
):
    analyst = personas["analis.bkn"]
    analyst.language = "en"
    analyst.save()
    case, _code, _secret = _registered(client, form_data, as_user)
    officer = as_user("bawaslu.kukar")
    url = f"/api/v1/cases/{case.pk}/transitions"
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(f"{url}/start_study", {"version": 1}, content_type="application/json")
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(
            f"{url}/forward",
            {"version": 2, "inputs": {"violation_types": ["online-campaign"], "summary": "K"}},
            content_type="application/json",
        )
    mine = Notification.objects.filter(user=analyst)
    assert mine.count() == 1
    note = mine.get()
    assert note.subject == f"Case {case.number}: Forwarded to the reviewing agency"
    assert note.subject not in note.body
    assert "Next: Start the verification." in note.body
    assert "WITA" in note.body
    kaltim = Notification.objects.filter(user=personas["bawaslu.kaltim"]).order_by("id")
    assert kaltim.first().subject.startswith("Perkara ")  # Indonesian for the others
    # Every (user, event) pair once.
    pairs = list(Notification.objects.values_list("user_id", "key"))
    assert len(pairs) == len(set(pairs))
    reader = as_user("analis.bkn")
    reader.get(f"/perkara/{case.pk}/")
    assert not Notification.objects.filter(user=analyst, read_at__isnull=True).exists()


def test_the_language_a_user_chooses_is_remembered(as_user, personas):
    client = as_user("analis.bkn")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.get("/perkara/")
    personas["analis.bkn"].refresh_from_db()
    assert personas["analis.bkn"].language == "en"
