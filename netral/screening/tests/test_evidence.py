"""Evidence of reports arriving in intake is screened on arrival (intake's event)."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from netral.intake.evidence import store_upload
from netral.intake.services import submit_report
from netral.screening.models import Post

from .test_ocr import tweet_png

pytestmark = pytest.mark.django_db


def _report(election, kind="report", token="e" * 24):
    today = timezone.localdate()
    return submit_report(
        fields={
            "kind": kind,
            "election": election,
            "accused_name": "Budi",
            "act_region_id": "64.02",
            "act_date": today - timedelta(days=2),
            "learned_date": today - timedelta(days=1),
            "description": "Guru ini menulis: ayo coblos nomor urut 2 #AgusDewi",
        },
        identity=None,
        links=["https://x.com/budi/status/9"],
        upload_tokens=[token],
        idempotency_key=f"k-{kind}",
    ).report


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")
def test_a_new_reports_text_and_screenshots_are_screened(
    profile, as_user, django_capture_on_commit_callbacks
):
    store_upload(
        SimpleUploadedFile("layar.png", tweet_png(["Salam 1 jari #RahmadSutrisno"])),
        upload_token="e" * 24,
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = _report(profile.election)
    posts = Post.objects.filter(report=report).order_by("pk")
    assert [p.source for p in posts] == ["evidence", "evidence"]
    assert all(p.flagged for p in posts)
    assert posts[1].screenshot_sha256
    assert {p.region_id for p in posts} == {report.region_id}
    # The report's office sees them in its queue; another province's does not.
    queue = as_user("bawaslu.kaltim").get("/api/v1/screening/queue?election=pilkada-2024")
    assert {p["id"] for p in queue.json()["items"]} >= {p.pk for p in posts}
    other = as_user("bawaslu.kalteng").get("/api/v1/screening/queue?election=pilkada-2024")
    assert other.json()["items"] == []


def test_findings_are_not_screened_again(profile, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _report(profile.election, kind="finding", token="f" * 24)
    assert not Post.objects.exists()
