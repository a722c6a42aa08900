"""One door per state change: the pages and the API record events, circulars and attendance
through the same services, each in one transaction with its audit entry on the province's chain."""

from __future__ import annotations

import base64
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from netral.commitments import services
from netral.commitments.models import (
    Circular,
    EventAttendance,
    EventMaterial,
    PledgeAttendance,
    SocialisationEvent,
)
from netral.core import audit
from netral.core.models import AuditEntry, HeldFile
from netral.core.scope import Scope
from netral.registry.models import Agency, CivilServant
from netral.rules.models import Election

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 edaran"


@pytest.fixture
def pilkada() -> Election:
    return Election.objects.get(slug="pilkada-2024")


def _files() -> list[Path]:
    """The files in the default storage (the test's own directory)."""
    from django.core.files.storage import storages

    root = Path(storages.create_storage(settings.STORAGES["default"]).path(""))
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _entry(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def test_the_region_of_an_event_or_circular_follows_one_rule(personas):
    kukar = Agency.objects.get(code="KAB-64.02")
    two_regions = Scope(region_codes=frozenset({"64.02", "62"}))
    assert services.jurisdiction_region(two_regions).code == "62"  # the first code
    assert services.jurisdiction_region(two_regions, "62.08").code == "62.08"  # covered
    assert services.jurisdiction_region(two_regions, "64.01") is None  # not covered
    assert services.jurisdiction_region(two_regions, "99.99") is None  # no such region
    by_agency = Scope(agency_ids=frozenset({kukar.pk}))
    assert services.jurisdiction_region(by_agency).code == kukar.region_id
    assert services.jurisdiction_region(by_agency, kukar.region_id).code == kukar.region_id
    assert services.jurisdiction_region(by_agency, "62.08") is None


def test_an_event_from_the_page_and_from_the_api_is_recorded_alike(pilkada, as_user):
    officer = as_user("bawaslu.kukar")
    page = officer.post(
        "/komitmen/sosialisasi/",
        {
            "election": "pilkada-2024",
            "title": "Sosialisasi netralitas",
            "held_on": "2024-09-10",
            "mode": "on_site",
            "place": "Aula Kantor Bupati",
        },
    )
    assert page.status_code == 302, page.content.decode()[-2000:]
    from_page = SocialisationEvent.objects.get(title="Sosialisasi netralitas")
    answer = officer.post(
        "/api/v1/commitments/events",
        {
            "election": "pilkada-2024",
            "region": "64.02",
            "title": "Sosialisasi daring",
            "held_on": "2024-09-11",
            "mode": "on_site",
            "place": "Aula Kantor Bupati",
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.json()
    from_api = SocialisationEvent.objects.get(pk=answer.json()["id"])
    assert from_page.region_id == from_api.region_id == "64.02"
    for event in (from_page, from_api):
        entry = AuditEntry.objects.get(action="commitments.event", object_id=str(event.pk))
        assert entry.stream == "commitments:64"
        assert entry.actor_id == event.created_by_id
    outside = officer.post(
        "/api/v1/commitments/events",
        {
            "election": "pilkada-2024",
            "region": "62.08",
            "title": "x",
            "held_on": "2024-09-11",
            "mode": "on_site",
        },
        content_type="application/json",
    )
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["field"] == "region"


def test_an_event_whose_audit_entry_fails_leaves_nothing(pilkada, personas, monkeypatch):
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(audit, "record", broken)
    before = _files()
    with pytest.raises(RuntimeError):
        services.record_event(
            election=pilkada,
            region=Agency.objects.get(code="KAB-64.02").region,
            title="Tidak tercatat",
            held_on=date(2024, 9, 10),
            mode="on_site",
            place="Aula",
            target_agencies=Agency.objects.filter(code="KAB-64.02"),
            material=services.Upload("materi.pdf", PDF),
            actor=personas["bawaslu.kukar"],
        )
    assert not SocialisationEvent.objects.filter(title="Tidak tercatat").exists()
    assert not EventMaterial.objects.exists()
    assert _files() == before  # the material's file went with its row


def test_a_circular_from_the_page_and_from_the_api_is_recorded_alike(pilkada, as_user):
    officer = as_user("bkpsdm.kukar")
    page = officer.post(
        "/komitmen/edaran/",
        {
            "election": "pilkada-2024",
            "number": "P-1/2024",
            "issued_on": "2024-10-10",
            "issuer": "Bupati",
            "title": "Netralitas ASN",
            "document": SimpleUploadedFile("edaran.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert page.status_code == 302
    answer = officer.post(
        "/api/v1/commitments/circulars",
        {
            "election": "pilkada-2024",
            "region": "64.02",
            "number": "P-2/2024",
            "issued_on": "2024-10-10",
            "issuer": "Bupati",
            "title": "Netralitas ASN",
            "document_base64": base64.b64encode(PDF).decode(),
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.json()
    first, second = Circular.objects.filter(number__in=["P-1/2024", "P-2/2024"]).order_by("number")
    assert first.region_id == second.region_id == "64.02"
    assert first.sha256 == second.sha256
    assert first.document.read() == second.document.read() == PDF
    assert len(_files()) == 2
    for circular in (first, second):
        entry = AuditEntry.objects.get(action="commitments.circular", object_id=str(circular.pk))
        assert entry.stream == "commitments:64"
    # The same number again: refused by both doors, on the number.
    again = officer.post(
        "/komitmen/edaran/",
        {
            "election": "pilkada-2024",
            "number": "P-2/2024",
            "issued_on": "2024-10-10",
            "issuer": "Bupati",
            "title": "x",
            "document": SimpleUploadedFile("edaran.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert again.status_code == 422
    assert "sudah tercatat" in again.content.decode()
    duplicate = officer.post(
        "/api/v1/commitments/circulars",
        {
            "election": "pilkada-2024",
            "region": "64.02",
            "number": "P-1/2024",
            "issued_on": "2024-10-10",
            "issuer": "x",
            "title": "x",
            "document_base64": base64.b64encode(PDF).decode(),
        },
        content_type="application/json",
    )
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"][0]["field"] == "number"
    assert Circular.objects.count() == 2


def test_a_circular_whose_audit_entry_fails_leaves_no_row_and_no_file(
    pilkada, personas, monkeypatch
):
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(audit, "record", broken)
    before = _files()
    with pytest.raises(RuntimeError):
        services.record_circular(
            election=pilkada,
            region=Agency.objects.get(code="KAB-64.02").region,
            number="P-9/2024",
            issued_on=date(2024, 10, 10),
            issuer="Bupati",
            title="Netralitas ASN",
            document=services.Upload("edaran.pdf", PDF),
            actor=personas["bkpsdm.kukar"],
        )
    assert not Circular.objects.exists()
    assert _files() == before


def test_event_attendance_is_audited_on_the_province_chain_and_all_or_nothing(
    pilkada, personas, monkeypatch
):
    kukar = Agency.objects.get(code="KAB-64.02")
    event = services.record_event(
        election=pilkada,
        region=kukar.region,
        title="Sosialisasi",
        held_on=date(2024, 9, 10),
        mode="on_site",
        place="Aula",
        actor=personas["bawaslu.kukar"],
    )
    servants = list(CivilServant.objects.filter(agency=kukar).order_by("pk")[:3])
    rows = [(i, s.nip) for i, s in enumerate(servants, start=1)] + [(4, "12345")]
    added, problems = services.record_event_attendance(
        event=event, nips=rows, actor=personas["bawaslu.kukar"]
    )
    assert added == 3
    assert [(p.row, p.nip) for p in problems] == [(4, "12345")]
    entry = _entry("commitments.event_attendance")
    assert (entry.stream, entry.after) == ("commitments:64", {"rows": 3})

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(audit, "record", broken)
    other = list(CivilServant.objects.filter(agency=kukar).order_by("pk")[3:5])
    with pytest.raises(RuntimeError):
        services.record_event_attendance(
            event=event, nips=[(1, s.nip) for s in other], actor=personas["bawaslu.kukar"]
        )
    assert EventAttendance.objects.filter(event=event).count() == 3


def test_pledge_attendance_from_the_page_and_the_api_is_recorded_alike(pilkada, as_user):
    kukar = Agency.objects.get(code="KAB-64.02")
    officer = as_user("bkpsdm.kukar")
    opened = officer.post(
        "/api/v1/commitments/pledges",
        {
            "election": "pilkada-2024",
            "agency": "KAB-64.02",
            "held_on": "2024-10-01",
            "place": "Halaman",
            "led_by": "Sekda",
        },
        content_type="application/json",
    )
    assert opened.status_code == 201
    ceremony = opened.json()["id"]
    servants = list(CivilServant.objects.filter(agency=kukar).order_by("pk")[:4])
    page = officer.post(f"/komitmen/ikrar/{ceremony}/", {"nips": servants[0].nip})
    assert page.status_code == 200
    answer = officer.post(
        f"/api/v1/commitments/pledges/{ceremony}/attendance",
        {"nips": [servants[1].nip, servants[0].nip]},
        content_type="application/json",
    )
    assert answer.json() == {"added": 1, "already": 1, "errors": []}
    entries = AuditEntry.objects.filter(action="commitments.attendance").order_by("id")
    assert [(e.stream, e.after["added"]) for e in entries] == [
        ("commitments:64", 1),
        ("commitments:64", 1),
    ]
    assert PledgeAttendance.objects.filter(ceremony_id=ceremony).count() == 2


def test_the_attendance_file_is_kept_after_an_error(pilkada, as_user):
    """Issue 19: like /lapor/ and the decide step, the list upload keeps its file."""
    kukar = Agency.objects.get(code="KAB-64.02")
    officer = as_user("bkpsdm.kukar")
    ceremony = services.open_ceremony(
        election=pilkada,
        agency=kukar,
        held_on=date(2024, 10, 1),
        place="Halaman",
        led_by="Sekda",
        actor=None,
    )
    servants = list(CivilServant.objects.filter(agency=kukar).order_by("pk")[:3])
    listed = "nip\n" + "".join(f"{s.nip}\n" for s in servants) + "12345\n"
    first = officer.post(
        f"/komitmen/ikrar/{ceremony.pk}/",
        {"file": SimpleUploadedFile("hadir.csv", listed.encode(), content_type="text/csv")},
    )
    assert first.status_code == 422
    html = first.content.decode()
    assert 'id="held-file"' in html
    assert "hadir.csv" in html
    token = re.search(r'name="held_token" value="([^"]+)"', html)
    assert token is not None
    assert ceremony.attendance.count() == 3  # the good rows are recorded
    # Sent again without choosing the file: the kept file is read again (the bad row stays).
    second = officer.post(f"/komitmen/ikrar/{ceremony.pk}/", {"held_token": token.group(1)})
    assert second.status_code == 422
    assert "12345" in second.content.decode()
    # A typed list is taken as typed, not replaced by the kept file.
    typed = officer.post(
        f"/komitmen/ikrar/{ceremony.pk}/", {"held_token": token.group(1), "nips": "999"}
    )
    assert typed.status_code == 422
    assert "baris 1 · 999" in typed.content.decode()
    assert "12345" not in typed.content.decode()
    # A corrected file replaces it; once it succeeds nothing is held any more.
    fixed = "nip\n" + "".join(f"{s.nip}\n" for s in servants)
    third = officer.post(
        f"/komitmen/ikrar/{ceremony.pk}/",
        {
            "held_token": token.group(1),
            "file": SimpleUploadedFile("hadir.csv", fixed.encode(), content_type="text/csv"),
        },
    )
    assert third.status_code == 200
    assert not HeldFile.objects.filter(token=token.group(1)).exists()
    assert ceremony.attendance.count() == 3


def test_an_unreadable_event_list_keeps_its_file(pilkada, as_user, personas):
    event = services.record_event(
        election=pilkada,
        region=Agency.objects.get(code="KAB-64.02").region,
        title="Sosialisasi",
        held_on=date(2024, 9, 10),
        mode="on_site",
        place="Aula",
        actor=personas["bawaslu.kukar"],
    )
    answer = as_user("bawaslu.kukar").post(
        f"/komitmen/sosialisasi/{event.pk}/",
        {"file": SimpleUploadedFile("peserta.csv", b"nama\nBudi\n", content_type="text/csv")},
    )
    assert answer.status_code == 422
    assert 'id="held-file"' in answer.content.decode()
    assert not EventAttendance.objects.filter(event=event).exists()
