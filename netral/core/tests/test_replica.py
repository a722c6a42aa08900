"""A real streaming replica beside a throwaway primary (PostgreSQL): dashboards, lists and exports
read the replica; an officer sees the case they just registered at once (read-your-writes).

The test starts both servers itself (``initdb``, ``pg_basebackup -R``, a second port), from a
copy of the seeded test database, and points this process's ``default`` and ``replica``
aliases at them. Pausing the replica's replay (``pg_wal_replay_pause``) makes "served from the
replica" visible: a page read there keeps showing the data as it was before the pause.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import resolve

from conftest import verified_client
from netral.cases.models import Case
from netral.core import routing
from netral.core.routing import REPLICA, WROTE_COOKIE
from netral.core.tests.replication import DATABASE, ReplicatedCluster, server_binaries


@pytest.fixture
def replicated_db(
    django_db_setup: Any, django_db_blocker: Any, settings: Any
) -> Iterator[ReplicatedCluster]:
    """The seeded test database copied to a new primary with a streaming replica; this
    process's ``default`` reads and writes the primary, ``replica`` reads the replica."""
    from django.db import connection, connections

    from netral.core import compiled, reference

    if connection.vendor != "postgresql":
        pytest.skip("the read replica is tested on PostgreSQL (DATABASE_URL=postgres://)")
    binaries = server_binaries()
    if binaries is None:
        message = "no PostgreSQL server binaries (apt-get install postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: cannot be skipped under CI")
        pytest.skip(message)
    # The test's own steps may take their time: the sticky window must not end on its own.
    settings.NETRAL_REPLICA_STICKY_SECONDS = 3600
    params = connection.settings_dict
    source = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"] or "postgres",
        "password": params.get("PASSWORD") or "",
        "dbname": params["NAME"],
    }
    saved = {key: params[key] for key in ("HOST", "PORT", "NAME", "USER", "PASSWORD")}
    cluster = ReplicatedCluster(binaries)
    with django_db_blocker.unblock():
        connection.close()
        try:
            cluster.start(source)
            params.update(
                HOST="127.0.0.1", PORT=str(cluster.primary), NAME=DATABASE, USER="postgres"
            )
            params["PASSWORD"] = ""
            connections.settings[REPLICA] = {**params, "PORT": str(cluster.replica)}
            compiled.forget()
            reference.forget()
            yield cluster
        finally:
            if REPLICA in connections.settings:
                connections[REPLICA].close()
                del connections[REPLICA]
                del connections.settings[REPLICA]
            connection.close()
            params.update(saved)
            compiled.forget()
            reference.forget()
            cluster.close()


def cases_figure(page: Any) -> int:
    assert page.status_code == 200
    found = re.search(r'id="fig-cases">(\d+)<', page.content.decode())
    assert found, page.content.decode()[:2000]
    return int(found.group(1))


def test_dashboards_read_the_replica_and_an_officer_sees_the_case_just_registered(
    replicated_db: ReplicatedCluster, form_data: dict[str, str]
) -> None:
    from netral.accounts.models import User
    from netral.cases.models import CaseReport
    from netral.cases.tests.test_registration import ALL, _identified
    from netral.insights.models import ExportJob
    from netral.intake.tests.test_reporting import _receipt

    cluster = replicated_db
    auditor = verified_client(User.objects.get(username="auditor.kaltim"))
    officer = verified_client(User.objects.get(username="bawaslu.kukar"))
    before = cases_figure(auditor.get("/dasbor/"))
    cluster.wait_replayed()
    cluster.pause_replay()

    # A citizen reports and the officer registers the report as a case: both on the primary.
    receipt = Client().post("/lapor/", _identified(form_data)).content.decode()
    code, _secret = _receipt(receipt)
    registered = officer.post(f"/laporan/{code}/registrasi/", {"action": "register", **ALL})
    assert registered.status_code == 302
    case = CaseReport.objects.select_related("case").get(report__receipt_code=code).case

    # Read-your-writes: the officer who just wrote reads their list from the primary.
    assert case.number in officer.get("/perkara/").content.decode()
    # The auditor wrote nothing: dashboard and list come from the paused replica, as before.
    assert cases_figure(auditor.get("/dasbor/")) == before
    assert case.number not in auditor.get("/perkara/").content.decode()
    # Once the officer's window after the write is over, their list reads the replica too.
    del officer.cookies[WROTE_COOKIE]
    assert case.number not in officer.get("/perkara/").content.decode()
    # An export builds its file from the replica; its job is written to the primary.
    started = auditor.post("/ekspor/", {"source": "cases", "format": "csv"})
    assert started.status_code == 302
    job = ExportJob.objects.filter(user__username="auditor.kaltim").latest("pk")
    assert job.status == ExportJob.Status.DONE
    with job.file.open("rb") as handle:
        assert case.number.encode() not in handle.read()

    lagging = auditor.get("/health").json()["checks"]["replica"]
    assert lagging["ok"]
    assert lagging["lag_seconds"] is None or lagging["lag_seconds"] >= 0

    cluster.resume_replay()
    cluster.wait_replayed()
    assert auditor.get("/health").json()["checks"]["replica"]["ok"]
    assert cases_figure(auditor.get("/dasbor/")) == before + 1
    assert case.number in auditor.get("/perkara/").content.decode()
    assert case.number in officer.get("/perkara/").content.decode()


# --- The router's choices, on either database (no replica server needed) -----------------------


@pytest.fixture
def with_replica(monkeypatch: Any) -> None:
    """Pretend a replica alias is configured (nothing here opens a connection to it)."""
    monkeypatch.setattr(routing, "replica_configured", lambda: True)


def _alias_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(routing.read_alias())


replica_view = routing.may_read_replica(_alias_view)


def test_without_a_replica_every_read_goes_to_the_primary() -> None:
    assert not routing.replica_configured()  # make run, and the test settings
    with routing.replica_reads():
        assert routing.read_alias() == "default"
        assert routing.ReplicaRouter().db_for_read(Case) == "default"


def test_only_marked_reads_go_to_the_replica(with_replica: None) -> None:
    router = routing.ReplicaRouter()
    assert router.db_for_read(Case) == "default"  # a form, a detail page, a background task
    with routing.replica_reads():
        assert router.db_for_read(Case) == REPLICA
        assert router.db_for_write(Case) == "default"
        with routing.replica_reads(False):
            assert router.db_for_read(Case) == "default"
        assert router.db_for_read(Case) == REPLICA
    assert router.db_for_read(Case) == "default"
    assert router.allow_migrate(REPLICA, "cases") is False
    assert router.allow_migrate("default", "cases") is None


def test_a_transaction_reads_the_primary(with_replica: None, monkeypatch: Any) -> None:
    from django.db import connections

    with routing.replica_reads():
        monkeypatch.setattr(connections["default"], "in_atomic_block", True)
        assert routing.read_alias() == "default"  # atomic blocks, select_for_update


def test_a_browser_that_just_wrote_reads_the_primary(with_replica: None, settings: Any) -> None:
    settings.NETRAL_REPLICA_STICKY_SECONDS = 10
    factory = RequestFactory()
    assert replica_view(factory.get("/dasbor/")).content == b"replica"
    assert replica_view(factory.head("/dasbor/")).content == b"replica"
    assert replica_view(factory.post("/dasbor/")).content == b"default"
    now = int(time.time())
    fresh = factory.get("/dasbor/", headers={"cookie": f"{WROTE_COOKIE}={now - 2}"})
    assert replica_view(fresh).content == b"default"
    old = factory.get("/dasbor/", headers={"cookie": f"{WROTE_COOKIE}={now - 3600}"})
    assert replica_view(old).content == b"replica"
    forged = factory.get("/dasbor/", headers={"cookie": f"{WROTE_COOKIE}=soon"})
    assert replica_view(forged).content == b"replica"
    assert routing.read_alias() == "default"  # the view's permission ends with it


@pytest.mark.parametrize(
    ("method", "status", "marks"),
    [
        ("post", 302, True),
        ("post", 200, True),
        ("delete", 204, True),
        ("post", 422, False),
        ("post", 500, False),
        ("get", 200, False),
    ],
)
def test_a_successful_write_marks_the_browser(
    with_replica: None, method: str, status: int, marks: bool
) -> None:
    middleware = routing.ReadYourWritesMiddleware(lambda request: HttpResponse(status=status))
    response = middleware(getattr(RequestFactory(), method)("/perkara/1/langkah/x/"))
    assert (WROTE_COOKIE in response.cookies) is marks
    if marks:
        cookie = response.cookies[WROTE_COOKIE]
        assert cookie["max-age"] == 10
        assert cookie["httponly"]
        assert abs(int(cookie.value) - time.time()) < 3600


def test_without_a_replica_no_browser_is_marked() -> None:
    middleware = routing.ReadYourWritesMiddleware(lambda request: HttpResponse(status=302))
    assert WROTE_COOKIE not in middleware(RequestFactory().post("/lapor/")).cookies


@pytest.mark.django_db
def test_the_pages_that_may_read_the_replica(personas: dict[str, Any]) -> None:
    """Dashboards, the transparency page and officer lists; never a form, a step or a detail."""
    replica_pages = [
        "/dasbor/",
        "/transparansi/",
        "/transparansi/csv/",
        "/perkara/",
        "/perkara/terlambat/",
        "/perkara/tindak-lanjut/",
        "/laporan/",
        "/registri/",
        "/registri/instansi/",
    ]
    primary_pages = [
        "/lapor/",
        "/laporan/X/registrasi/",
        "/laporan/X/",
        "/perkara/1/",
        "/perkara/1/langkah/forward/",
        "/perkara/calon/",
        "/ekspor/",
        "/tugas/",
        "/registri/asn/123/",
    ]
    for path in replica_pages:
        assert getattr(resolve(path).func, "reads_replica", False), path
    for path in primary_pages:
        assert not getattr(resolve(path).func, "reads_replica", False), path
