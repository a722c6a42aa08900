from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from netral.intake.models import Report

pytestmark = pytest.mark.django_db


def _payload(**changes):
    from conftest import recent

    base = {
        "violation_type": "banner",
        "election": "pilkada-2024",
        "accused": {"name": "Budi Santoso", "agency": "Pemerintah Kota Balikpapan"},
        "act_date": recent(3),
        "act_region": "64",
        "learned_date": recent(1),
        "description": "Memasang baliho calon di pagar rumah dinas.",
        "links": [],
        "evidence": [],
        "statement_true": True,
    }
    base.update(changes)
    return base


def test_create_with_an_upload_and_idempotency_key(client, photo):
    upload = client.post("/api/v1/reports/uploads", {"file": SimpleUploadedFile("a.jpg", photo)})
    assert upload.status_code == 201
    evidence_id = upload.json()["id"]
    headers = {"HTTP_IDEMPOTENCY_KEY": "client-123"}
    payload = _payload(evidence=[evidence_id])
    first = client.post("/api/v1/reports", payload, content_type="application/json", **headers)
    again = client.post("/api/v1/reports", payload, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert set(first.json()) == {"receipt_code", "secret", "status"}
    report = Report.objects.get()
    assert report.office.code == "BAWASLU-64.71"
    assert report.evidence.count() == 1


def test_status_answers_a_wrong_secret_like_an_unknown_code(client):
    receipt = client.post("/api/v1/reports", _payload(), content_type="application/json").json()
    ok = client.post("/api/v1/reports/status", receipt, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["status"] == "received"
    assert ok.json()["history"][0]["status"] == "received"
    wrong = client.post(
        "/api/v1/reports/status",
        {"receipt_code": receipt["receipt_code"], "secret": "X"},
        content_type="application/json",
    )
    unknown = client.post(
        "/api/v1/reports/status",
        {"receipt_code": "NTR-0000-0000", "secret": receipt["secret"]},
        content_type="application/json",
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"act_region": "99"}, "act_region"),
        ({"violation_type": "nope"}, "violation_type"),
        ({"accused": {"name": "A", "nip": "123"}}, "accused.nip"),
        ({"statement_true": False}, "statement_true"),
        ({"act_date": "2024-02-30"}, "act_date"),
        (
            {"reporter": {"name": "A", "nik": "1", "address": "B", "phone": "0812345678"}},
            "reporter.nik",
        ),
    ],
)
def test_validation_errors_name_the_field(client, change, field):
    response = client.post("/api/v1/reports", _payload(**change), content_type="application/json")
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Report.objects.count() == 0


def test_upload_type_and_size_errors(client, settings):
    bad = client.post("/api/v1/reports/uploads", {"file": SimpleUploadedFile("a.jpg", b"hello")})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "file"


def test_officer_list_is_scoped(client, as_user):
    client.post("/api/v1/reports", _payload(), content_type="application/json")
    balikpapan = as_user("bawaslu.kaltim").get("/api/v1/reports").json()["items"]
    assert len(balikpapan) == 1
    assert as_user("bawaslu.sukamara").get("/api/v1/reports").json()["items"] == []
    assert as_user("bkd.kaltim").get("/api/v1/reports").status_code == 403


def test_oversized_request_is_refused_before_reading(client, settings):
    settings.NETRAL_MAX_REQUEST_BYTES = 1000
    response = client.post(
        "/api/v1/reports/uploads",
        {"file": SimpleUploadedFile("big.jpg", b"x" * 5000)},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "file"
    page = client.post("/lapor/", {"x": "y" * 5000})
    assert page.status_code == 413


def test_public_form_page_weight_is_under_60_kb(client):
    from django.contrib.staticfiles import finders

    html = client.get("/lapor/").content
    assets = [b"netral/site.css", b"netral/pow.js", b"netral/suggest.js"]
    total = len(html)
    for asset in assets:
        if asset in html:
            path = finders.find(asset.decode())
            assert path, asset
            total += len(open(path, "rb").read())  # noqa: SIM115
    assert total < 60_000


def test_an_expired_idempotency_key_makes_a_new_report(client):
    """A key is remembered for a day: a submission after that is new, even before the purge."""
    from datetime import timedelta

    from django.utils import timezone

    from netral.intake.models import IdempotentSubmission
    from netral.intake.services import IDEMPOTENCY_WINDOW

    headers = {"HTTP_IDEMPOTENCY_KEY": "client-old"}
    first = client.post("/api/v1/reports", _payload(), content_type="application/json", **headers)
    IdempotentSubmission.objects.update(
        created_at=timezone.now() - IDEMPOTENCY_WINDOW - timedelta(minutes=1)
    )
    second = client.post("/api/v1/reports", _payload(), content_type="application/json", **headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["receipt_code"] != second.json()["receipt_code"]
    assert Report.objects.count() == 2
    assert IdempotentSubmission.objects.get().report.receipt_code == second.json()["receipt_code"]


def test_a_receipt_code_drawn_twice_is_drawn_again(client, monkeypatch):
    from netral.intake import services

    first = client.post("/api/v1/reports", _payload(), content_type="application/json").json()
    codes = iter([first["receipt_code"], "NTR-ZZZZ-ZZZZ"])
    monkeypatch.setattr(services, "new_receipt_code", lambda: next(codes))
    second = client.post("/api/v1/reports", _payload(), content_type="application/json")
    assert second.status_code == 201
    assert second.json()["receipt_code"] == "NTR-ZZZZ-ZZZZ"
    assert Report.objects.count() == 2


def test_a_constraint_other_than_the_key_or_the_code_is_not_retried(client, monkeypatch):
    """Only a taken receipt code is drawn again; any other integrity error surfaces as is."""
    from django.db import IntegrityError

    from netral.intake import services

    def broken(**kwargs):
        raise IntegrityError("FOREIGN KEY constraint failed")

    monkeypatch.setattr(services, "_create_report", broken)
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        services.submit_report(
            fields={}, identity=None, links=[], upload_tokens=[], idempotency_key="api:x"
        )


def test_behind_a_proxy_limits_count_the_address_the_proxy_saw_not_the_clients_words(
    client, settings
):
    """nginx appends the address it saw to X-Forwarded-For; what the client wrote before it
    neither breaks the limit (it once answered 500) nor lets the client pick a fresh counter."""
    from django.core.cache import cache

    cache.clear()
    settings.NETRAL_PROXY_COUNT = 1
    settings.NETRAL_RATE_RECEIPTS = "2/h"
    body = {"receipt_code": "NTR-0000-0000", "secret": "X" * 12}
    codes = [
        client.post(
            "/api/v1/reports/status",
            body,
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
        ).status_code
        for n in range(3)
    ]
    assert codes == [404, 404, 429]  # three forged first entries, one real address
    other = client.post(
        "/api/v1/reports/status",
        body,
        content_type="application/json",
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert other.status_code == 404  # another client behind the same proxy has its own count
    cache.clear()


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        ("", 1, "127.0.0.1"),
        ("203.0.113.9, 198.51.100.7", 1, "198.51.100.7"),
        ("203.0.113.9, 198.51.100.7", 2, "203.0.113.9"),
        ("198.51.100.7", 2, "127.0.0.1"),
        ("not-an-address", 1, "127.0.0.1"),
        ("203.0.113.9", 0, "127.0.0.1"),
    ],
)
def test_client_address_is_taken_from_the_trusted_end(rf, settings, forwarded, proxies, expected):
    from netral.core.clientip import client_ip

    settings.NETRAL_PROXY_COUNT = proxies
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == expected
