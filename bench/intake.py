"""Benchmark: report submissions over HTTP, the app's endpoint against a bare one.

    python bench/intake.py [--database sqlite|postgresql|both] [--requests N]
                           [--concurrency C] [--rounds R] [--warmup W] [--postgres-url URL]
                           [--cache-url redis://...] [--profile]

For each database the script

1. creates a fresh database (a file in a temporary directory for SQLite; a new database
   ``<BENCH_DB_PREFIX>_intake_<pid>`` on the ``--postgres-url`` server for PostgreSQL) and prepares
   it like a deployment: ``migrate``, ``createcachetable``, ``load_regions``, ``load_rules`` and
   the demo seed (offices for routing, agencies, civil servants);
2. starts gunicorn (2 sync workers, production settings: no DEBUG, rate-limit counters in the
   ``core_counter`` table as without Redis, or in the Redis of ``--cache-url`` as with
   ``NETRAL_CACHE_URL``, fresh secret and identity keys) on a free port of
   127.0.0.1, serving the app's URLs plus two routes that exist only in this benchmark
   (see ``wsgi_application``), plain Django + django-ninja views that validate the same
   ``ReportIn`` schema:
   ``POST /bench/bare-writes`` makes the writes no submission can do without (the rate-limit
   count, then in one transaction the report, its idempotency key, its first history entry
   and the hash-chained audit entry) and nothing else: the same writes without the app's
   code, the issue's yardstick;
   ``POST /bench/bare-report`` inserts the same ``Report`` row with one
   ``Report.objects.create`` (no rate limit, form, idempotency, event, audit entry or
   encryption), for information;
3. drives the endpoints with the same JSON body (anonymous report, no files, a unique
   ``Idempotency-Key`` per request) from C client threads, W warm-up requests each and then
   N measured requests each, split into R rounds whose order alternates so that a growing
   database or a noisy neighbour affects all alike;
   then submits ``--form-requests`` reports through the public form ``/lapor/`` as a browser
   does: each person's form page fetched, its proof of work solved and one photo chosen
   beforehand (not timed), then the multipart POST with the photo (timed), whose figures are
   printed beside the API's;
4. stops gunicorn, checks that every 201 left exactly one row, counts the SQL queries of one
   request of each endpoint (in-process, Django test client), and drops the database.

It prints one table (submissions/s, p50 and p99 latency, CPU time of the gunicorn workers per
submission from /proc, SQL queries per request) and the target of the issue: app/bare-writes
submissions/s of at least 0.8 on both databases. Client, workers and database share the
machine's CPUs, so wall-clock figures move with anything else running; the worker CPU column
(PostgreSQL's own processes excluded) is the steadier measure of the work per submission.
The app/bare-report ratio is printed for information. The exit status is 1 when a target is
missed or a run fails. Everything stays on 127.0.0.1; the load is bounded by N and by
``--time-cap`` seconds per batch. ``--profile`` adds a cProfile of each endpoint
(in-process, on stderr).
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import http.client
import io
import json
import os
import pstats
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import types
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import (  # noqa: E402
    DEFAULT_POSTGRES_URL,
    create_postgres_database,
    drop_postgres_database,
    log,
    percentile,
)

TARGET_RATIO = 0.8
WORKERS = 2
APP_PATH = "/api/v1/reports"
BARE_PATH = "/bench/bare-report"
WRITES_PATH = "/bench/bare-writes"
ENDPOINTS = {"app": APP_PATH, "bare": BARE_PATH, "writes": WRITES_PATH}
URLCONF_MODULE = "bench.intake_urls"  # built in memory by install_bench_urls(); not a file


def payload() -> dict[str, Any]:
    """One anonymous report without files, routed through the agency to BAWASLU-64.71."""
    today = date.today()
    return {
        "violation_type": "banner",
        "election": "pilkada-2024",
        "accused": {"name": "Budi Santoso", "agency": "Pemerintah Kota Balikpapan"},
        "act_date": (today - timedelta(days=3)).isoformat(),
        "act_place": "Jalan Jenderal Sudirman",
        "act_region": "64",
        "learned_date": (today - timedelta(days=1)).isoformat(),
        "description": "Memasang baliho calon di pagar rumah dinas.",
        "links": [],
        "evidence": [],
        "statement_true": True,
    }


# --- Server side: the app's URLs plus the bare endpoint (runs inside the gunicorn workers) -----


def _bare_api() -> Any:
    """A NinjaAPI with the two comparison routes: the app's row inserted the plainest way
    Django allows, and the same row with the other writes a submission must make."""
    from django.db import transaction
    from django.http import HttpRequest
    from ninja import NinjaAPI
    from ninja.responses import Status

    from netral.core import audit
    from netral.core.ratelimit import over_limit
    from netral.intake.api import ReceiptOut, ReportIn
    from netral.intake.models import IdempotentSubmission, Report, ReportEvent
    from netral.intake.services import (
        agency_for_text,
        bawaslu_office_for,
        new_receipt_code,
        new_secret,
        secret_digest,
    )
    from netral.registry.models import Agency, Office
    from netral.rules.models import Election, ViolationType

    api = NinjaAPI(
        title="Netral intake benchmark (bare)",
        urls_namespace="bench-bare",
        docs_url=None,
        openapi_url=None,
    )
    # Reference rows looked up once per process: what the app reads per request, the bare
    # endpoint reads once, so the difference between both is the app's own work.
    violation_types: dict[str, int | None] = {}
    elections: dict[str, int | None] = {}
    agencies: dict[str, Agency | None] = {}
    offices: dict[str | None, Office | None] = {}

    def insert(payload: ReportIn) -> tuple[Report, str]:
        if payload.violation_type not in violation_types:
            found = ViolationType.objects.filter(code=payload.violation_type).first()
            violation_types[payload.violation_type] = found.pk if found else None
        if payload.election not in elections:
            election = Election.objects.filter(slug=payload.election).first()
            elections[payload.election] = election.pk if election else None
        agency_text = payload.accused.agency.strip().lower()
        if agency_text not in agencies:
            agencies[agency_text] = agency_for_text(agency_text)
        agency = agencies[agency_text]
        region_code = agency.region_id if agency else payload.act_region
        if region_code not in offices:
            offices[region_code] = bawaslu_office_for(region_code)
        office = offices[region_code]
        secret = new_secret()
        report = Report.objects.create(
            receipt_code=new_receipt_code(),
            secret_digest=secret_digest(secret),
            office=office,
            region_id=office.region_id if office else None,
            election_id=elections[payload.election],
            violation_type_id=violation_types[payload.violation_type],
            accused_name=payload.accused.name,
            accused_nip=payload.accused.nip,
            accused_agency_text=payload.accused.agency,
            accused_position=payload.accused.position,
            accused_agency=agency,
            act_date=payload.act_date,
            act_place=payload.act_place,
            act_region_id=payload.act_region,
            learned_date=payload.learned_date,
            description=payload.description,
            anonymous=payload.reporter is None,
            statement_true=payload.statement_true,
        )
        return report, secret

    def bare_report(request: HttpRequest, payload: ReportIn) -> Any:
        report, secret = insert(payload)
        receipt = {"receipt_code": report.receipt_code, "secret": secret, "status": report.status}
        return Status(201, receipt)

    def bare_writes(request: HttpRequest, payload: ReportIn) -> Any:
        """The writes a submission cannot do without, and nothing else: the rate-limit count,
        then in one transaction the report, its idempotency key, its first history entry and
        the hash-chained audit entry (no form, no memo, no encryption, no late check)."""
        limited = over_limit(request, "NETRAL_RATE_REPORTS", "bench.writes")
        if limited is not None:
            return limited
        with transaction.atomic():
            report, secret = insert(payload)
            key = request.headers.get("Idempotency-Key", "")[:80]
            IdempotentSubmission.objects.create(key=f"bench:{key}", report=report, response=b"")
            ReportEvent.objects.create(report=report, status=Report.Status.RECEIVED)
            audit.record(
                action="bench.report.submit",
                obj=report,
                after={"receipt_code": report.receipt_code, "office": report.office_id},
                stream=f"office:{report.office_id}",
            )
        receipt = {"receipt_code": report.receipt_code, "secret": secret, "status": report.status}
        return Status(201, receipt)

    # Annotations are strings here (PEP 563) naming this function's imports, which ninja cannot
    # resolve from the module's globals: hand it the classes.
    for view in (bare_report, bare_writes):
        view.__annotations__.update(request=HttpRequest, payload=ReportIn)
    api.post("/bare-report", response={201: ReceiptOut})(bare_report)
    api.post("/bare-writes", response={201: ReceiptOut})(bare_writes)
    return api


def install_bench_urls() -> None:
    """Serve netral.urls plus ``/bench/bare-report``, without touching netral/ on disk.

    The URLconf is a module built in memory and registered in ``sys.modules``; the settings
    stay netral.settings except for ROOT_URLCONF, which names it. Call after django.setup().
    """
    from django.conf import settings
    from django.urls import clear_url_caches, path

    import netral.urls

    module = types.ModuleType(URLCONF_MODULE, "netral.urls plus the benchmark's bare endpoint")
    module.urlpatterns = [*netral.urls.urlpatterns, path("bench/", _bare_api().urls)]  # type: ignore[attr-defined]
    for name in ("handler403", "handler404", "handler500"):
        setattr(module, name, getattr(netral.urls, name))
    sys.modules[URLCONF_MODULE] = module
    settings.ROOT_URLCONF = URLCONF_MODULE
    clear_url_caches()


def wsgi_application() -> Any:
    """gunicorn factory: ``gunicorn 'bench.intake:wsgi_application()'``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netral.settings")
    import django

    django.setup(set_prefix=False)
    install_bench_urls()
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# --- Children: prepare and inspect one database (own process: settings are read once) ---------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netral.settings")
    import django

    django.setup()


def child_prepare() -> dict[str, Any]:
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from netral.demo.seed import seed

    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_regions", verbosity=0, stdout=io.StringIO())
    call_command("load_rules", verbosity=0, stdout=io.StringIO())
    seed()
    call_command("collectstatic", interactive=False, verbosity=0)  # the form page links them
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            server = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            server = f"SQLite {cursor.fetchone()[0]}"
    return {"server": server, "prepare_seconds": time.perf_counter() - start}


def _profile_endpoint(client: Any, url: str, body: str, count: int) -> str:
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _ in range(count):
        response = client.post(
            url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex
        )
        assert response.status_code == 201, response.content
    profiler.disable()
    elapsed = time.perf_counter() - start
    out = io.StringIO()
    out.write(f"{url}: {count} requests in-process, {elapsed / count * 1000:.2f} ms each\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(20)
    return out.getvalue()


def child_inspect(profile: bool) -> dict[str, Any]:
    """Row checks after the load, then SQL queries per request of each endpoint."""
    _setup_django()
    install_bench_urls()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from netral.core.models import AuditEntry
    from netral.intake.models import IdempotentSubmission, Report

    result: dict[str, Any] = {
        "reports": Report.objects.count(),
        "reports_without_office": Report.objects.filter(office__isnull=True).count(),
        "idempotent_submissions": IdempotentSubmission.objects.filter(
            key__startswith="api:"
        ).count(),
        "audit_submit_entries": AuditEntry.objects.filter(action="intake.report.submit").count(),
        "queries": {},
    }
    client = Client(SERVER_NAME="127.0.0.1")
    body = json.dumps(payload())
    for name, url in ENDPOINTS.items():
        counts = []
        for _ in range(3):  # the first requests of a process fill its caches
            with CaptureQueriesContext(connection) as queries:
                response = client.post(
                    url,
                    body,
                    content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
                )
            assert response.status_code == 201, response.content
            counts.append(len(queries.captured_queries))
        result["queries"][name] = counts[-1]
    if profile:
        for url in ENDPOINTS.values():
            print(_profile_endpoint(client, url, body, 300), file=sys.stderr, flush=True)
    return result


def run_child(kind: str, profile: bool) -> int:
    harness.report(child_prepare() if kind == "prepare" else child_inspect(profile))
    return 0


# --- Parent: databases, gunicorn, load generator ----------------------------------------------


def _run_child(kind: str, env: dict[str, str], profile: bool = False) -> dict[str, Any]:
    result = harness.run_child(__file__, kind, ["--profile"] if profile else [], env=env)
    if "error" in result:
        raise RuntimeError(f"{kind} child failed: {result['error']}")
    return result


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """gunicorn with the benchmark's WSGI factory; always stopped by ``stop``."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = _free_port()
        self.log_path = log_path
        self._log = log_path.open("wb")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.intake:wsgi_application()",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            "--timeout",
            "120",
            "--graceful-timeout",
            "10",
        ]
        self.proc = subprocess.Popen(  # noqa: S603  (our own command line)
            command, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until every worker answers: /health (any status: it also reports the task worker)."""
        deadline = time.monotonic() + timeout
        answered = 0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; {self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/health")
                conn.getresponse().read()
                conn.close()
                answered += 1
                if answered >= 2 * WORKERS:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s; {self.tail()}")

    def worker_cpu_seconds(self) -> float | None:
        """User + system CPU time of the workers (children of the master), from /proc."""
        ticks = 0
        found = 0
        try:
            entries = list(os.scandir("/proc"))
        except OSError:
            return None
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
            if int(fields[1]) == self.proc.pid:  # ppid; utime and stime follow at 11 and 12
                ticks += int(fields[11]) + int(fields[12])
                found += 1
        if found != WORKERS:
            return None
        return ticks / os.sysconf("SC_CLK_TCK")

    def tail(self) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace")
        return "log: " + (text[-2000:] or "(empty)")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


@dataclass
class Batch:
    """Successful requests' latencies (seconds) and failures of one or more batches, and the
    CPU seconds the gunicorn workers spent meanwhile (None where /proc cannot tell)."""

    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    failures: Counter[str] = field(default_factory=Counter)
    worker_cpu: float | None = 0.0

    def add(self, other: Batch) -> None:
        self.latencies.extend(other.latencies)
        self.elapsed += other.elapsed
        self.failures.update(other.failures)
        if self.worker_cpu is None or other.worker_cpu is None:
            self.worker_cpu = None
        else:
            self.worker_cpu += other.worker_cpu


def _post_all(
    port: int,
    path: str,
    next_request: Callable[[], tuple[bytes, dict[str, str]] | None],
    succeeded: Callable[[int, bytes], bool],
    concurrency: int,
    cap: float,
) -> Batch:
    """POST what ``next_request()`` hands out (until it answers None) from ``concurrency``
    threads; stop early after ``cap`` seconds. A request counts when ``succeeded(status, body)``.

    Each thread keeps one HTTPConnection (gunicorn's sync workers close it after each response,
    so it reconnects, like a browser behind no proxy would). Latency covers connect, request
    and reading the whole response.
    """
    lock = threading.Lock()
    results = Batch()
    start = time.perf_counter()
    deadline = start + cap

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies: list[float] = []
        failures: Counter[str] = Counter()
        try:
            while time.perf_counter() < deadline:
                with lock:
                    request = next_request()
                if request is None:
                    break
                body, headers = request
                sent = time.perf_counter()
                try:
                    conn.request("POST", path, body, headers)
                    response = conn.getresponse()
                    answer = response.read()
                    ok, status = succeeded(response.status, answer), str(response.status)
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    ok, status = False, type(exc).__name__
                took = time.perf_counter() - sent
                if ok:
                    latencies.append(took)
                else:
                    failures[status] += 1
        finally:
            conn.close()
            with lock:
                results.latencies.extend(latencies)
                results.failures.update(failures)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.elapsed = time.perf_counter() - start
    return results


def load(port: int, path: str, body: bytes, requests: int, concurrency: int, cap: float) -> Batch:
    """POST the JSON ``body`` ``requests`` times, each with its own idempotency key (201 counts)."""
    remaining = [requests]

    def next_request() -> tuple[bytes, dict[str, str]] | None:
        if remaining[0] <= 0:
            return None
        remaining[0] -= 1
        return body, {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}

    return _post_all(port, path, next_request, lambda status, _: status == 201, concurrency, cap)


FORM_PATH = "/lapor/"


def _photo() -> bytes:
    """One small JPEG photo (a 640x480 picture), as a phone would attach."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 160, 90)).save(out, "JPEG", quality=80)
    return out.getvalue()


def _solve(spec: dict[str, Any]) -> str:
    """The ALTCHA solution a browser's pow.js finds: the number whose SHA-256 with the salt
    is the challenge."""
    import hashlib

    salt = spec["salt"].encode()
    target = spec["challenge"]
    number = next(
        n
        for n in range(spec["maxnumber"] + 1)
        if hashlib.sha256(salt + str(n).encode()).hexdigest() == target
    )
    fields = ("algorithm", "challenge", "salt", "signature")
    solution = {**{k: spec[k] for k in fields}, "number": number}
    return base64.b64encode(json.dumps(solution).encode()).decode()


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, (filename, content) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def prepare_forms(port: int, count: int) -> list[tuple[bytes, dict[str, str]]]:
    """What ``count`` people have in their browser before they press "Kirim" (not timed):
    the form page (its CSRF cookie and token, one-time tokens and proof-of-work challenge),
    the challenge solved, one photo chosen; as multipart bodies with their headers."""
    import html
    import re

    photo = _photo()
    today = date.today()
    out = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for _ in range(count):
            conn.request("GET", FORM_PATH)
            response = conn.getresponse()
            page = response.read().decode()
            if response.status != 200:
                raise RuntimeError(f"GET {FORM_PATH}: {response.status}")
            cookie = next(
                c.split(";", 1)[0]
                for c in response.headers.get_all("Set-Cookie") or []
                if c.startswith("csrftoken=")
            )

            def value(name: str, text: str = page) -> str:
                found = re.search(rf'name="{name}" value="([^"]*)"', text)
                if found is None:
                    found = re.search(rf'value="([^"]*)"[^>]*name="{name}"', text)
                if found is None:
                    raise RuntimeError(f"no {name} on the form page")
                return html.unescape(found.group(1))

            pow_spec = re.search(r'data-pow="([^"]+)"', page)
            if pow_spec is None:
                raise RuntimeError("no proof-of-work challenge on the form page")
            fields = {
                "csrfmiddlewaretoken": value("csrfmiddlewaretoken"),
                "submission_token": value("submission_token"),
                "upload_token": value("upload_token"),
                "altcha": _solve(json.loads(html.unescape(pow_spec.group(1)))),
                "violation_type": "banner",
                "election": "pilkada-2024",
                "accused_name": "Budi Santoso",
                "accused_agency_text": "Pemerintah Kota Balikpapan",
                "accused_position": "Guru",
                "accused_nip": "",
                "act_region": "64",
                "act_place": "Jalan Jenderal Sudirman",
                "act_date": (today - timedelta(days=3)).isoformat(),
                "learned_date": (today - timedelta(days=1)).isoformat(),
                "description": "Memasang baliho calon di pagar rumah dinas.",
                "links": "",
                "identified": "0",
                "statement_true": "on",
            }
            body, content_type = _multipart(fields, {"attachments": ("baliho.jpg", photo)})
            out.append((body, {"Content-Type": content_type, "Cookie": cookie}))
    finally:
        conn.close()
    return out


def load_forms(
    port: int, prepared: list[tuple[bytes, dict[str, str]]], concurrency: int, cap: float
) -> Batch:
    """POST the prepared forms from ``concurrency`` threads (a receipt page, 200, counts; a 200
    without a receipt, the form again with an error, is a failure "200")."""
    queue = list(prepared)
    return _post_all(
        port,
        FORM_PATH,
        lambda: queue.pop() if queue else None,
        lambda status, page: status == 200 and b"receipt" in page.lower(),
        concurrency,
        cap,
    )


def summary(batch: Batch) -> dict[str, Any]:
    ok = len(batch.latencies)
    return {
        "ok": ok,
        "failures": dict(batch.failures),
        "seconds": batch.elapsed,
        "per_second": ok / batch.elapsed if batch.elapsed else 0.0,
        "p50_ms": percentile(batch.latencies, 0.50) * 1000 if ok else float("nan"),
        "p99_ms": percentile(batch.latencies, 0.99) * 1000 if ok else float("nan"),
        "worker_cpu_ms": batch.worker_cpu / ok * 1000 if ok and batch.worker_cpu else None,
    }


def bench_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"database": database}
    pg_name = f"{harness.db_prefix()}_intake_{os.getpid()}"
    server: Server | None = None
    created_pg = False
    with tempfile.TemporaryDirectory(prefix="netral-bench-intake-") as tmp:
        try:
            if database == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            else:
                url = create_postgres_database(args.postgres_url, pg_name)
                created_pg = True
            var_dir = Path(tmp) / "var"
            (var_dir / "static").mkdir(parents=True)  # whitenoise's root; nothing collected
            env = harness.server_env(
                url, var_dir, **({"NETRAL_CACHE_URL": args.cache_url} if args.cache_url else {})
            )
            log(f"{database}: preparing a fresh database (migrate, cache table, rules, seed)")
            prepared = _run_child("prepare", env)
            result["server"] = prepared["server"]
            log(f"{database}: {prepared['server']} ready in {prepared['prepare_seconds']:.1f} s")

            server = Server(env, Path(tmp) / "gunicorn.log")
            server.wait_ready()
            log(f"{database}: gunicorn ({WORKERS} workers) on 127.0.0.1:{server.port}")
            body = json.dumps(payload()).encode()
            cap = args.time_cap
            for name, path in ENDPOINTS.items():
                warm = load(server.port, path, body, args.warmup, args.concurrency, cap)
                if warm.failures:
                    raise RuntimeError(f"warm-up of {name}: {dict(warm.failures)}; {server.tail()}")
            totals = {name: Batch() for name in ENDPOINTS}
            per_round = [
                args.requests // args.rounds + (1 if i < args.requests % args.rounds else 0)
                for i in range(args.rounds)
            ]
            for i, count in enumerate(per_round):
                order = list(ENDPOINTS) if i % 2 == 0 else list(reversed(ENDPOINTS))
                for name in order:
                    cpu_before = server.worker_cpu_seconds()
                    batch = load(server.port, ENDPOINTS[name], body, count, args.concurrency, cap)
                    cpu_after = server.worker_cpu_seconds()
                    batch.worker_cpu = (
                        cpu_after - cpu_before
                        if cpu_before is not None and cpu_after is not None
                        else None
                    )
                    totals[name].add(batch)
                    log(
                        f"{database}: round {i + 1}/{args.rounds} {name}: "
                        f"{len(batch.latencies) / batch.elapsed:.0f}/s"
                        + (f", failures {dict(batch.failures)}" if batch.failures else "")
                    )
            form = Batch()
            if args.form_requests:
                # The public form as a browser sends it: the page fetched, the proof of work
                # solved and a photo chosen beforehand (not timed), then the multipart POST.
                log(f"{database}: preparing {args.form_requests} form submissions (page, PoW)")
                try:
                    forms = prepare_forms(server.port, args.form_requests)
                except RuntimeError as exc:
                    raise RuntimeError(f"{exc}; {server.tail()}") from exc
                cpu_before = server.worker_cpu_seconds()
                form = load_forms(server.port, forms, args.concurrency, cap)
                cpu_after = server.worker_cpu_seconds()
                form.worker_cpu = (
                    cpu_after - cpu_before
                    if cpu_before is not None and cpu_after is not None
                    else None
                )
                log(f"{database}: form: {len(form.latencies) / form.elapsed:.1f}/s")
            server.stop()
            result["endpoints"] = {name: summary(batch) for name, batch in totals.items()}
            if args.form_requests:
                result["endpoints"]["form"] = summary(form)
            created = len(ENDPOINTS) * args.warmup + sum(len(b.latencies) for b in totals.values())
            created += len(form.latencies)

            checks = _run_child("inspect", env, profile=args.profile)
            result["queries"] = checks["queries"]
            problems = []
            if checks["reports"] != created:  # the database had no report before
                problems.append(f"{created} answers 201 but {checks['reports']} reports")
            api_created = args.warmup + len(totals["app"].latencies)
            expected = {
                "idempotent_submissions": api_created,  # the API's Idempotency-Key only
                "audit_submit_entries": api_created + len(form.latencies),  # every submission
            }
            for key, count in expected.items():
                if checks[key] != count:
                    problems.append(f"{count} app submissions but {checks[key]} {key}")
            if checks["reports_without_office"]:
                problems.append(f"{checks['reports_without_office']} reports without an office")
            for name, s in result["endpoints"].items():
                if s["failures"]:
                    problems.append(f"{name}: failed requests {s['failures']}")
            result["problems"] = problems
        except Exception as exc:
            result["error"] = f"{type(exc).__name__}: {exc}"
            log(f"{database}: {result['error']}")
        finally:
            if server is not None:
                server.stop()
            if created_pg:
                drop_postgres_database(args.postgres_url, pg_name)
    return result


def print_table(results: list[dict[str, Any]]) -> bool:
    header = (
        "database",
        "endpoint",
        "requests",
        "submissions/s",
        "p50 ms",
        "p99 ms",
        "worker CPU ms/req",
        "queries/req",
    )
    lines = [header]
    for r in results:
        for name, s in r.get("endpoints", {}).items():
            lines.append(
                (
                    r["database"],
                    f"{name} {ENDPOINTS.get(name, FORM_PATH)}",
                    str(s["ok"] + sum(s["failures"].values())),
                    f"{s['per_second']:.1f}",
                    f"{s['p50_ms']:.1f}",
                    f"{s['p99_ms']:.1f}",
                    f"{s['worker_cpu_ms']:.1f}" if s["worker_cpu_ms"] is not None else "n/a",
                    str(r.get("queries", {}).get(name, "n/a")),
                )
            )
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]

    def fmt(row: tuple[str, ...]) -> str:
        cells = [
            cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ]
        return "| " + " | ".join(cells) + " |"

    print(fmt(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in lines[1:]:
        print(fmt(row))
    print()

    ok = True
    for r in results:
        if "error" in r:
            print(f"{r['database']}: FAILED to run: {r['error']}")
            ok = False
            continue
        for problem in r["problems"]:
            print(f"{r['database']}: PROBLEM {problem}")
            ok = False
        app, writes = r["endpoints"]["app"], r["endpoints"]["writes"]
        ratio = app["per_second"] / writes["per_second"] if writes["per_second"] else 0.0
        verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
        ok = ok and verdict == "PASS"
        cpu = ""
        if app["worker_cpu_ms"] and writes["worker_cpu_ms"]:
            cpu_ratio = writes["worker_cpu_ms"] / app["worker_cpu_ms"]
            cpu = f"; worker CPU per submission writes/app {cpu_ratio:.2f}"
        print(
            f"{r['database']} ({r['server']}): submissions/s app/bare-writes {ratio:.2f} "
            f"(target >= {TARGET_RATIO}) {verdict}{cpu}"
        )
        bare = r["endpoints"]["bare"]
        if bare["per_second"]:
            print(
                f"{r['database']}: submissions/s app/bare-report "
                f"{app['per_second'] / bare['per_second']:.2f} (one INSERT, without the writes "
                "a submission needs; for information)"
            )
        form = r["endpoints"].get("form")
        if form and form["per_second"]:
            print(
                f"{r['database']}: the form (/lapor/, multipart with one photo, proof of work "
                f"solved) {form['per_second']:.1f}/s, p50 {form['p50_ms']:.0f} ms, "
                f"{form['worker_cpu_ms'] or float('nan'):.1f} ms worker CPU each; "
                f"the API {app['per_second']:.1f}/s, p50 {app['p50_ms']:.0f} ms"
            )
    return ok


def _interrupted(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def run_parent(args: argparse.Namespace) -> int:
    # Stop cleanly (gunicorn stopped, database dropped) on Ctrl-C or a TERM, also when started
    # in the background, where a shell leaves SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupted)
    signal.signal(signal.SIGTERM, _interrupted)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    try:
        results = [bench_database(database, args) for database in databases]
    except KeyboardInterrupt:
        log("interrupted: gunicorn stopped, databases dropped")
        return 130
    print()
    print(
        f"Report intake benchmark: gunicorn {WORKERS} sync workers, {args.concurrency} client "
        f"threads, {args.requests} measured requests per endpoint in {args.rounds} alternating "
        f"rounds after {args.warmup} warm-up requests, {os.cpu_count()} CPUs shared with the "
        "client and the database; rate-limit counters in "
        + ("Redis" if args.cache_url else "the database")
    )
    print()
    return 0 if print_table(results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="both", help="(both)"
    )
    parser.add_argument("--requests", type=int, default=2000, help="measured, per endpoint")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (4)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds (4)")
    parser.add_argument(
        "--form-requests", type=int, default=200, help="submissions of the /lapor/ form (200)"
    )
    parser.add_argument("--warmup", type=int, default=100, help="per endpoint (100)")
    parser.add_argument(
        "--time-cap", type=float, default=120.0, help="seconds at most per batch (120)"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="server on which a throwaway database is created and dropped",
    )
    parser.add_argument(
        "--cache-url",
        default="",
        help="Redis for the shared cache and the rate-limit counters (default: database tables)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile each endpoint in-process (stderr)"
    )
    parser.add_argument("--_child", choices=["prepare", "inspect"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        return run_child(args._child, args.profile)
    if min(args.requests, args.concurrency, args.rounds) < 1 or args.warmup < 0:
        parser.error("--requests, --concurrency and --rounds must be at least 1")
    if args.requests < args.rounds:
        parser.error("--requests must be at least --rounds")
    return run_parent(args)


if __name__ == "__main__":
    sys.exit(main())
