"""Every role from each side: each persona sees exactly its own jurisdiction, nothing else."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp

from netral.accounts.queries import scope_for
from netral.accounts.services import create_api_token
from netral.core.models import AuditEntry
from netral.demo.seed import demo_totp_key
from netral.registry.models import Agency, CivilServant
from netral.registry.queries import visible_agencies, visible_civil_servants

pytestmark = pytest.mark.django_db

ALL = {"PROV-64", "KAB-64.02", "KOTA-64.71", "KAB-62.08"}
EXPECTED_AGENCIES = {
    "admin": ALL,
    "bawaslu.ri": ALL,
    "analis.bkn": ALL,
    "bawaslu.kaltim": {"PROV-64", "KAB-64.02", "KOTA-64.71"},
    "auditor.kaltim": {"PROV-64", "KAB-64.02", "KOTA-64.71"},
    "bawaslu.kukar": {"KAB-64.02"},
    "bawaslu.kalteng": {"KAB-62.08"},
    "bawaslu.sukamara": {"KAB-62.08"},
    "bkd.kaltim": {"PROV-64"},
    "bkpsdm.kukar": {"KAB-64.02"},
    "bkpsdm.sukamara": {"KAB-62.08"},
    "ppk.kukar": {"KAB-64.02"},
}


@pytest.mark.parametrize(("username", "agencies"), sorted(EXPECTED_AGENCIES.items()))
def test_each_persona_sees_exactly_its_own_agencies_and_civil_servants(
    personas, username, agencies
):
    scope = scope_for(personas[username])
    assert set(visible_agencies(scope).values_list("code", flat=True)) == agencies
    seen = visible_civil_servants(scope)
    assert seen.count() == CivilServant.objects.filter(agency__code__in=agencies).count()
    assert not seen.exclude(agency__code__in=agencies).exists()


def test_a_user_without_membership_sees_nothing(django_user_model):
    stranger = django_user_model.objects.create_user("charlie", password="x-very-long-1")
    scope = scope_for(stranger)
    assert scope.sees_nothing
    assert not visible_civil_servants(scope).exists()
    assert not scope.can("registry.view")


def test_capabilities_follow_the_role(personas):
    assert scope_for(personas["bkpsdm.kukar"]).can("registry.import")
    assert not scope_for(personas["bawaslu.kukar"]).can("registry.import")
    assert scope_for(personas["auditor.kaltim"]).read_only
    assert scope_for(personas["admin"]).can("anything.at_all")


def test_pages_and_api_follow_the_scope(as_user):
    sukamara_nip = CivilServant.objects.filter(agency__code="KAB-62.08").values_list(
        "nip", flat=True
    )[0]
    kukar_nip = CivilServant.objects.filter(agency__code="KAB-64.02").values_list("nip", flat=True)[
        0
    ]
    kukar = as_user("bawaslu.kukar")
    assert kukar.get(f"/registri/asn/{kukar_nip}/").status_code == 200
    assert kukar.get(f"/registri/asn/{sukamara_nip}/").status_code == 404
    assert kukar.get(f"/api/v1/registry/civil-servants/{sukamara_nip}").status_code == 404
    body = kukar.get("/api/v1/registry/agencies").json()
    assert [a["code"] for a in body["items"]] == ["KAB-64.02"]
    assert as_user("bawaslu.sukamara").get(f"/registri/asn/{sukamara_nip}/").status_code == 200


def test_officer_pages_require_the_second_factor(personas):
    client = Client()
    client.force_login(personas["bawaslu.kukar"])  # password only
    response = client.get("/registri/")
    assert response.status_code == 302
    assert response["Location"] == "/akun/otp/?next=%2Fregistri%2F"
    assert client.get("/api/v1/registry/agencies").status_code == 401


def test_login_with_password_then_totp(personas):
    client = Client()
    response = client.post(
        "/akun/masuk/", {"username": "bkpsdm.kukar", "password": "netral-demo-2024"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/otp/")
    code = f"{totp(demo_totp_key('bkpsdm.kukar')):06d}"
    ok = client.post("/akun/otp/", {"token": code, "next": "/registri/"})
    assert ok.status_code == 302
    assert ok["Location"] == "/registri/"
    assert client.get("/registri/").status_code == 200
    assert AuditEntry.objects.filter(action="login", actor=personas["bkpsdm.kukar"]).exists()


def test_a_wrong_code_keeps_the_officer_at_the_second_factor(personas):
    client = Client()
    client.post("/akun/masuk/", {"username": "bkd.kaltim", "password": "netral-demo-2024"})
    wrong = client.post("/akun/otp/", {"token": "000000", "next": "/registri/"})
    assert wrong.status_code == 200
    assert "Kode ini tidak sah" in wrong.content.decode()
    assert client.get("/registri/").status_code == 302
    code = f"{totp(demo_totp_key('bkd.kaltim')):06d}"
    too_soon = client.post("/akun/otp/", {"token": code, "next": "/registri/"})
    assert "Terlalu banyak kode salah" in too_soon.content.decode()


def test_login_is_throttled_after_repeated_failures(personas):
    client = Client()
    for _ in range(5):
        client.post("/akun/masuk/", {"username": "bkd.kaltim", "password": "wrong-password"})
    locked = client.post("/akun/masuk/", {"username": "bkd.kaltim", "password": "netral-demo-2024"})
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan" in locked.content.decode()


def test_api_token_is_limited_to_the_owners_scope_and_revocable(personas, as_user):
    owner = personas["bkpsdm.sukamara"]
    token, raw = create_api_token(user=owner, name="SIASN sync")
    assert raw not in token.digest
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    body = client.get("/api/v1/registry/agencies", **auth).json()
    assert [a["code"] for a in body["items"]] == ["KAB-62.08"]
    assert (
        client.get("/api/v1/registry/agencies", HTTP_AUTHORIZATION="Bearer ntr_x_y").status_code
        == 401
    )
    page = as_user("bkpsdm.sukamara").post(f"/akun/token/{token.pk}/cabut/")
    assert page.status_code == 302
    assert client.get("/api/v1/registry/agencies", **auth).status_code == 401
    actions = set(
        AuditEntry.objects.filter(object_id=str(token.pk)).values_list("action", flat=True)
    )
    assert actions == {"api_token.create", "api_token.revoke"}


def test_nobody_can_revoke_another_users_token(personas, as_user):
    token, _raw = create_api_token(user=personas["bkpsdm.sukamara"], name="x")
    assert as_user("bkpsdm.kukar").post(f"/akun/token/{token.pk}/cabut/").status_code == 404


def test_agency_in_scope_exists():
    assert Agency.objects.count() == 4


def test_a_report_is_read_by_its_office_and_by_the_reviewers_only_once_forwarded(
    client, form_data, as_user
):
    """Every persona against one Kukar report, before and after its case is forwarded: only
    the Kukar chain (and, once forwarded, the reviewing analysts) may open it."""
    from netral.cases.models import Case
    from netral.cases.tests.test_registration import ALL, _identified
    from netral.intake.models import ReportEvent
    from netral.intake.tests.test_reporting import _receipt

    code, _ = _receipt(client.post("/lapor/", _identified(form_data)).content.decode())
    as_user("bawaslu.kukar").post(f"/laporan/{code}/registrasi/", {"action": "register", **ALL})
    readers = {
        "bawaslu.kukar",
        "bawaslu.kaltim",
        "bawaslu.ri",
        "kustodian.kukar",
        "auditor.kaltim",
        "admin",
    }

    def who_reads() -> set[str]:
        opened = set()
        for username in (
            "bawaslu.kukar",
            "bawaslu.kaltim",
            "bawaslu.ri",
            "bawaslu.kalteng",
            "bawaslu.sukamara",
            "kustodian.kukar",
            "auditor.kaltim",
            "analis.bkn",
            "bkpsdm.kukar",
            "ppk.kukar",
            "admin",
        ):
            if as_user(username).get(f"/laporan/{code}/").status_code == 200:
                opened.add(username)
        return opened

    assert who_reads() == readers
    # The case is forwarded (its public stage reaches the report): the analysts read it too.
    ReportEvent.objects.create(report=Case.objects.get().sources.get().report, status="forwarded")
    assert who_reads() == readers | {"analis.bkn"}
