"""Workers and schedulers on several machines: real processes sharing one PostgreSQL server."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from netral.core.models import ScheduledRun
from netral.core.scheduler import enqueue_due
from netral.core.tests.processes import finish, manage, record_run


def test_two_workers_never_run_one_task_twice(process_db, tmp_path):
    log = tmp_path / "runs.log"
    for n in range(60):
        record_run.enqueue(n=n, path=str(log))
    workers = [
        manage(process_db.env, "db_worker", "--batch", "--interval", "0.1", "--no-startup-delay")
        for _ in range(2)
    ]
    for worker in workers:
        finish(worker)
    runs = [line.split() for line in log.read_text().splitlines()]
    assert Counter(int(n) for n, _pid in runs) == Counter(range(60))  # each once, none twice
    assert {pid for _n, pid in runs} == {str(w.pid) for w in workers}  # both took a share
    results = DBTaskResult.objects.filter(task_path=record_run.module_path)
    assert set(results.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert results.values("worker_ids").distinct().count() == 2


def test_two_schedulers_racing_enqueue_each_periodic_task_once_per_period(process_db):
    now = datetime(2026, 12, 5, 22, 30, 7, tzinfo=UTC)
    barrier = threading.Barrier(2)
    found: list[list[str]] = []

    def scheduler() -> None:
        try:
            barrier.wait()
            found.append(enqueue_due(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    paths = [path for path, _seconds in settings.NETRAL_PERIODIC_TASKS]
    assert sorted(found[0] + found[1]) == sorted(paths)  # each once, by one or the other
    assert ScheduledRun.objects.count() == len(paths)
    queued = Counter(DBTaskResult.objects.values_list("task_path", flat=True))
    assert queued == Counter(paths)


def test_two_scheduler_processes_enqueue_as_many_tasks_as_periods(process_db):
    schedulers = [manage(process_db.env, "run_scheduler", "--once") for _ in range(2)]
    outputs = [finish(s) for s in schedulers]
    runs = Counter(ScheduledRun.objects.values_list("task_path", flat=True))
    queued = Counter(DBTaskResult.objects.values_list("task_path", flat=True))
    assert queued == runs  # one task per (task, period) row, whichever process took it
    enqueued = Counter(line.split()[1] for out in outputs for line in out.splitlines())
    assert enqueued == runs
    daily = [path for path, seconds in settings.NETRAL_PERIODIC_TASKS if seconds == 86400]
    assert all(runs[path] == 1 for path in daily)


@pytest.mark.django_db
def test_the_period_row_is_unique_per_task_and_period():
    start = datetime(2026, 12, 5, 22, 0, tzinfo=UTC)
    ScheduledRun.objects.create(task_path="x.y", period_start=start)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledRun.objects.create(task_path="x.y", period_start=start)
