"""A partner system writes with its bearer token alone: no cookie, no CSRF token.

Every write endpoint of the API is called with a token under a client that enforces CSRF (as a
real browser-less client does): the permitted role succeeds, any other answers 401, 403, 404 or
422, and none answers a CSRF error. A browser session keeps its CSRF check.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from netral.accounts.services import create_api_token
from netral.cases.services import CHECKLIST
from netral.registry.models import CivilServant

pytestmark = pytest.mark.django_db


class Partner:
    """A system holding one officer's token, with no cookie and no CSRF token."""

    def __init__(self, user: Any) -> None:
        _token, raw = create_api_token(user=user, name="partner system")
        self.client = Client(enforce_csrf_checks=True)
        self.auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def post(self, url: str, body: dict[str, Any]) -> Any:
        response = self.client.post(url, body, content_type="application/json", **self.auth)
        assert b"CSRF" not in response.content, (url, response.content)
        return response


def _report(client: Client, n: int) -> str:
    from conftest import recent

    body = {
        "violation_type": "banner",
        "election": "pilkada-2024",
        "accused": {
            "name": f"Budi Santoso {n}",
            "agency": "Pemerintah Kabupaten Kutai Kartanegara",
        },
        "act_date": recent(3),
        "act_region": "64",
        "learned_date": recent(1),
        "description": "Memasang baliho calon di pagar rumah dinas.",
        "statement_true": True,
        "reporter": {
            "name": "Siti Aminah",
            "nik": "6402014506900001",
            "address": "Jl. Mawar 1",
            "phone": "081234567890",
        },
    }
    response = client.post("/api/v1/reports", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return str(response.json()["receipt_code"])


def test_officer_actions_on_reports_and_cases_with_a_token(personas, case_factory):
    officer = Partner(personas["bawaslu.kukar"])
    outsider = Partner(personas["bawaslu.sukamara"])
    reader = Partner(personas["auditor.kaltim"])
    public = Client(enforce_csrf_checks=True)
    first, second, third = (_report(public, n) for n in range(3))

    for action in ("ask", "complete"):
        url = f"/api/v1/reports/{first}/{action}"
        assert officer.post(url, {"text": "Siapa saksinya?"}).status_code == 200
        assert outsider.post(url, {"text": "x"}).status_code == 404
        assert reader.post(url, {"text": "x"}).status_code == 403
    assert (
        officer.post(f"/api/v1/reports/{third}/reject", {"text": "Bukan ASN."}).status_code == 200
    )
    full = {r.code: True for r in CHECKLIST}
    registered = officer.post(f"/api/v1/reports/{first}/register", {"checklist": full})
    assert registered.status_code == 200, registered.content
    assert (
        outsider.post(f"/api/v1/reports/{second}/register", {"checklist": full}).status_code == 404
    )
    assert officer.post(f"/api/v1/reports/{second}/merge", {"into": first}).status_code == 200

    case = case_factory()
    url = f"/api/v1/cases/{case.pk}/transitions/start_study"
    assert outsider.post(url, {"version": 1}).status_code == 404
    assert Partner(personas["analis.bkn"]).post(url, {"version": 1}).status_code == 403
    moved = officer.post(url, {"version": 1})
    assert moved.status_code == 200, moved.content
    assert moved.json()["state"] == "under_study"


def test_commitments_and_exports_with_a_token(personas):
    personnel = Partner(personas["bkpsdm.kukar"])
    foreign = Partner(personas["bkpsdm.sukamara"])
    official = Partner(personas["kadis.kukar"])
    heads = CivilServant.objects.filter(agency__code="KAB-64.02", is_head_of_unit=True)
    nips = list(heads.order_by("pk").values_list("nip", flat=True)[:2])

    pacts = {"election": "pilkada-2024", "agency": "KAB-64.02", "signed_on": "2024-09-30"}
    assert personnel.post("/api/v1/commitments/pacts", {**pacts, "nips": nips}).status_code == 201
    assert foreign.post("/api/v1/commitments/pacts", {**pacts, "nips": nips}).status_code == 422
    assert official.post("/api/v1/commitments/pacts", {**pacts, "nips": nips}).status_code == 403

    ceremony = {"election": "pilkada-2024", "agency": "KAB-64.02", "held_on": "2024-10-01",
                "place": "Pendopo", "led_by": "Sekda"}  # fmt: skip
    opened = personnel.post("/api/v1/commitments/pledges", ceremony)
    assert opened.status_code == 201
    attendance = f"/api/v1/commitments/pledges/{opened.json()['id']}/attendance"
    assert personnel.post(attendance, {"nips": nips}).json()["added"] == 2
    assert foreign.post(attendance, {"nips": nips}).status_code == 404

    event = {"election": "pilkada-2024", "region": "64.02", "title": "Sosialisasi netralitas",
             "held_on": "2024-10-02", "mode": "on_site", "place": "Aula"}  # fmt: skip
    assert personnel.post("/api/v1/commitments/events", event).status_code == 201
    assert official.post("/api/v1/commitments/events", event).status_code == 403

    circular = {"election": "pilkada-2024", "region": "64.02", "number": "P-1/2024",
                "issued_on": "2024-10-10", "issuer": "Bupati", "title": "Netralitas ASN",
                "document_base64": base64.b64encode(b"%PDF-1.4 edaran").decode()}  # fmt: skip
    assert personnel.post("/api/v1/commitments/circulars", circular).status_code == 201
    assert foreign.post("/api/v1/commitments/circulars", circular).status_code == 422

    export = {"source": "civil_servants", "format": "csv"}
    assert personnel.post("/api/v1/exports", export).status_code == 202
    assert official.post("/api/v1/exports", {"source": "cases", "format": "csv"}).status_code == 403


def test_a_bad_token_is_401_and_a_session_keeps_its_csrf_check(personas):
    bogus = Client(enforce_csrf_checks=True).post(
        "/api/v1/exports",
        {"source": "cases", "format": "csv"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer ntr_nope_nope",
    )
    assert bogus.status_code == 401
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    browser = Client(enforce_csrf_checks=True)
    user = personas["analis.bkn"]
    browser.force_login(user)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
    session.save()
    refused = browser.post(
        "/api/v1/exports", {"source": "cases", "format": "csv"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert b"CSRF" in refused.content
