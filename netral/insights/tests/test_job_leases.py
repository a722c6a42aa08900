"""A worker killed in the middle of an export leaves a failed job with a retry, never "running"."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from netral.core.models import AuditEntry
from netral.core.tests.processes import finish, hanging_worker, manage, wait_for
from netral.insights.models import ExportJob
from netral.insights.services import start_export as start
from netral.insights.tasks import sweep_stale_exports


@pytest.mark.django_db
def test_an_export_whose_lease_ran_out_is_failed_and_started_again(
    personas, as_user, settings, django_capture_on_commit_callbacks
):
    settings.NETRAL_JOB_LEASE_SECONDS = 120
    user = personas["bawaslu.kukar"]
    now = timezone.now()
    dead = ExportJob.objects.create(
        user=user,
        source="cases",
        format="csv",
        params={"language": "id"},
        status=ExportJob.Status.RUNNING,
        heartbeat_at=now - timedelta(seconds=121),
    )
    alive = ExportJob.objects.create(
        user=user,
        source="cases",
        format="csv",
        status=ExportJob.Status.RUNNING,
        heartbeat_at=now - timedelta(seconds=30),
    )
    assert sweep_stale_exports.call() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == ExportJob.Status.FAILED
    assert dead.finished_at is not None
    assert alive.status == ExportJob.Status.RUNNING  # a live worker keeps its job
    client = as_user("bawaslu.kukar")
    page = client.get(f"/ekspor/{dead.pk}/").content.decode()
    assert "Mulai ekspor lagi" in page
    assert 'http-equiv="refresh"' not in page  # nothing left to wait for
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/ekspor/{dead.pk}/ulangi/")
    again = ExportJob.objects.order_by("-id").first()
    assert response["Location"] == f"/ekspor/{again.pk}/"
    assert again.pk != dead.pk
    assert (again.source, again.format, again.params) == ("cases", "csv", {"language": "id"})
    assert again.status == ExportJob.Status.DONE  # the immediate backend ran it
    assert AuditEntry.objects.filter(action="insights.export", object_id=str(again.pk)).exists()
    # Someone else's failed export cannot be started by another user.
    assert as_user("bawaslu.kaltim").post(f"/ekspor/{dead.pk}/ulangi/").status_code == 404


def test_a_worker_killed_mid_export_leaves_a_failed_job_with_a_retry(process_db, settings):
    from conftest import verified_client
    from netral.accounts.models import User

    settings.NETRAL_JOB_LEASE_SECONDS = 2
    env = {**process_db.env, "NETRAL_JOB_LEASE_SECONDS": "2"}
    owner = User.objects.get(username="bawaslu.kukar")
    job = start(user=owner, source="cases", format="csv", params={})
    worker = hanging_worker(env, "netral.insights.exports.write_csv")
    try:
        first = wait_for(
            lambda: (
                ExportJob.objects.filter(pk=job.pk, status="running")
                .values_list("heartbeat_at", flat=True)
                .first()
            ),
            "the worker to take the export",
        )
        # While the worker lives, its lease is renewed although the export makes no progress.
        wait_for(lambda: ExportJob.objects.get(pk=job.pk).heartbeat_at > first, "a renewed lease")
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING  # what a dead worker leaves behind
    last = job.heartbeat_at
    time.sleep(2.5)
    job.refresh_from_db()
    assert job.heartbeat_at == last  # nobody renews it any more
    assert sweep_stale_exports.call() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    # The owner starts it again from the page; a healthy worker finishes it.
    client = verified_client(owner)
    assert "Mulai ekspor lagi" in client.get(f"/ekspor/{job.pk}/").content.decode()
    again_url = client.post(f"/ekspor/{job.pk}/ulangi/")["Location"]
    again = ExportJob.objects.get(pk=int(again_url.strip("/").split("/")[-1]))
    finish(manage(env, "db_worker", "--batch", "--interval", "0.1", "--no-startup-delay"))
    again.refresh_from_db()
    assert again.status == ExportJob.Status.DONE
    assert again.file.open("rb").read().startswith("Nomor perkara".encode("utf-8-sig"))
