"""Pacts, pledges, events, circulars, coverage and public verification."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from netral.accounts.queries import scope_for
from netral.commitments import services
from netral.commitments.models import Pact, PledgeAttendance
from netral.commitments.queries import coverage
from netral.core.models import AuditEntry
from netral.demo.seed import demo_totp_key
from netral.registry.models import Agency, CivilServant
from netral.rules.models import Election

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilkada():
    return Election.objects.get(slug="pilkada-2024")


@pytest.fixture
def kukar():
    return Agency.objects.get(code="KAB-64.02")


def heads(agency, n=None):
    queryset = CivilServant.objects.filter(agency=agency, is_head_of_unit=True, is_active=True)
    return list(queryset.order_by("pk")[:n] if n else queryset.order_by("pk"))


def test_a_ceremony_records_many_pacts_with_pdfs_and_codes(
    pilkada, kukar, personas, as_user, django_capture_on_commit_callbacks
):
    officials = heads(kukar)
    assert len(officials) >= 5
    with django_capture_on_commit_callbacks(execute=True):
        result = services.record_ceremony(
            election=pilkada,
            agency=kukar,
            nips=[s.nip for s in officials],
            signed_on=date(2024, 9, 30),
            actor=personas["bkpsdm.kukar"],
            scans={officials[0].nip: b"%PDF-1.4 scan"},
        )
        # Signed and numbered at once; the PDFs are rendered after the commit, not inside it.
        assert result.problems == []
        assert len(result.pacts) == len(officials)
        waiting = Pact.objects.get(nip=officials[0].nip)
        assert not waiting.document
        assert waiting.document_sha256 == ""
        page = as_user("bkpsdm.kukar").get(f"/komitmen/pakta/{waiting.code}/").content.decode()
        assert "sedang disiapkan" in page
        assert f"/komitmen/pakta/{waiting.code}/pdf/" not in page
    pact = Pact.objects.get(nip=officials[0].nip)
    rendered = AuditEntry.objects.filter(action="commitments.pact_document")
    assert rendered.count() == len(officials)
    assert pact.document.open("rb").read().startswith(b"%PDF")
    assert len(pact.document_sha256) == 64
    assert pact.scan_sha256
    # Signed before the acting regent (Pjs) in office on that day, not the regent on leave.
    assert pact.before_title.startswith("Pjs Bupati")
    assert len({p.code for p in result.pacts}) == len(officials)


def test_a_ceremony_with_a_bad_row_saves_nothing_and_names_every_row(pilkada, kukar, personas):
    good = heads(kukar, 3)
    other = CivilServant.objects.filter(agency__code="KAB-62.08").first()
    result = services.record_ceremony(
        election=pilkada,
        agency=kukar,
        nips=[good[0].nip, "199901012020011999", other.nip, good[1].nip, good[0].nip],
        signed_on=date(2024, 9, 30),
        actor=personas["bkpsdm.kukar"],
    )
    assert [p.row for p in result.problems] == [2, 3, 5]
    assert not Pact.objects.exists()


def test_personal_signature_needs_a_fresh_totp_code(
    pilkada, kukar, personas, as_user, django_capture_on_commit_callbacks
):
    user = personas["bkpsdm.kukar"]
    user.civil_servant = heads(kukar, 1)[0]
    user.save()
    client = as_user("bkpsdm.kukar")
    wrong = client.post(
        "/komitmen/pakta/tandatangani/",
        {"election": "pilkada-2024", "token": "000000", "agree": "on"},
    )
    assert wrong.status_code == 422
    assert "tidak sah" in wrong.content.decode()
    assert not Pact.objects.exists()
    # A wrong code throttles the device for a moment (django-otp); the clock moves on.
    TOTPDevice.objects.filter(user=user).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    code = f"{totp(demo_totp_key('bkpsdm.kukar'), t0=0, step=30, digits=6):06d}"
    with django_capture_on_commit_callbacks(execute=True):
        signed = client.post(
            "/komitmen/pakta/tandatangani/",
            {"election": "pilkada-2024", "token": code, "agree": "on"},
        )
        assert signed.status_code == 302, signed.content.decode()[-2500:]
        pact = Pact.objects.get()
        # Before the task has rendered it, the download says so instead of failing.
        early = client.get(f"/komitmen/pakta/{pact.code}/pdf/", follow=True).content.decode()
        assert "sedang disiapkan" in early
    assert pact.mode == "personal"
    assert client.get(f"/komitmen/pakta/{pact.code}/pdf/").status_code == 200


def test_the_public_verification_shows_only_what_the_pact_certifies(
    pilkada, kukar, personas, client, django_capture_on_commit_callbacks
):
    official = heads(kukar, 1)[0]
    with django_capture_on_commit_callbacks(execute=True):
        pact = services.record_ceremony(
            election=pilkada,
            agency=kukar,
            nips=[official.nip],
            signed_on=date(2024, 9, 30),
            actor=personas["bkpsdm.kukar"],
        ).pacts[0]
    pact.refresh_from_db()
    page = client.get(f"/verifikasi/{pact.code}").content.decode()
    assert official.name in page
    assert pact.document_sha256 in page
    assert official.nip not in page  # the NIP holds the birth date: never public
    api = client.get(f"/api/v1/commitments/pacts/verify/{pact.code}").json()
    assert api["valid"] is True
    assert "nip" not in api
    services.revoke_pact(pact=pact, reason="Salah orang", actor=personas["admin"])
    assert client.get(f"/api/v1/commitments/pacts/verify/{pact.code}").json()["valid"] is False
    assert "Dicabut" in client.get(f"/verifikasi/{pact.code}").content.decode()
    assert client.get("/verifikasi/NOSUCHCODE").status_code == 404


def test_pledge_attendance_reports_the_bad_row_and_keeps_the_rest(pilkada, kukar, personas):
    ceremony = services.open_ceremony(
        election=pilkada,
        agency=kukar,
        held_on=date(2024, 10, 1),
        place="Halaman Kantor Bupati",
        led_by="Sekda",
        actor=personas["bkpsdm.kukar"],
    )
    servants = list(CivilServant.objects.filter(agency=kukar).order_by("pk")[:5])
    rows = [(i + 2, s.nip) for i, s in enumerate(servants)] + [(7, "12345")]
    result = services.record_attendance(
        ceremony=ceremony, nips=rows, method="upload", actor=personas["bkpsdm.kukar"]
    )
    assert result.added == 5
    assert [(p.row, p.nip) for p in result.problems] == [(7, "12345")]
    again = services.record_attendance(
        ceremony=ceremony, nips=rows[:2], method="list", actor=personas["bkpsdm.kukar"]
    )
    assert (again.added, again.already) == (0, 2)


def test_check_in_needs_the_code_shown_on_site_while_it_is_valid(pilkada, kukar, personas):
    ceremony = services.open_ceremony(
        election=pilkada,
        agency=kukar,
        held_on=timezone.localdate(),
        place="Aula",
        led_by="Sekda",
        actor=personas["bkpsdm.kukar"],
    )
    servant = CivilServant.objects.filter(agency=kukar).first()
    assert services.check_in(ceremony=ceremony, nip=servant.nip, code="WRONG1")
    later = ceremony.checkin_until + timedelta(minutes=1)  # the ceremony's day is over
    assert services.check_in(
        ceremony=ceremony, nip=servant.nip, code=ceremony.checkin_code, now=later
    )
    assert services.check_in(ceremony=ceremony, nip=servant.nip, code=ceremony.checkin_code) == ""
    assert PledgeAttendance.objects.filter(method="checkin").count() == 1


def test_coverage_counts_and_the_missing_list(
    pilkada, kukar, personas, as_user, django_capture_on_commit_callbacks
):
    officials = heads(kukar)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_ceremony(
            election=pilkada,
            agency=kukar,
            nips=[s.nip for s in officials[:4]],
            signed_on=date(2024, 9, 30),
            actor=personas["bkpsdm.kukar"],
        )
    result = coverage(pilkada, "64", scope_for(personas["bawaslu.kaltim"]))
    row = next(a for a in result.agencies if a.code == "KAB-64.02")
    assert (row.heads_signed, row.heads) == (4, len(officials))
    assert {a.code for a in result.agencies} == {"PROV-64", "KAB-64.02", "KOTA-64.71"}
    csv = as_user("bkpsdm.kukar").get("/komitmen/tanpa-pakta/?election=pilkada-2024&format=csv")
    lines = b"".join(csv.streaming_content).decode().strip().splitlines()
    assert len(lines) == 1 + len(officials) - 4
    api = (
        as_user("bawaslu.kaltim")
        .get("/api/v1/commitments/coverage?election=pilkada-2024&region=64")
        .json()
    )
    assert api["heads_with_pact"] == 4


def test_api_creates_pacts_all_or_nothing_and_scoped(pilkada, kukar, as_user):
    officials = heads(kukar, 2)
    client = as_user("bkpsdm.kukar")
    bad = client.post(
        "/api/v1/commitments/pacts",
        {
            "election": "pilkada-2024",
            "agency": "KAB-64.02",
            "signed_on": "2024-09-30",
            "nips": [officials[0].nip, "1"],
        },
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "nips.1"
    foreign = client.post(
        "/api/v1/commitments/pacts",
        {"election": "pilkada-2024", "agency": "KAB-62.08", "signed_on": "2024-09-30", "nips": []},
        content_type="application/json",
    )
    assert foreign.status_code == 422
    ok = client.post(
        "/api/v1/commitments/pacts",
        {
            "election": "pilkada-2024",
            "agency": "KAB-64.02",
            "signed_on": "2024-09-30",
            "nips": [s.nip for s in officials],
        },
        content_type="application/json",
    )
    assert ok.status_code == 201
    assert len(client.get("/api/v1/commitments/pacts").json()["items"]) == 2
    assert as_user("bkpsdm.sukamara").get("/api/v1/commitments/pacts").json()["items"] == []


def test_circulars_are_public_per_region(pilkada, as_user, client):
    pdf = base64.b64encode(b"%PDF-1.4 edaran").decode()
    created = as_user("bkpsdm.kukar").post(
        "/api/v1/commitments/circulars",
        {
            "election": "pilkada-2024",
            "region": "64.02",
            "number": "P-20/PKAP/800.1.10/10/2024",
            "issued_on": "2024-10-10",
            "issuer": "Bupati Kutai Kartanegara",
            "title": "Netralitas ASN dalam Pilkada 2024",
            "document_base64": pdf,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    page = client.get("/wilayah/64.02/komitmen/?election=pilkada-2024").content.decode()
    assert "P-20/PKAP/800.1.10/10/2024" in page
    listed = client.get("/api/v1/commitments/circulars?region=64.02").json()
    assert listed["items"][0]["number"] == "P-20/PKAP/800.1.10/10/2024"
    duplicate = as_user("bkpsdm.kukar").post(
        "/api/v1/commitments/circulars",
        {
            "election": "pilkada-2024",
            "region": "64.02",
            "number": "P-20/PKAP/800.1.10/10/2024",
            "issued_on": "2024-10-10",
            "issuer": "x",
            "title": "x",
            "document_base64": pdf,
        },
        content_type="application/json",
    )
    assert duplicate.status_code == 422


def test_lagging_agencies_are_reminded_once_a_week(personas):
    from netral.commitments.tasks import remind
    from netral.core.models import Notification

    election = Election.objects.get(slug="pilkada-2024")
    day = election.voting_day - timedelta(days=30)
    first = remind(day)
    assert first > 0
    assert Notification.objects.filter(user=personas["bkpsdm.kukar"]).count() == 1
    assert remind(day + timedelta(days=1)) == 0  # the same week
    assert remind(day + timedelta(days=7)) == first


def test_coverage_follows_the_registry_when_a_head_of_unit_changes(
    pilkada, kukar, personas, django_capture_on_commit_callbacks
):
    officials = heads(kukar)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_ceremony(
            election=pilkada,
            agency=kukar,
            nips=[s.nip for s in officials[:2]],
            signed_on=date(2024, 9, 30),
            actor=personas["bkpsdm.kukar"],
        )
    row = next(a for a in coverage(pilkada, "64.02").agencies if a.code == "KAB-64.02")
    assert (row.heads_signed, row.heads) == (2, len(officials))
    with django_capture_on_commit_callbacks(execute=True):
        replaced = officials[0]
        replaced.is_head_of_unit = False  # moved to a staff position: the pact no longer counts
        replaced.save()
    row = next(a for a in coverage(pilkada, "64.02").agencies if a.code == "KAB-64.02")
    assert (row.heads_signed, row.heads) == (1, len(officials) - 1)


def test_missing_list_of_one_agency_shows_coverage_per_unit(pilkada, kukar, personas, as_user):
    officials = heads(kukar)
    services.record_ceremony(
        election=pilkada,
        agency=kukar,
        nips=[officials[0].nip],
        signed_on=date(2024, 9, 30),
        actor=personas["bkpsdm.kukar"],
    )
    page = as_user("bkpsdm.kukar").get(
        f"/komitmen/tanpa-pakta/?election=pilkada-2024&agency={kukar.pk}"
    )
    html = page.content.decode()
    assert 'id="per-unit"' in html
    assert officials[0].unit.name in html
    assert officials[1].nip in html  # still missing
    assert officials[0].nip not in html.split('id="missing"')[1]


def test_each_agency_has_a_page_of_its_pacts_with_their_pdfs(as_user):
    from netral.demo.commitments import seed_commitments

    seed_commitments()
    officer = as_user("bkpsdm.kukar")
    overview = officer.get("/komitmen/?election=pilkada-2024").content.decode()
    assert "/komitmen/pakta/instansi/KAB-64.02/?election=pilkada-2024" in overview
    page = officer.get("/komitmen/pakta/instansi/KAB-64.02/?election=pilkada-2024")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="agency-pacts"' in html
    from netral.commitments.models import Pact

    pact = Pact.objects.filter(agency__code="KAB-64.02").first()
    assert pact is not None
    assert f"/komitmen/pakta/{pact.code}/" in html
    # The PDF link appears once the pact's PDF is rendered (after commit, by the worker).
    assert ("/pdf/" in html) == bool(pact.document)
    # Another jurisdiction's agency is not found.
    assert as_user("bkpsdm.sukamara").get("/komitmen/pakta/instansi/KAB-64.02/").status_code == 404
    # A page cursor in another script's digits ('²' passes str.isdigit) is ignored, not a 500.
    url = "/komitmen/pakta/instansi/KAB-64.02/?election=pilkada-2024&before=%C2%B2"
    assert officer.get(url).status_code == 200


def test_a_circular_sent_with_an_error_keeps_its_pdf(pilkada, as_user):
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    from netral.commitments.models import Circular

    officer = as_user("bkpsdm.kukar")
    pdf = SimpleUploadedFile("edaran.pdf", b"%PDF-1.4 edaran", content_type="application/pdf")
    first = officer.post(
        "/komitmen/edaran/",
        {
            "election": "pilkada-2024",
            "number": "P-21/2024",
            "issued_on": "",
            "issuer": "Bupati",
            "title": "Netralitas ASN",
            "document": pdf,
        },
    )
    assert first.status_code == 422
    html = first.content.decode()
    assert 'id="held-document"' in html
    token = re.search(r'name="held_token" value="([^"]+)"', html)
    assert token is not None
    second = officer.post(
        "/komitmen/edaran/",
        {
            "election": "pilkada-2024",
            "number": "P-21/2024",
            "issued_on": "2024-10-10",
            "issuer": "Bupati",
            "title": "Netralitas ASN",
            "held_token": token.group(1),
        },
    )
    assert second.status_code == 302
    circular = Circular.objects.get(number="P-21/2024")
    assert circular.document.read() == b"%PDF-1.4 edaran"
