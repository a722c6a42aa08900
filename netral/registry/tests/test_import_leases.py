"""A worker killed in the middle of an import leaves a failed job with a retry, never "running"."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from netral.core.models import AuditEntry
from netral.core.tests.processes import finish, hanging_worker, manage, wait_for
from netral.registry.models import CivilServant, ImportJob
from netral.registry.services import start_import
from netral.registry.tasks import sweep_stale_imports
from netral.registry.tests.test_import import GOOD_1, GOOD_2, HEADER

CSV = "\n".join([HEADER, GOOD_1, GOOD_2]).encode() + b"\n"


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("asn.csv", CSV, content_type="text/csv")


@pytest.mark.django_db
def test_an_import_whose_lease_ran_out_is_failed_and_its_kept_file_imported_again(
    personas, as_user, settings, django_capture_on_commit_callbacks
):
    settings.NETRAL_JOB_LEASE_SECONDS = 120
    owner = personas["bkpsdm.kukar"]
    job = start_import(actor=owner, upload=_upload(), language="id", allowed_agencies=None)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(seconds=121)
    )
    assert sweep_stale_imports.call() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    client = as_user("bkpsdm.kukar")
    page = client.get(f"/registri/impor/{job.pk}/").content.decode()
    assert "Mulai impor lagi" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/registri/impor/{job.pk}/ulangi/")
    again = ImportJob.objects.order_by("-id").first()
    assert response["Location"] == f"/registri/impor/{again.pk}/"
    assert again.status == ImportJob.Status.DONE
    assert again.imported_rows == 2
    assert again.source.name == job.source.name  # the kept file, not a copy
    assert again.sha256 == job.sha256
    retry = AuditEntry.objects.get(action="registry.import.retry", object_id=str(again.pk))
    assert retry.after["retry_of"] == job.pk
    # A job that is not failed is not started twice; another user's job is not theirs.
    client.post(f"/registri/impor/{again.pk}/ulangi/")
    assert ImportJob.objects.count() == 2
    assert as_user("bkd.kaltim").post(f"/registri/impor/{job.pk}/ulangi/").status_code in {
        403,
        404,
    }


def test_a_worker_killed_mid_import_leaves_a_failed_job_with_a_retry(process_db, settings):
    from conftest import verified_client
    from netral.accounts.models import User

    settings.NETRAL_JOB_LEASE_SECONDS = 2
    env = {**process_db.env, "NETRAL_JOB_LEASE_SECONDS": "2"}
    owner = User.objects.get(username="bkpsdm.kukar")
    job = start_import(actor=owner, upload=_upload(), language="id", allowed_agencies=None)
    worker = hanging_worker(env, "netral.registry.tasks.import_civil_servants")
    try:
        wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, status="running").exists(),
            "the worker to take the import",
        )
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    time.sleep(2.5)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING  # what a dead worker leaves behind
    assert sweep_stale_imports.call() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    client = verified_client(owner)
    assert "Mulai impor lagi" in client.get(f"/registri/impor/{job.pk}/").content.decode()
    location = client.post(f"/registri/impor/{job.pk}/ulangi/")["Location"]
    again = ImportJob.objects.get(pk=int(location.strip("/").split("/")[-1]))
    finish(manage(env, "db_worker", "--batch", "--interval", "0.1", "--no-startup-delay"))
    again.refresh_from_db()
    assert again.status == ImportJob.Status.DONE
    assert CivilServant.objects.filter(nip__in=[GOOD_1[:18], GOOD_2[:18]]).count() == 2
