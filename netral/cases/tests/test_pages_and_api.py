"""The case pages and the /api/v1/cases contract, scoped by jurisdiction."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from netral.cases.models import Case, Reminder, State
from netral.cases.tasks import watch
from netral.core.models import Notification

pytestmark = pytest.mark.django_db


def test_officers_see_only_their_jurisdiction_in_list_and_api(case_factory, as_user):
    kukar = case_factory()
    sukamara = case_factory(office="BAWASLU-62.08", region="62.08", agency="KAB-62.08")
    listed = as_user("bawaslu.kukar").get("/api/v1/cases").json()
    assert [c["number"] for c in listed["items"]] == [kukar.number]
    assert as_user("bawaslu.kukar").get(f"/api/v1/cases/{sukamara.pk}").status_code == 404
    national = as_user("analis.bkn").get("/api/v1/cases").json()
    assert {c["number"] for c in national["items"]} == {kukar.number, sukamara.number}
    # The PPK side sees nothing before the recommendation: the accused is presumed innocent.
    assert as_user("bkpsdm.kukar").get("/api/v1/cases").json()["items"] == []
    page = as_user("bawaslu.kaltim").get("/perkara/")
    assert kukar.number in page.content.decode()
    assert sukamara.number not in page.content.decode()


def test_list_is_keyset_paginated_and_filterable(case_factory, as_user):
    cases = [case_factory() for _ in range(5)]
    client = as_user("bawaslu.kukar")
    first = client.get("/api/v1/cases?limit=2").json()
    assert [c["id"] for c in first["items"]] == [cases[4].pk, cases[3].pk]
    second = client.get(f"/api/v1/cases?limit=2&cursor={first['next_cursor']}").json()
    assert [c["id"] for c in second["items"]] == [cases[2].pk, cases[1].pk]
    Case.objects.update(due_date=timezone.localdate() + timedelta(days=30))
    Case.objects.filter(pk=cases[0].pk).update(due_date=date(2024, 1, 1))
    overdue = client.get("/api/v1/cases?overdue=true").json()["items"]
    assert [c["id"] for c in overdue] == [cases[0].pk]
    assert client.get("/api/v1/cases?state=nonsense").status_code == 422


def test_api_transitions_answer_403_409_and_422_as_the_contract_says(case_factory, as_user):
    case = case_factory()
    officer = as_user("bawaslu.kukar")
    names = [t["name"] for t in officer.get(f"/api/v1/cases/{case.pk}/transitions").json()]
    assert names == ["start_study", "identify_accused", "transfer"]
    assert as_user("analis.bkn").get(f"/api/v1/cases/{case.pk}/transitions").json() == []
    url = f"/api/v1/cases/{case.pk}/transitions"
    forbidden = as_user("analis.bkn").post(
        f"{url}/start_study", {"version": 1}, content_type="application/json"
    )
    assert forbidden.status_code == 403
    jump = officer.post(
        f"{url}/recommend", {"version": 1, "inputs": {}}, content_type="application/json"
    )
    assert jump.status_code == 409
    ok = officer.post(f"{url}/start_study", {"version": 1}, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["state"] == "under_study"
    stale = officer.post(
        f"{url}/dismiss", {"version": 1, "inputs": {"reason": "x"}}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert "Reload" in stale.json()["detail"] or "Muat ulang" in stale.json()["detail"]
    invalid = officer.post(
        f"{url}/forward", {"version": 2, "inputs": {}}, content_type="application/json"
    )
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json()["errors"]} == {"violation_types", "summary"}
    study = base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()
    forwarded = officer.post(
        f"{url}/forward",
        {
            "version": 2,
            "inputs": {"violation_types": ["online-campaign"], "summary": "Kajian"},
            "documents": [{"kind": "study", "name": "kajian.pdf", "content_base64": study}],
        },
        content_type="application/json",
    )
    assert forwarded.status_code == 200, forwarded.json()
    timeline = officer.get(f"/api/v1/cases/{case.pk}/timeline").json()
    assert [e["transition"] for e in timeline] == ["register", "start_study", "forward"]
    detail = officer.get(f"/api/v1/cases/{case.pk}").json()
    assert {d["kind"] for d in detail["documents"]} == {"study", "forwarding_letter"}
    assert detail["reviewing_agency"].startswith("Badan Kepegawaian")


def test_a_failed_step_on_the_page_keeps_what_was_typed(case_factory, as_user):
    case = case_factory()
    officer = as_user("bawaslu.kukar")
    officer.post(f"/perkara/{case.pk}/langkah/start_study/", {"start_study-version": "1"})
    response = officer.post(
        f"/perkara/{case.pk}/langkah/forward/",
        {"forward-version": "2", "forward-summary": "Hasil kajian yang panjang"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Hasil kajian yang panjang" in html
    assert "wajib" in html  # "... is required", in Indonesian
    stale = officer.post(
        f"/perkara/{case.pk}/langkah/request_study_info/",
        {"request_study_info-version": "1", "request_study_info-request": "Saksi"},
    )
    assert stale.status_code == 409
    assert "Saksi" in stale.content.decode()
    page = officer.get(f"/perkara/{case.pk}/")
    assert "Teruskan ke instansi pemeriksa" in page.content.decode()


def test_the_next_party_is_told_in_the_app_and_by_email(
    case_factory, as_user, personas, django_capture_on_commit_callbacks
):
    personas["analis.bkn"].email = "ratna@bkn.example"
    personas["analis.bkn"].save()
    case = case_factory()
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
    analyst = Notification.objects.filter(user=personas["analis.bkn"])
    assert analyst.count() == 1
    assert case.number in analyst.get().subject
    assert ["ratna@bkn.example"] in [m.to for m in mail.outbox]
    # Bawaslu Kaltim was told of the study (the step before); nobody is told twice.
    assert len(mail.outbox) == Notification.objects.count()


def test_deadline_watch_reminds_escalates_and_never_twice(case_factory, personas):
    today = timezone.localdate()
    soon = case_factory()
    Case.objects.filter(pk=soon.pk).update(due_date=today)
    late = case_factory()
    Case.objects.filter(pk=late.pk).update(due_date=today - timedelta(days=3))
    first = watch(today)
    assert first["due_today"] == 1
    assert first["escalated"] == 1
    late.refresh_from_db()
    assert late.overdue_since == today
    notified = Notification.objects.count()
    assert notified > 0
    # Bawaslu Kaltim, the office above Kukar's, hears of the overdue case.
    assert Notification.objects.filter(
        user=personas["bawaslu.kaltim"], key__endswith=":escalated"
    ).exists()
    second = watch(today)
    assert second == {"due_soon": 0, "due_today": 0, "escalated": 0}
    assert Notification.objects.count() == notified
    assert Reminder.objects.count() == 2


def test_the_reporter_sees_the_stage_never_the_details(client, form_data, as_user):
    from netral.cases.tests.test_registration import ALL, _identified
    from netral.intake.tests.test_reporting import _receipt

    code, secret = _receipt(client.post("/lapor/", _identified(form_data)).content.decode())
    officer = as_user("bawaslu.kukar")
    officer.post(f"/laporan/{code}/registrasi/", {"action": "register", **ALL})
    case = Case.objects.get()
    url = f"/api/v1/cases/{case.pk}/transitions"
    officer.post(f"{url}/start_study", {"version": 1}, content_type="application/json")
    officer.post(
        f"{url}/dismiss",
        {"version": 2, "inputs": {"reason": "Terlapor bukan ASN."}},
        content_type="application/json",
    )
    status = client.post("/lapor/status/", {"receipt_code": code, "secret": secret})
    html = status.content.decode()
    assert "Ditutup: tidak ditemukan pelanggaran netralitas ASN" in html
    assert "Terlapor bukan ASN." in html
    assert State.NOT_VIOLATION not in html


def test_notifications_page_lists_and_marks_read(personas, as_user):
    from netral.core.notify import notify

    notify(
        users=[personas["analis.bkn"]], key="k1", subject="Perkara X: Diteruskan", url="/perkara/"
    )
    client = as_user("analis.bkn")
    home = client.get("/perkara/").content.decode()
    assert 'class="badge">1<' in home
    page = client.get("/pemberitahuan/").content.decode()
    assert "Perkara X: Diteruskan" in page
    client.post("/pemberitahuan/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_page_answers_409_to_a_resent_step_with_other_inputs(case_factory, as_user):
    case = case_factory()
    officer = as_user("bawaslu.kukar")
    officer.post(f"/perkara/{case.pk}/langkah/start_study/", {"start_study-version": "1"})
    url = f"/perkara/{case.pk}/langkah/request_study_info/"
    sent = {"request_study_info-version": "2", "request_study_info-request": "Salinan unggahan"}
    assert officer.post(url, sent).status_code == 302
    assert officer.post(url, sent).status_code == 302  # the same, resent: done once
    other = {**sent, "request_study_info-request": "Keterangan saksi"}
    conflict = officer.post(url, other)
    assert conflict.status_code == 409
    assert "Keterangan saksi" in conflict.content.decode()  # what was typed is kept
    assert case.events.filter(transition="request_study_info").count() == 1
