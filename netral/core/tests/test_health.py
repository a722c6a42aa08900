from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from netral.core.models import ScheduledRun, WorkerHeartbeat
from netral.core.scheduler import enqueue_due

pytestmark = pytest.mark.django_db


def test_health_is_unhealthy_without_a_worker_heartbeat(client):
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is False


def test_health_is_ok_after_the_worker_ran_the_heartbeat(client):
    enqueue_due()  # the immediate backend runs the heartbeat task at once in tests
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_stale_heartbeat_is_unhealthy(client, settings):
    WorkerHeartbeat.objects.create(
        name="default",
        last_seen=timezone.now() - timedelta(seconds=settings.NETRAL_WORKER_STALE_SECONDS + 5),
    )
    assert client.get("/health").status_code == 503


def test_scheduler_enqueues_each_period_once(settings):
    settings.NETRAL_PERIODIC_TASKS = [("netral.core.tasks.heartbeat", 60)]
    now = timezone.now()
    assert enqueue_due(now) == ["netral.core.tasks.heartbeat"]
    assert enqueue_due(now) == []  # same period: nothing twice
    assert enqueue_due(now + timedelta(seconds=60)) == ["netral.core.tasks.heartbeat"]
    assert ScheduledRun.objects.count() == 2
