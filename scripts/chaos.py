"""Chaos test: the production topology on one machine (deploy/topology.sh) under a bounded load
on 127.0.0.1, while one web node is killed, one worker is killed in the middle of an export and
the read replica is restarted. Prints a table of counts and exits 1 if an invariant fails.

    python scripts/chaos.py [--short] [--seconds S] [--clients C] [--cases N]
        [--dir DIR] [--keep] [--port-base P]

Load (C client threads, each request through nginx over TLS): report submissions with an
Idempotency-Key, officer steps (register the submitted report, then `start_study` with the
case's version), dashboards (`/api/v1/insights/summary`, the public statistics) and exports
(CSV, plus one XLSX over N seeded cases for the worker kill). A request that fails with a
connection error or a 5xx is retried as a client would: the same key, the same version.

Invariants: submissions lost 0, receipts duplicated 0, steps applied twice 0, server errors
only inside the kill windows and every retried request succeeding, every export done or failed
(the one whose worker died marked failed by the lease sweep), `verify_audit` intact, and every
stored file's SHA-256 equal to its row's.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
TOPOLOGY = str(ROOT / "deploy" / "topology.sh")
OFFICER = "bawaslu.kukar"  # registers and studies reports about Kutai Kartanegara
ANALYST = "analis.bkn"  # national scope: exports of every seeded case
# The chaos run's own settings on top of production's: limits that a load from one address
# does not hit, and a short lease and sweep so a dead worker's export fails within the run.
OVERRIDES = [
    "NETRAL_RATE_REPORTS=1000000/h",
    "NETRAL_RATE_REPORTS_NO_POW=1000000/h",
    "NETRAL_RATE_UPLOADS=1000000/h",
    "NETRAL_RATE_RECEIPTS=1000000/h",
    "NETRAL_JOB_LEASE_SECONDS=8",
    "NETRAL_SWEEP_SECONDS=4",
    "NETRAL_LOG_LEVEL=WARNING",
]
WINDOW_AFTER = 8.0  # seconds after a kill (or a restart's end) in which server errors may occur


BEGAN = time.monotonic()


def log(message: str) -> None:
    print(f"chaos [{time.monotonic() - BEGAN:5.0f} s]: {message}", file=sys.stderr, flush=True)


def read_env(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[key] = value
    return values


def app_env(directory: Path, **extra: str) -> dict[str, str]:
    """The nodes' environment (DIR/netral.env), for this script's own Django children."""
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return {
        **base,
        **read_env(directory / "netral.env"),
        "DJANGO_SETTINGS_MODULE": "netral.settings",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def topology(*args: str, port_base: str) -> None:
    subprocess.run(
        ["bash", TOPOLOGY, *args],
        check=True,
        env={**os.environ, "NETRAL_TOPOLOGY_PORT_BASE": port_base},
    )


# --- Children: seeding and verification inside Django ----------------------------------------


def child_seed(cases: int) -> None:
    """The demo world and ``cases`` more cases (none with a negative count), then tokens."""
    import django

    django.setup()
    from django.core.management import call_command

    from netral.accounts.models import User
    from netral.accounts.services import create_api_token
    from netral.cases.services import CHECKLIST
    from netral.insights.seeding import seed_cases

    if cases >= 0:
        call_command("seed_demo", stdout=io.StringIO())
        seed_cases(cases)
    tokens = {
        name: create_api_token(user=User.objects.get(username=name), name="chaos")[1]
        for name in (OFFICER, ANALYST)
    }
    # The registration checklist, all ticked, as the officers' steps send it.
    tokens["checklist"] = json.dumps({r.code: True for r in CHECKLIST})
    print(json.dumps(tokens))


def child_verify(state_file: str) -> None:
    import hashlib

    import django

    django.setup()
    from django.apps import apps
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.db import models
    from django.db.models import Count

    from netral.cases.models import CaseEvent, CaseReport
    from netral.insights.models import ExportJob
    from netral.intake.models import Report

    state = json.loads(Path(state_file).read_text(encoding="utf-8"))
    run = state["run"]
    out: dict[str, Any] = {}
    # Submissions: one report per idempotency key, each with the receipt its client was given.
    in_db: dict[str, list[str]] = {}
    marker = f"[chaos {run} "
    for code, description in Report.objects.filter(description__contains=marker).values_list(
        "receipt_code", "description"
    ):
        key = description.split(marker, 1)[1].split("]", 1)[0]
        in_db.setdefault(key, []).append(code)
    receipts: dict[str, list[str]] = state["receipts"]
    out["lost"] = sum(
        1 for key, codes in receipts.items() if not codes or codes[0] not in in_db.get(key, [])
    ) + sum(1 for key in state["keys"] if key not in receipts)
    out["duplicated"] = sum(len(set(codes)) - 1 for codes in receipts.values()) + sum(
        len(codes) - 1 for codes in in_db.values()
    )
    out["reports_in_db"] = sum(len(codes) for codes in in_db.values())
    # Officer steps: each report registered into one case once, each case studied once.
    codes = list(state["registered"])
    twice_registered = (
        CaseReport.objects.filter(report__receipt_code__in=codes)
        .values("report")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    twice_studied = (
        CaseEvent.objects.filter(
            case__sources__report__receipt_code__in=state["studied"],
            transition="start_study",
        )
        .values("case")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    out["steps_twice"] = twice_registered + twice_studied
    out["steps_missing"] = len(
        set(codes)
        - set(
            CaseReport.objects.filter(report__receipt_code__in=codes).values_list(
                "report__receipt_code", flat=True
            )
        )
    ) + len(
        set(state["studied"])
        - set(
            CaseEvent.objects.filter(
                case__sources__report__receipt_code__in=state["studied"],
                transition="start_study",
            ).values_list("case__sources__report__receipt_code", flat=True)
        )
    )
    # Exports: none left queued or running.
    jobs = ExportJob.objects.filter(pk__in=state["exports"])
    out["exports"] = dict(jobs.values_list("status").annotate(n=Count("id")))
    out["killed_export"] = (
        ExportJob.objects.filter(pk=state["killed_export"]).values_list("status", flat=True).first()
        if state.get("killed_export")
        else None
    )
    # Every stored file against its row's hash: FIELD_sha256, else sha256 for the first file.
    checked = mismatched = 0
    bad: list[str] = []
    for model in apps.get_models():
        files = [f for f in model._meta.fields if isinstance(f, models.FileField)]
        names = {f.name for f in model._meta.fields}
        for position, file_field in enumerate(files):
            hash_field = f"{file_field.name}_sha256"
            if hash_field not in names:
                if position != 0 or "sha256" not in names:
                    continue
                hash_field = "sha256"
            rows = (
                model._default_manager.exclude(**{file_field.name: ""})
                .exclude(**{hash_field: ""})
                .values_list("pk", file_field.name, hash_field)
            )
            for pk, name, expected in rows.iterator():
                if not default_storage.exists(name):
                    continue  # an expired export's file is deleted on purpose
                digest = hashlib.sha256()
                with default_storage.open(name, "rb") as handle:
                    while chunk := handle.read(1 << 20):
                        digest.update(chunk)
                checked += 1
                if digest.hexdigest() != expected:
                    mismatched += 1
                    bad.append(f"{model._meta.label} {pk} {name}")
    out["files_checked"] = checked
    out["files_mismatched"] = mismatched
    out["files_bad"] = bad[:10]
    try:
        call_command("verify_audit")
        out["audit_intact"] = True
    except Exception as exc:  # a broken chain raises CommandError
        out["audit_intact"] = False
        out["audit_error"] = str(exc)
    print(json.dumps(out))


# --- The load -------------------------------------------------------------------------------


@dataclass
class Record:
    action: str
    started: float
    status: int  # 0: no answer (connection error)
    attempt: int


@dataclass
class Shared:
    base: str
    ca: str
    tokens: dict[str, str]
    run: str
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    records: list[Record] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    receipts: dict[str, list[str]] = field(default_factory=dict)
    to_register: list[str] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)
    studied: list[str] = field(default_factory=list)
    exports: list[int] = field(default_factory=list)
    retried: int = 0
    retried_failed: list[str] = field(default_factory=list)
    case_ids: dict[str, int] = field(default_factory=dict)


class Client:
    def __init__(self, shared: Shared) -> None:
        import requests

        self.shared = shared
        self.session = requests.Session()

    def call(
        self,
        action: str,
        method: str,
        path: str,
        *,
        token: str = "",
        ok: tuple[int, ...],
        retry_ok: tuple[int, ...] = (),
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """One logical request, retried on a connection error or a 5xx for up to 60 s. On a
        retry, ``retry_ok`` statuses also count as success (the first attempt had applied it)."""
        import requests

        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        deadline = time.monotonic() + 60
        attempt = 0
        while True:
            attempt += 1
            started = time.time()
            try:
                # verify= on each request: a session's is overridden by REQUESTS_CA_BUNDLE.
                response = self.session.request(
                    method,
                    self.shared.base + path,
                    json=body,
                    headers=sent,
                    timeout=30,
                    verify=self.shared.ca,
                )
                status = response.status_code
            except requests.exceptions.SSLError:
                raise  # a certificate problem is the harness's, not a failure under chaos
            except requests.RequestException:
                status = 0
            with self.shared.lock:
                self.shared.records.append(Record(action, started, status, attempt))
                if attempt == 2:
                    self.shared.retried += 1
            if status in ok or (attempt > 1 and status in retry_ok):
                return status, (response.json() if status in ok and response.content else None)
            if status and status < 500:
                raise RuntimeError(
                    f"{action}: {method} {path} answered {status}: {response.text[:300]}"
                )
            if time.monotonic() > deadline:
                with self.shared.lock:
                    self.shared.retried_failed.append(f"{action} {path}")
                return status, None
            time.sleep(0.3 + random.random() * 0.4)

    def submit(self) -> None:
        key = uuid.uuid4().hex
        with self.shared.lock:
            self.shared.keys.append(key)
        today = date.today()
        body = {
            "violation_type": "banner",
            "election": "pilkada-2024",
            "accused": {"name": "Budi Santoso", "agency": "Pemerintah Kabupaten Kutai Kartanegara"},
            "act_date": (today - timedelta(days=3)).isoformat(),
            "act_region": "64.02",
            "learned_date": (today - timedelta(days=1)).isoformat(),
            "description": f"Memasang baliho calon di pagar. [chaos {self.shared.run} {key}]",
            "statement_true": True,
            "reporter": {"name": "Siti Aminah", "nik": "6402014506900001",
                         "address": "Jl. Mawar 1", "phone": "081234567890"},
        }  # fmt: skip
        _, data = self.call(
            "submit", "POST", "/api/v1/reports", ok=(201,), body=body,
            headers={"Idempotency-Key": key},
        )  # fmt: skip
        if data:
            with self.shared.lock:
                self.shared.receipts.setdefault(key, []).append(data["receipt_code"])
                self.shared.to_register.append(data["receipt_code"])

    def officer_step(self) -> None:
        with self.shared.lock:
            code = self.shared.to_register.pop(0) if self.shared.to_register else None
        if code is None:
            return self.dashboard()
        token = self.shared.tokens[OFFICER]
        checklist = self.shared.tokens["checklist"]
        status, _ = self.call(
            "register", "POST", f"/api/v1/reports/{code}/register", token=token, ok=(200,),
            retry_ok=(422,), body={"checklist": json.loads(checklist)},
        )  # fmt: skip
        if not status:
            return None
        with self.shared.lock:
            self.shared.registered.append(code)
        case_id = self.case_id(code)
        status, _ = self.call(
            "start_study", "POST", f"/api/v1/cases/{case_id}/transitions/start_study",
            token=token, ok=(200,), retry_ok=(409,), body={"version": 1},
        )  # fmt: skip
        if status:
            with self.shared.lock:
                self.shared.studied.append(code)
        return None

    def case_id(self, code: str) -> int:
        """The case a receipt was registered into (read from the primary, as the harness)."""
        import psycopg

        with psycopg.connect(self.shared.tokens["database"]) as db:
            row = db.execute(
                "SELECT cr.case_id FROM cases_casereport cr JOIN intake_report r "
                "ON r.id = cr.report_id WHERE r.receipt_code = %s",
                (code,),
            ).fetchone()
        assert row is not None, code
        return int(row[0])

    def dashboard(self) -> None:
        if random.random() < 0.5:
            self.call("dashboard", "GET", "/api/v1/insights/summary",
                      token=self.shared.tokens[OFFICER], ok=(200,))  # fmt: skip
        else:
            self.call("statistics", "GET", "/api/v1/public/statistics", ok=(200,))

    def export(self, fmt: str = "csv", user: str = OFFICER) -> int | None:
        _, data = self.call(
            "export", "POST", "/api/v1/exports", token=self.shared.tokens[user], ok=(202,),
            body={"source": "cases", "format": fmt},
        )  # fmt: skip
        if not data:
            return None
        with self.shared.lock:
            self.shared.exports.append(int(data["id"]))
        return int(data["id"])


def load(shared: Shared) -> None:
    client = Client(shared)
    weights: list[tuple[Callable[[], object], int]] = [
        (client.submit, 4),
        (client.officer_step, 3),
        (client.dashboard, 3),
    ]
    actions = [action for action, weight in weights for _ in range(weight)]
    while not shared.stop.is_set():
        choice = random.choice(actions)
        if random.random() < 0.03:
            choice = client.export
        try:
            choice()
        except Exception as exc:  # an unexpected answer is a failed invariant, not a crash
            with shared.lock:
                shared.retried_failed.append(f"unexpected: {exc}")


# --- Chaos ------------------------------------------------------------------------------------


@dataclass
class Window:
    what: str
    start: float
    end: float


def kill_worker_mid_export(
    shared: Shared, directory: Path, port_base: str, database: str
) -> tuple[int | None, str, bool]:
    """Start an XLSX export of every case as the analyst, wait until a worker runs it, SIGKILL
    that worker. Returns (export id, worker name, whether it was still running when killed)."""
    import psycopg

    job = Client(shared).export("xlsx", ANALYST)
    if job is None:
        return None, "", False
    worker = ""
    with psycopg.connect(database, autocommit=True) as db:
        for _ in range(600):
            row = db.execute(
                "SELECT t.worker_ids, j.status FROM insights_exportjob j LEFT JOIN "
                "django_tasks_database_dbtaskresult t ON t.task_path = "
                "'netral.insights.tasks.run_export' AND t.status = 'RUNNING' AND "
                "(t.args_kwargs -> 'kwargs' ->> 'job_id')::bigint = j.id WHERE j.id = %s",
                (job,),
            ).fetchone()
            if row and row[0] and row[1] == "running":
                worker = "worker" + str(row[0][-1]).rsplit("worker", 1)[-1]
                break
            if row and row[1] in ("done", "failed"):
                return job, "", False
            time.sleep(0.05)
        if not worker:
            return job, "", False
        topology("kill", str(directory), worker, port_base=port_base)
        status = db.execute(
            "SELECT status FROM insights_exportjob WHERE id = %s", (job,)
        ).fetchone()
    log(f"killed {worker} while export {job} was {status[0] if status else '?'}")
    return job, worker, bool(status and status[0] == "running")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="CI form: 30 s, 3 clients")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--clients", type=int)
    parser.add_argument("--cases", type=int, help="seeded cases (the killed export's rows)")
    parser.add_argument("--dir", help="topology directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="leave the topology running")
    parser.add_argument(
        "--reuse", action="store_true", help="the topology in --dir is up and seeded (a rerun)"
    )
    parser.add_argument("--port-base", default=os.environ.get("NETRAL_TOPOLOGY_PORT_BASE", "18200"))
    parser.add_argument("_child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        if args._child[0] == "seed":
            child_seed(int(args._child[1]))
        elif args._child[0] == "verify":
            child_verify(args._child[1])
        return 0
    seconds = args.seconds or (30.0 if args.short else 120.0)
    clients = args.clients or (3 if args.short else 6)
    cases = args.cases if args.cases is not None else (20_000 if args.short else 100_000)
    directory = Path(args.dir or tempfile.mkdtemp(prefix="netral-chaos."))
    port_base = args.port_base
    began = time.monotonic()
    try:
        return run(directory, port_base, seconds, clients, cases, began, args.reuse)
    finally:
        if not args.keep:
            log("stopping the topology")
            topology("down", str(directory), port_base=port_base)
            if not args.dir:
                shutil.rmtree(directory, ignore_errors=True)


def run(
    directory: Path,
    port_base: str,
    seconds: float,
    clients: int,
    cases: int,
    began: float,
    reuse: bool = False,
) -> int:
    log(f"topology in {directory} (ports {port_base}+)")
    if not reuse:
        topology("up", str(directory), *OVERRIDES, port_base=port_base)
        log(f"demo data and {cases:,} cases")
    env = read_env(directory / "topology.env")
    seeded = subprocess.run(
        [PY, __file__, "seed", str(-1 if reuse else cases)],
        env=app_env(directory, NETRAL_DEBUG="1"),  # the demo seeder refuses production settings
        check=True, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    tokens = json.loads(seeded.stdout.strip().splitlines()[-1])
    tokens["database"] = env["DATABASE_URL"]
    shared = Shared(base=env["NETRAL_BASE_URL"], ca=env["NETRAL_CA_FILE"], tokens=tokens,
                    run=uuid.uuid4().hex[:8])  # fmt: skip

    log(f"load: {clients} clients for {seconds:.0f} s")
    threads = [threading.Thread(target=load, args=(shared,), daemon=True) for _ in range(clients)]
    start = time.time()
    for thread in threads:
        thread.start()
    windows: list[Window] = []

    def at(share: float) -> None:
        time.sleep(max(0.0, start + seconds * share - time.time()))

    at(0.2)  # 1. kill a web node (SIGKILL of gunicorn's process group); systemd restarts it
    killed = time.time()
    topology("kill", str(directory), "web1", port_base=port_base)
    log("killed web1")
    time.sleep(3)
    topology("start", str(directory), "web1", port_base=port_base)
    windows.append(Window("web1 killed", killed - 0.5, killed + WINDOW_AFTER))

    at(0.4)  # 2. kill the worker running a big export; the lease sweep must mark it failed
    killed = time.time()
    job, worker, mid_export = kill_worker_mid_export(
        shared, directory, port_base, env["DATABASE_URL"]
    )
    if worker:
        time.sleep(2)
        topology("start", str(directory), worker, port_base=port_base)
    windows.append(Window(f"{worker or 'no worker'} killed", killed, killed + WINDOW_AFTER))

    at(0.65)  # 3. restart the read replica
    stopped = time.time()
    topology("stop", str(directory), "pg-replica", port_base=port_base)
    time.sleep(1)
    topology("start", str(directory), "pg-replica", port_base=port_base)
    windows.append(Window("replica restarted", stopped - 0.5, time.time() + WINDOW_AFTER))
    log("restarted the replica")

    at(1.0)
    shared.stop.set()
    for thread in threads:
        thread.join(timeout=90)
    log("load stopped; waiting for exports to end")
    import psycopg

    deadline = time.time() + 120
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
        while time.time() < deadline:
            (pending,) = db.execute(
                "SELECT count(*) FROM insights_exportjob WHERE id = ANY(%s) "
                "AND status IN ('queued', 'running')",
                (shared.exports,),
            ).fetchone() or (0,)
            if not pending:
                break
            time.sleep(1)

    # The replica streams again after its restart: it holds every report the primary holds.
    replica_caught_up = False
    count = "SELECT count(*) FROM intake_report WHERE description LIKE %s"
    pattern = f"%[chaos {shared.run} %"
    with (
        psycopg.connect(env["DATABASE_URL"], autocommit=True) as primary,
        psycopg.connect(env["NETRAL_DATABASE_REPLICA_URL"], autocommit=True) as replica,
    ):
        (on_primary,) = primary.execute(count, (pattern,)).fetchone() or (0,)
        for _ in range(60):
            (on_replica,) = replica.execute(count, (pattern,)).fetchone() or (0,)
            if on_replica == on_primary:
                replica_caught_up = True
                break
            time.sleep(0.5)

    state = {
        "run": shared.run,
        "keys": shared.keys,
        "receipts": shared.receipts,
        "registered": shared.registered,
        "studied": shared.studied,
        "exports": shared.exports,
        "killed_export": job if mid_export else None,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(state, handle)
    verified = subprocess.run(
        [PY, __file__, "verify", handle.name], env=app_env(directory),
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    os.unlink(handle.name)
    if verified.returncode != 0:
        print(verified.stderr[-3000:], file=sys.stderr)
        return 1
    result = json.loads(verified.stdout.strip().splitlines()[-1])

    def inside(record: Record) -> bool:
        return any(w.start <= record.started <= w.end for w in windows)

    errors = [r for r in shared.records if r.status == 0 or r.status >= 500]
    outside = [r for r in errors if not inside(r)]
    exports = result["exports"]
    unfinished = sum(n for s, n in exports.items() if s not in ("done", "failed"))
    rows = [
        ("load", f"{clients} clients, {seconds:.0f} s, {cases:,} cases", ""),
        ("requests", str(len(shared.records)), ""),
        ("submissions (idempotency keys)", str(len(shared.keys)), ""),
        ("submissions lost", str(result["lost"]), "0"),
        ("receipts duplicated", str(result["duplicated"]), "0"),
        ("officer steps (register, start_study)",
         f"{len(shared.registered)}, {len(shared.studied)}", ""),
        ("steps applied twice", str(result["steps_twice"]), "0"),
        ("steps answered but not applied", str(result["steps_missing"]), "0"),
        ("server errors in kill windows", str(len(errors) - len(outside)), "any"),
        ("server errors outside kill windows", str(len(outside)), "0"),
        ("requests retried", str(shared.retried), ""),
        ("retried requests not succeeding", str(len(shared.retried_failed)), "0"),
        ("exports (by status)", ", ".join(f"{k} {v}" for k, v in sorted(exports.items())), ""),
        ("exports neither done nor failed", str(unfinished), "0"),
        ("worker killed mid-export", worker or "none", "a worker"),
        ("that export marked failed", str(result["killed_export"] == "failed").lower(), "true"),
        ("replica caught up after its restart", str(replica_caught_up).lower(), "true"),
        ("verify_audit intact", str(result["audit_intact"]).lower(), "true"),
        ("stored files checked", str(result["files_checked"]), ""),
        ("stored files whose hash differs", str(result["files_mismatched"]), "0"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"\n{'invariant':<{width}}  {'measured':<{value_width}}  required")
    for name, value, required in rows:
        print(f"{name:<{width}}  {value:<{value_width}}  {required}")
    for window in windows:
        print(f"window: {window.what}: {window.end - window.start:.1f} s")
    for line in shared.retried_failed[:10]:
        print(f"not succeeding: {line}")
    for line in result["files_bad"]:
        print(f"hash differs: {line}")
    if result.get("audit_error"):
        print(f"verify_audit: {result['audit_error']}")
    print(f"total time {time.monotonic() - began:.0f} s")
    failed = (
        result["lost"]
        or result["duplicated"]
        or result["steps_twice"]
        or result["steps_missing"]
        or outside
        or shared.retried_failed
        or unfinished
        or not worker
        or result["killed_export"] != "failed"
        or not replica_caught_up
        or not result["audit_intact"]
        or result["files_mismatched"]
    )
    print("FAILED" if failed else "All invariants hold.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
