"""Commitments, exports and candidacy write to their own audit chains (per province where they
have one), not to the single global chain; every chain still verifies with its checkpoints."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from netral.cases.candidacy import record_candidacy
from netral.commitments import services as commitments
from netral.core import audit
from netral.core.models import AuditCheckpoint, AuditEntry
from netral.core.scope import Scope
from netral.insights.models import ExportJob
from netral.insights.services import start_export
from netral.regions.models import Region
from netral.registry.models import Agency, CivilServant
from netral.rules.models import Election

pytestmark = pytest.mark.django_db


def test_one_helper_chooses_the_chain():
    assert audit.stream_for("intake", office_id=7) == "office:7"
    assert audit.stream_for("commitments", region="64.02.01") == "commitments:64"
    assert audit.stream_for("commitments", region="") == "commitments"
    assert audit.stream_for("exports", scope=Scope(region_codes=frozenset({"64", "64.02"}))) == (
        "exports:64"
    )
    assert audit.stream_for("exports", scope=Scope(region_codes=frozenset({"64", "62"}))) == (
        "exports"
    )
    assert audit.stream_for("exports", scope=Scope(national=True)) == "exports"


def test_commitments_exports_and_candidacy_leave_the_global_chain_and_verify(
    personas: dict[str, Any], settings: Any, capsys: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NETRAL_AUDIT_CHECKPOINT_EVERY = 2  # checkpoints are signed within this test
    pilkada = Election.objects.get(slug="pilkada-2024")
    kukar = Agency.objects.get(code="KAB-64.02")
    sukamara = Agency.objects.get(code="KAB-62.08")
    for agency, actor in ((kukar, "bkpsdm.kukar"), (sukamara, "bkpsdm.sukamara")):
        ceremony = commitments.open_ceremony(
            election=pilkada,
            agency=agency,
            held_on=date(2024, 10, 1),
            place="Halaman",
            led_by="Sekda",
            actor=personas[actor],
        )
        nips = CivilServant.objects.filter(agency=agency).order_by("pk")[:2]
        commitments.record_attendance(
            ceremony=ceremony,
            nips=[(i, s.nip) for i, s in enumerate(nips, start=1)],
            method="list",
            actor=personas[actor],
        )
    commitments.record_circular(
        election=pilkada,
        region=Region.objects.get(code=kukar.region_id),
        number="P-1/2024",
        issued_on=date(2024, 10, 10),
        issuer="Bupati",
        title="Netralitas ASN",
        document=commitments.Upload("edaran.pdf", b"%PDF-1.4 edaran"),
        actor=personas["bkpsdm.kukar"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = start_export(user=personas["bawaslu.kukar"], source="cases", format="csv", params={})
    record_candidacy(
        election=pilkada,
        civil_servant=CivilServant.objects.filter(agency=kukar).order_by("-pk")[0],
        registered_on=date(2024, 8, 27),
        resigned_on=None,
        decree="",
        actor=personas["bkpsdm.kukar"],
    )
    streams = dict(
        AuditEntry.objects.filter(
            action__in=[
                "commitments.ceremony",
                "commitments.attendance",
                "commitments.circular",
                "insights.export",
                "cases.candidacy",
            ]
        ).values_list("action", "stream")
    )
    assert set(
        AuditEntry.objects.filter(action="commitments.ceremony").values_list("stream", flat=True)
    ) == {"commitments:64", "commitments:62"}
    assert streams["commitments.circular"] == "commitments:64"
    assert streams["insights.export"] == "exports:64"
    assert streams["cases.candidacy"] == "candidacy:64"
    assert not AuditEntry.objects.filter(stream=audit.GLOBAL_STREAM).exists()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE  # enqueued once the job row was committed
    # Each new chain is signed and verifies, by the helper and by the command.
    assert AuditCheckpoint.objects.filter(stream="commitments:64").exists()
    assert AuditCheckpoint.objects.filter(stream="commitments:62").exists()
    count, breaks = audit.verify_all()
    assert breaks == []
    assert count >= 4
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_an_export_whose_audit_entry_fails_leaves_no_job_and_runs_nothing(
    personas: dict[str, Any], monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(audit, "record", broken)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        start_export(user=personas["bawaslu.kukar"], source="cases", format="csv", params={})
    assert not ExportJob.objects.exists()
    assert callbacks == []
