"""Benchmark: a national voting day through the production topology.

    python bench/national.py [--topology DIR | --local] [--civil-servants N] [--cases N]
        [--rate R] [--duration S] [--officers N] [--dashboards-per-minute N]
        [--think-seconds S] [--calibrate N] [--quick] [--skip-load] [--keep]
        [--port-base P] [--json FILE] [--postgres-url URL]

Issue 23 item 7. A benchmark, not a test: nothing here is asserted, the figures are printed.

1. **Topology.** ``--topology DIR`` uses one already up (``deploy/topology.sh up DIR``): its
   ``DIR/topology.env`` names ``NETRAL_BASE_URL``, ``DATABASE_URL`` (the primary),
   ``NETRAL_DATABASE_REPLICA_URL`` and ``NETRAL_STORAGE_URL``, and ``DIR/pids/<name>.pid``
   the processes (``web1``, ``web2``, ``worker1``, ...). Without it the script brings the
   topology up itself in a temporary directory when ``deploy/topology.sh`` exists, on the
   ports from ``--port-base`` (``NETRAL_TOPOLOGY_PORT_BASE``): first ``up DIR --data-only``
   (PostgreSQL primary and replica, the S3 server, migrated), the dataset, then ``up DIR`` (two
   gunicorn nodes, two task workers, two schedulers, nginx with TLS), with the rate limits of
   the public endpoints raised (see below), and ``down DIR`` at the end; with ``--local``
   (or without the script) it starts two gunicorn nodes and one task worker of its own on the
   machine's PostgreSQL (database ``netral_natl``; no replica, so no lag to show; the server's
   CPU then counts every other database on it too) and spreads the requests over both nodes
   itself.
2. **Dataset** (not timed in the results; its load times are printed), into the primary by the
   bulk paths the other benchmarks use (``netral.insights.seeding``: ``COPY`` on PostgreSQL):
   migrations, regions and rules, the demo world, N civil servants over one government per
   province and regency/city (552, each with its PPK), N cases over all regencies and cities,
   the Pilkada 2024 scope set to its 545 regions (37 provinces: all but DI Yogyakarta; 508
   regencies and cities: all but the 6 administrative ones of DKI Jakarta), and the users:
   ``--officers`` Bawaslu officers (regency, province and national offices) and one dashboard
   viewer per dashboard refresh per minute (auditors of a province, some national), each with
   a confirmed TOTP device whose key the load generator knows. A rerun on a database already
   holding the rows tops it up to the asked counts (``--skip-load`` skips this step).
3. **Sign-in** (before the burst, reported apart): every user signs in through the real pages
   (``/akun/masuk/``, then ``/akun/otp/`` with the current TOTP code), as a browser does.
   Then each kind of request alone, ``--calibrate`` of each (a quarter for dashboards), 4 at a
   time: the CPU of the nodes and of the primary per request of that kind.
4. **Burst**, from this process (the servers are others), for ``--duration`` seconds:
   - report submissions ``POST /api/v1/reports`` (anonymous, each with its own
     ``Idempotency-Key``; every 50th is sent a second time with the same key and must get the
     same receipt) at a fixed arrival rate ``--rate``: an open model, sent on schedule by a
     pool of threads whatever the answers do, the latency measured from the scheduled time;
   - ``--officers`` officers, each paging through the lists of their office with the session
     cookie (``GET /api/v1/cases?limit=25&cursor=...`` for 10 pages, then from the top again;
     every third request the new reports, ``GET /api/v1/reports``), one request every
     ``--think-seconds`` (a closed loop: a person waits for the page);
   - ``--dashboards-per-minute`` refreshes of ``/dasbor/`` (the HTML page, open model).
   Meanwhile the replica lag is sampled every 2 seconds (``pg_stat_replication`` on the
   primary: replay lag and bytes behind).
5. **CPU.** Before and after the burst the user + system CPU time of each node (the gunicorn
   master, its live workers and the workers it has reaped) is read from ``/proc``; the
   PostgreSQL primary's and the task workers' likewise. CPU per 1,000 requests per node divides
   a node's CPU by the requests it answered (counted from the node's access log when the
   topology writes one, else the requests this script sent to it in ``--local`` mode; otherwise
   an even split, said so).

The public endpoints are rate-limited per address; every submission here comes from one
address, so the servers run with ``NETRAL_RATE_REPORTS`` and ``NETRAL_RATE_REPORTS_NO_POW``
raised (counted as in production, never reached). A topology given with ``--topology`` must
have been started with them (``deploy/topology.sh up DIR NETRAL_RATE_REPORTS=100000000/h
NETRAL_RATE_REPORTS_NO_POW=100000000/h``), else the 429 answers count as errors. ``--quick``
is a smoke run (50,000 civil servants, 5,000 cases, 10 submissions/s for 30 s, 20 officers,
20 dashboards a minute, 40 requests of each kind alone). The machine may be shared: its load
average is printed with the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import (  # noqa: E402
    DEFAULT_POSTGRES_URL,
    create_postgres_database,
    log,
    machine_load,
    percentile,
)

LOCAL_DATABASE = "netral_natl"
LOCAL_PORTS = (15301, 15302)
PASSWORD = "netral-national-bench"  # noqa: S105  (generated users of a throwaway database)
PAGES_PER_ROUND = 10
RETRY_EVERY = 50
KINDS = ("report submission", "  same key again", "officer: case page", "officer: reports page",
         "dashboard")  # fmt: skip
QUICK = {
    "civil_servants": 50_000,
    "cases": 5_000,
    "rate": 10.0,
    "duration": 30.0,
    "officers": 20,
    "dashboards_per_minute": 20,
    "calibrate": 40,
}
# Pilkada 2024: every province but DI Yogyakarta (its governor is not elected), every regency
# and city but the administrative ones of DKI Jakarta (31.xx).
PILKADA_EXCLUDED_PROVINCE = "34"
PILKADA_EXCLUDED_REGENCY_PREFIX = "31."


# --- Dataset (child process with Django, on the primary) -------------------------------------


def _pilkada_regions() -> list[str]:
    from netral.regions.models import Region

    codes = Region.objects.filter(level__lte=2).values_list("code", flat=True)
    return sorted(
        c
        for c in codes
        if c != PILKADA_EXCLUDED_PROVINCE and not c.startswith(PILKADA_EXCLUDED_REGENCY_PREFIX)
    )


def _users(officers: int, viewers: int, seed: int) -> list[dict[str, Any]]:
    """The officers and dashboard viewers (created or updated), each with a TOTP key."""
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from netral.accounts.models import Membership, Role, User
    from netral.regions.models import Region
    from netral.registry.models import Office

    rng = random.Random(seed)
    offices = {o.region_id: o for o in Office.objects.filter(kind="bawaslu").exclude(region=None)}
    national = Office.objects.filter(kind="bawaslu", level="national").first()
    regencies = [c for c in _pilkada_regions() if "." in c]
    provinces = list(Region.objects.filter(level=1).values_list("code", flat=True))
    rng.shuffle(regencies)
    specs: list[tuple[str, str, str | None, Office | None]] = []
    n_national = max(1, officers // 20)
    n_province = max(1, officers * 3 // 20) if officers > 2 else 0
    for i in range(officers):
        if i < n_national:
            specs.append((f"natl.officer.{i:03d}", "bawaslu_officer", None, national))
        elif i < n_national + n_province:
            region = provinces[i % len(provinces)]
            specs.append((f"natl.officer.{i:03d}", "bawaslu_officer", region, offices[region]))
        else:
            region = regencies[i % len(regencies)]
            specs.append((f"natl.officer.{i:03d}", "bawaslu_officer", region, offices[region]))
    for i in range(viewers):
        where = None if i % 4 == 0 else provinces[i % len(provinces)]
        specs.append((f"natl.viewer.{i:03d}", "auditor", where, None))
    encoded = make_password(PASSWORD)  # one Argon2 hash for all: the same password
    roles = {r.code: r for r in Role.objects.all()}
    out: list[dict[str, Any]] = []
    for username, role, bound, office in specs:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"password": encoded, "is_active": True, "first_name": username},
        )
        Membership.objects.filter(user=user).delete()
        Membership.objects.create(
            user=user, role=roles[role], office=office, region_id=bound, is_active=True
        )
        TOTPDevice.objects.filter(user=user).delete()
        key = secrets.token_hex(20)
        TOTPDevice.objects.create(user=user, name="bench", key=key, confirmed=True)
        out.append({"username": username, "role": role, "region": bound, "totp_key": key})
    return out


def load_dataset(args: argparse.Namespace) -> dict[str, Any]:
    """In the child: bring the primary to the national dataset; returns step timings."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from netral.cases.models import Case
    from netral.demo.seed import seed as seed_demo
    from netral.insights.seeding import seed_cases, seed_civil_servants
    from netral.regions.models import Region
    from netral.registry.models import Agency, CivilServant, PPKAppointment
    from netral.rules.models import Election

    steps: dict[str, float] = {}

    def step(name: str, fn: Any) -> Any:
        start = time.perf_counter()
        result = fn()
        steps[name] = time.perf_counter() - start
        log(f"load: {name} in {steps[name]:.1f} s")
        return result

    step("migrate", lambda: call_command("migrate", verbosity=0))
    step("cache table", lambda: call_command("createcachetable", verbosity=0))
    step("regions", lambda: call_command("load_regions", verbosity=0))
    step("rules", lambda: call_command("load_rules", verbosity=0))
    step("demo world", seed_demo)
    have = CivilServant.objects.count()
    missing = max(0, args.civil_servants - have)
    if missing:
        step(f"civil servants +{missing:,}", lambda: seed_civil_servants(missing, args.seed))
    have_cases = Case.objects.count()
    missing_cases = max(0, args.cases - have_cases)
    if missing_cases:
        step(f"cases +{missing_cases:,}", lambda: seed_cases(missing_cases, args.seed))
    pilkada = Election.objects.get(slug="pilkada-2024")
    in_scope = Region.objects.filter(code__in=_pilkada_regions())
    step("Pilkada regions", lambda: pilkada.regions.set(in_scope))
    viewers = max(1, args.dashboards_per_minute)
    users = step("users", lambda: _users(args.officers, viewers, args.seed))
    with connection.cursor() as cursor:
        step("analyze", lambda: cursor.execute("ANALYZE"))
    regional = Agency.objects.exclude(region=None)
    counts = {
        "civil_servants": CivilServant.objects.count(),
        "cases": Case.objects.count(),
        "regional_governments": regional.count(),
        "with_ppk": PPKAppointment.objects.filter(agency__in=regional)
        .values("agency")
        .distinct()
        .count(),
        "pilkada_regions": pilkada.regions.count(),
        "reports_before": _report_count(),
    }
    log(f"load: {counts}")
    return {"steps": steps, "counts": counts, "users": users}


def _report_count() -> int:
    from netral.intake.models import Report

    return Report.objects.count()


# --- Topology ---------------------------------------------------------------------------------


def _read_env_file(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        key, sep, value = line.partition("=")
        if sep:
            parts = shlex.split(value) if value else [""]
            out[key.strip()] = parts[0] if parts else ""
    return out


def _pid_from_file(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


RAISED_LIMITS = {
    "NETRAL_RATE_REPORTS": "100000000/h",
    "NETRAL_RATE_REPORTS_NO_POW": "100000000/h",
}


ACCESS_LINE = re.compile(rb'"(?:GET|POST|HEAD|PUT|PATCH|DELETE|OPTIONS) [^"]*" \d{3} ')


@dataclass
class Topology:
    """Where the load goes and which processes do the work."""

    base_urls: list[str]
    database_url: str
    env: dict[str, str]  # the application's environment (the nodes')
    kind: str
    directory: Path | None = None
    ca_file: str = ""
    nodes: dict[str, int] = field(default_factory=dict)  # web node -> master pid
    others: dict[str, int] = field(default_factory=dict)  # workers, proxy, databases -> pid
    logs: dict[str, Path] = field(default_factory=dict)  # node -> its access log
    script: Path | None = None
    _own: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @classmethod
    def from_directory(cls, directory: Path, kind: str = "topology") -> Topology:
        described = _read_env_file(directory / "topology.env")
        env_file = Path(described.get("NETRAL_ENV_FILE", directory / "netral.env"))
        env = {**described, **(_read_env_file(env_file) if env_file.exists() else {})}
        topology = cls(
            base_urls=[described["NETRAL_BASE_URL"].rstrip("/")],
            database_url=described["DATABASE_URL"],
            env=env,
            kind=kind,
            directory=directory,
            ca_file=described.get("NETRAL_CA_FILE", ""),
        )
        topology.read_pids()
        return topology

    def client(self, node: int) -> Client:
        return Client(self.base_urls[node], node=node, ca_file=self.ca_file)

    def wait_ready(self, timeout: float = 90.0) -> None:
        for node in range(len(self.base_urls)):
            deadline = time.monotonic() + timeout
            while True:
                try:
                    self.client(node).request("GET", "/health")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{self.base_urls[node]} did not answer") from None
                    time.sleep(0.5)

    def read_pids(self) -> None:
        assert self.directory is not None
        self.nodes.clear()
        self.others.clear()
        for pid_file in sorted((self.directory / "pids").glob("*.pid")):
            pid = _pid_from_file(pid_file)
            if pid is None:
                continue
            if pid_file.stem.startswith("web"):
                self.nodes[pid_file.stem] = pid
                log_file = self.directory / "logs" / f"{pid_file.stem}.log"
                if log_file.exists():
                    self.logs[pid_file.stem] = log_file
            else:
                self.others[pid_file.stem] = pid

    @classmethod
    def data_up(cls, script: Path, port_base: int) -> Topology:
        """``topology.sh up DIR --data-only``: the databases and storage, migrated, so the
        dataset goes into the primary before the nodes start."""
        directory = Path(tempfile.mkdtemp(prefix="netral-natl-topology-"))
        overrides = [f"{k}={v}" for k, v in RAISED_LIMITS.items()]
        env = {**os.environ, "NETRAL_TOPOLOGY_PORT_BASE": str(port_base)}
        log(f"topology: {script} up {directory} --data-only")
        subprocess.run(  # noqa: S603  (our own command line)
            ["bash", str(script), "up", str(directory), "--data-only", *overrides],  # noqa: S607
            env=env,
            check=True,
        )
        topology = cls.from_directory(directory, kind="the deploy topology (started here)")
        topology.script = script
        topology.env["NETRAL_TOPOLOGY_PORT_BASE"] = str(port_base)
        return topology

    def start_rest(self) -> None:
        """The second ``up``: nodes, workers, schedulers and nginx."""
        if self.script is None or self.directory is None:
            return
        env = {**os.environ, "NETRAL_TOPOLOGY_PORT_BASE": self.env["NETRAL_TOPOLOGY_PORT_BASE"]}
        log("topology: up (nodes, workers, schedulers, proxy)")
        subprocess.run(  # noqa: S603  (our own command line)
            ["bash", str(self.script), "up", str(self.directory), "--no-migrate"],  # noqa: S607
            env=env,
            check=True,
        )
        self.read_pids()

    @classmethod
    def local(cls, postgres_url: str, fresh: bool) -> Topology:
        """Two gunicorn nodes and one task worker on the machine's PostgreSQL."""
        var_dir = Path(tempfile.mkdtemp(prefix="netral-natl-"))
        if fresh:
            database_url = create_postgres_database(postgres_url, LOCAL_DATABASE)
        else:
            database_url = harness.with_database(postgres_url, LOCAL_DATABASE)
        return cls(
            base_urls=[f"http://127.0.0.1:{port}" for port in LOCAL_PORTS],
            database_url=database_url,
            env=harness.server_env(database_url, var_dir, "natl"),
            kind="local (2 gunicorn nodes, 1 task worker, machine PostgreSQL, no replica)",
            directory=var_dir,
        )

    def start_local(self) -> None:
        assert self.directory is not None
        subprocess.run(  # noqa: S603  (our own command line)
            [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
            env=self.env,
            cwd=ROOT,
            check=True,
        )
        for n, port in enumerate(LOCAL_PORTS, start=1):
            if not _free(port):
                raise RuntimeError(f"port {port} is taken")
            name = f"web{n}"
            command = [
                sys.executable, "-m", "gunicorn", "netral.wsgi", "--workers", "2",
                "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--timeout", "60",
                "--access-logfile", "-",
            ]  # fmt: skip
            self._spawn(name, command)
            self.logs[name] = self.directory / f"{name}.log"
        self._spawn("worker1", [sys.executable, str(ROOT / "manage.py"), "db_worker"])
        master = postgres_master(self.database_url)
        if master is not None:
            self.others["pg-primary"] = master
        self.wait_ready()

    def _spawn(self, name: str, command: list[str]) -> None:
        assert self.directory is not None
        out = (self.directory / f"{name}.log").open("wb")
        proc = subprocess.Popen(  # noqa: S603  (our own command line)
            command, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
        self._own.append(proc)
        if name.startswith("web"):
            self.nodes[name] = proc.pid
        else:
            self.others[name] = proc.pid

    def loader_env(self) -> dict[str, str]:
        """The nodes' environment, but on the primary only (no replica router)."""
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("NETRAL_", "DJANGO_")) and k != "DATABASE_URL"
        }
        env = {**inherited, **self.env}
        env.pop("NETRAL_DATABASE_REPLICA_URL", None)
        env["DATABASE_URL"] = self.database_url
        env["DJANGO_SETTINGS_MODULE"] = "netral.settings"
        if "NETRAL_SECRET_KEY" not in env:
            env["NETRAL_DEBUG"] = "1"
        if "NETRAL_VAR_DIR" not in env and self.directory is not None:
            env["NETRAL_VAR_DIR"] = str(self.directory / "load")
        return env

    def stop(self) -> None:
        for proc in self._own:
            if proc.poll() is None:
                proc.terminate()
        for proc in self._own:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self.script is not None and self.directory is not None:
            env = {
                **os.environ,
                **{k: v for k, v in self.env.items() if k.startswith("NETRAL_TOP")},
            }
            log(f"topology: down {self.directory}")
            subprocess.run(  # noqa: S603  (our own command line)
                ["bash", str(self.script), "down", str(self.directory)],  # noqa: S607
                env=env,
                check=False,
            )


# --- CPU from /proc ---------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, int, int] | None:
    """(ppid, own user+system ticks, reaped children's ticks) of a process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                out[stat[0]].append(int(entry.name))
    return out


def tree_cpu_seconds(pid: int, children: dict[int, list[int]]) -> float | None:
    """CPU of a process and all its descendants, the reaped ones included."""
    stat = _stat(pid)
    if stat is None:
        return None
    ticks = stat[1] + stat[2]
    for child in children.get(pid, []):
        ticks += int((tree_cpu_seconds(child, children) or 0.0) * TICK)
    return ticks / TICK


def postgres_master(database_url: str) -> int | None:  # --local: the machine's server
    """The postmaster of a server on this machine (the parent of our backend), if local."""
    import psycopg

    try:
        with psycopg.connect(database_url, autocommit=True, connect_timeout=5) as conn:
            row = conn.execute("SELECT pg_backend_pid()").fetchone()
    except psycopg.Error:
        return None
    if row is None:
        return None
    stat = _stat(int(row[0]))
    return stat[0] if stat else None


# --- HTTP client ------------------------------------------------------------------------------


class Client:
    """One keep-alive connection with a cookie jar (enough for the pages used here)."""

    def __init__(
        self, base_url: str, timeout: float = 60.0, node: int = 0, ca_file: str = ""
    ) -> None:
        self.node = node
        self.ca_file = ca_file  # which of the base URLs (in --local mode: which node)
        self.lock = threading.Lock()
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.https = parts.scheme == "https"
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.conn is None:
            if self.https:
                import ssl

                context = ssl.create_default_context(cafile=self.ca_file or None)
                self.conn = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (0, 1):
            conn = self._connect()
            try:
                conn.request(method, path, body=body, headers=sent)
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection: once more on a new one.
                self.close()
                if attempt:
                    raise
                continue
            except OSError:
                self.close()
                raise
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        raise OSError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def totp(hex_key: str) -> str:
    """The current code of a TOTP device's key (django-otp's own RFC 6238, as the login checks)."""
    from django_otp.oath import totp as oath_totp

    return f"{oath_totp(bytes.fromhex(hex_key)):06d}"


class SecondFactorRefused(RuntimeError):
    """The TOTP code was refused (one code per device and 30-second step)."""


CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(client: Client, username: str, totp_key: str) -> None:
    """The browser's way in: the login form, then the second factor."""

    def form(path: str, fields: dict[str, str]) -> tuple[int, dict[str, str]]:
        status, _, page = client.request("GET", path)
        match = CSRF_FIELD.search(page)
        if status != 200 or match is None:
            raise RuntimeError(f"{path}: {status}, no form")
        body = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), **fields}).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{'https' if client.https else 'http'}://{client.host}:{client.port}{path}",
        }
        status, answer, _ = client.request("POST", path, body, headers)
        return status, answer

    status, headers = form("/akun/masuk/", {"username": username, "password": PASSWORD})
    if status != 302:
        raise RuntimeError(f"{username}: login answered {status}")
    status, headers = form("/akun/otp/", {"token": totp(totp_key)})
    if status != 302 or "/akun/otp/" in headers.get("location", ""):
        raise SecondFactorRefused(f"{username}: second factor answered {status}")


# --- Load generator ---------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    node: int
    status: int  # 0: no answer
    ms: float


class Recorder:
    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self.lock = threading.Lock()
        self.mismatched_retries = 0
        self.receipts = 0

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def report_body(rng: random.Random, regions: list[str]) -> bytes:
    today = date.today()
    region = rng.choice(regions)
    body = {
        "violation_type": rng.choice(["banner", "online-campaign", "campaign-participation"]),
        "election": "pilkada-2024",
        "accused": {"name": f"ASN {rng.randrange(4_300_000)}", "agency": f"Pemerintah {region}"},
        "act_date": (today - timedelta(days=rng.randint(0, 5))).isoformat(),
        "act_place": "TPS 07, Kelurahan Sukamaju",
        "act_region": region,
        "learned_date": today.isoformat(),
        "description": "Mengarahkan pemilih di sekitar TPS pada hari pemungutan suara.",
        "links": [],
        "evidence": [],
        "statement_true": True,
    }
    return json.dumps(body).encode()


class Load:
    """The burst: submissions (open), officers (closed, think time), dashboards (open)."""

    def __init__(
        self,
        topology: Topology,
        args: argparse.Namespace,
        officers: list[tuple[dict[str, Any], Client]],
        viewers: list[tuple[dict[str, Any], Client]],
        regions: list[str],
    ) -> None:
        self.topology = topology
        self.args = args
        self.officers = officers
        self.viewers = viewers
        self.regions = regions
        self.recorder = Recorder()
        self.local = threading.local()
        self.per_node: Counter[int] = Counter()
        self.stop_at = 0.0
        self._node_turn = 0
        self._turn_lock = threading.Lock()

    def _next_node(self) -> int:
        with self._turn_lock:
            self._node_turn += 1
            return self._node_turn % len(self.topology.base_urls)

    def _client(self, node: int) -> Client:
        clients: dict[int, Client] | None = getattr(self.local, "clients", None)
        if clients is None:
            clients = self.local.clients = {}
        if node not in clients:
            clients[node] = self.topology.client(node)
        return clients[node]

    def _timed(
        self,
        kind: str,
        scheduled: float,
        client: Client,
        node: int,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        try:
            status, _, data = client.request(method, path, body, headers)
        except OSError:
            status, data = 0, b""
        self.recorder.add(Sample(kind, node, status, (time.monotonic() - scheduled) * 1000))
        with self._turn_lock:
            self.per_node[node] += 1
        return status, data

    def _submit(self, scheduled: float, seq: int) -> None:
        node = self._next_node()
        client = self._client(node)
        rng = random.Random(seq)
        body = report_body(rng, self.regions)
        key = uuid.uuid4().hex
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        status, data = self._timed(
            "report submission", scheduled, client, node, "POST", "/api/v1/reports", body, headers
        )
        if status == 201 and seq % RETRY_EVERY == 0:
            # A client that lost the answer sends the same submission again.
            first = json.loads(data).get("receipt_code")
            node = self._next_node()
            again, data = self._timed(
                "  same key again", time.monotonic(), self._client(node), node, "POST",
                "/api/v1/reports", body, headers,
            )  # fmt: skip
            if again not in (200, 201) or json.loads(data).get("receipt_code") != first:
                with self.recorder.lock:
                    self.recorder.mismatched_retries += 1

    def _submissions(self, start: float, pool: ThreadPoolExecutor) -> None:
        total = int(self.args.rate * self.args.duration)
        for seq in range(total):
            scheduled = start + seq / self.args.rate
            delay = scheduled - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(self._submit, scheduled, seq)

    def _officer(self, n: int, user: dict[str, Any], client: Client) -> None:
        rng = random.Random(n)
        think = self.args.think_seconds
        time.sleep(rng.uniform(0, think))
        cursor: str | None = None
        page = 0
        turn = 0
        node = client.node
        while time.monotonic() < self.stop_at:
            turn += 1
            scheduled = time.monotonic()
            if turn % 3 == 0:
                self._timed(
                    "officer: reports page", scheduled, client, node, "GET",
                    "/api/v1/reports?limit=25",
                )  # fmt: skip
            else:
                query = "limit=25" + (f"&cursor={cursor}" if cursor else "")
                status, data = self._timed(
                    "officer: case page", scheduled, client, node, "GET", f"/api/v1/cases?{query}"
                )
                page += 1
                cursor = json.loads(data).get("next_cursor") if status == 200 else None
                if page >= PAGES_PER_ROUND or cursor is None:
                    page, cursor = 0, None
            time.sleep(max(0.0, rng.uniform(0.5 * think, 1.5 * think)))

    def _dashboards(self, start: float, pool: ThreadPoolExecutor) -> None:
        every = 60.0 / self.args.dashboards_per_minute
        seq = 0
        while True:
            scheduled = start + seq * every
            if scheduled >= self.stop_at:
                return
            delay = scheduled - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            _user, client = self.viewers[seq % len(self.viewers)]
            pool.submit(self._dashboard, scheduled, client)
            seq += 1

    def _dashboard(self, scheduled: float, client: Client) -> None:
        with client.lock:  # one browser tab per viewer
            self._timed("dashboard", scheduled, client, client.node, "GET", "/dasbor/")

    def calibrate(self, count: int) -> list[dict[str, Any]]:
        """Each kind alone (4 at a time, ``count`` requests; dashboards a quarter of that):
        the CPU of the nodes and of the primary per request of that kind."""
        kinds: list[tuple[str, int, Any]] = [
            ("report submission", count, self._calibrate_submit),
            ("officer: case page", count, self._calibrate_page("/api/v1/cases?limit=25")),
            ("officer: reports page", count, self._calibrate_page("/api/v1/reports?limit=25")),
            ("dashboard", max(4, count // 4), self._calibrate_page("/dasbor/")),
        ]
        out: list[dict[str, Any]] = []
        for kind, n, fn in kinds:
            before = _cpu_snapshot(self.topology)
            start = time.monotonic()
            with ThreadPoolExecutor(max_workers=4) as pool:
                statuses = list(pool.map(fn, range(n)))
            seconds = time.monotonic() - start
            after = _cpu_snapshot(self.topology)
            nodes = sum(_delta(before, after, name) or 0.0 for name in self.topology.nodes)
            primary = _delta(before, after, "PostgreSQL primary")
            ok = sum(1 for status in statuses if 200 <= status < 300)
            out.append(
                {
                    "kind": kind,
                    "requests": n,
                    "ok": ok,
                    "seconds": seconds,
                    "node_ms": nodes / n * 1000,
                    "primary_ms": None if primary is None else primary / n * 1000,
                }
            )
            log(f"calibrated {kind}: {out[-1]}")
        return out

    def _calibrate_submit(self, seq: int) -> int:
        node = seq % len(self.topology.base_urls)
        body = report_body(random.Random(-seq - 1), self.regions)
        headers = {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
        try:
            return self._client(node).request("POST", "/api/v1/reports", body, headers)[0]
        except OSError:
            return 0

    def _calibrate_page(self, path: str) -> Any:
        users = self.viewers if path == "/dasbor/" else self.officers

        def one(seq: int) -> int:
            _user, client = users[seq % len(users)]
            with client.lock:
                try:
                    return client.request("GET", path)[0]
                except OSError:
                    return 0

        return one

    def run(self) -> float:
        start = time.monotonic() + 1.0
        self.stop_at = start + self.args.duration
        threads: list[threading.Thread] = []
        with (
            ThreadPoolExecutor(max_workers=128, thread_name_prefix="submit") as pool,
            ThreadPoolExecutor(max_workers=len(self.viewers), thread_name_prefix="dash") as dash,
        ):
            for n, (user, client) in enumerate(self.officers):
                thread = threading.Thread(target=self._officer, args=(n, user, client), daemon=True)
                thread.start()
                threads.append(thread)
            dashboards = threading.Thread(target=self._dashboards, args=(start, dash), daemon=True)
            dashboards.start()
            self._submissions(start, pool)
            dashboards.join()
            for thread in threads:
                thread.join(timeout=self.args.think_seconds * 2 + 60)
        return time.monotonic() - start


class LagSampler(threading.Thread):
    """Replica lag every ``every`` seconds: replay lag and bytes behind, from the primary."""

    def __init__(self, primary_url: str, every: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.primary_url = primary_url
        self.every = every
        self.seconds: list[float] = []
        self.bytes: list[float] = []
        self.replicas: set[str] = set()
        self.errors = 0
        self.halt = threading.Event()

    def run(self) -> None:
        import psycopg

        try:
            conn = psycopg.connect(self.primary_url, autocommit=True, connect_timeout=5)
        except psycopg.Error:
            self.errors += 1
            return
        with conn:
            while not self.halt.wait(self.every):
                try:
                    rows = conn.execute(
                        "SELECT application_name, EXTRACT(EPOCH FROM COALESCE(replay_lag, "
                        "'0'::interval)), pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) "
                        "FROM pg_stat_replication"
                    ).fetchall()
                except psycopg.Error:
                    self.errors += 1
                    continue
                for name, lag, behind in rows:
                    self.replicas.add(str(name))
                    self.seconds.append(float(lag or 0))
                    self.bytes.append(float(behind or 0))


# --- Parent -----------------------------------------------------------------------------------


def _cpu_snapshot(topology: Topology) -> dict[str, float | None]:
    """CPU seconds so far of each node and of the other processes, grouped."""
    children = _children()
    out: dict[str, float | None] = {}
    for name, pid in sorted(topology.nodes.items()):
        out[name] = tree_cpu_seconds(pid, children)
    groups: dict[str, list[int]] = defaultdict(list)
    for name, pid in topology.others.items():
        group = PROCESS_GROUPS.get(name.rstrip("0123456789"), name)
        groups[group].append(pid)
    for group, pids in sorted(groups.items()):
        seconds = [tree_cpu_seconds(pid, children) for pid in pids]
        known = [x for x in seconds if x is not None]
        out[group] = sum(known) if known else None
    own = os.times()
    out["load generator (this)"] = own.user + own.system
    return out


PROCESS_GROUPS = {
    "worker": "task workers + schedulers",
    "scheduler": "task workers + schedulers",
    "proxy": "nginx",
    "moto": "S3 (moto)",
    "pg-primary": "PostgreSQL primary",
    "pg-replica": "PostgreSQL replica",
}


def _delta(
    before: dict[str, float | None], after: dict[str, float | None], key: str
) -> float | None:
    a, b = before.get(key), after.get(key)
    return None if a is None or b is None else b - a


def _access_lines(path: Path) -> int:
    """Access-log lines of a node's log (gunicorn's format: ``"GET /path HTTP/1.1" 200``)."""
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if ACCESS_LINE.search(line))
    except OSError:
        return 0


def sign_in_all(
    topology: Topology, users: list[dict[str, Any]]
) -> tuple[list[tuple[dict[str, Any], Client]], list[float], int]:
    """Every user signs in (8 at a time); returns the clients, latencies and failures."""
    signed: list[tuple[dict[str, Any], Client]] = []
    seconds: list[float] = []
    failures = 0
    lock = threading.Lock()

    def one(n: int, user: dict[str, Any]) -> None:
        nonlocal failures
        node = n % len(topology.base_urls)
        client = topology.client(node)
        start = time.monotonic()
        for attempt in range(3):
            try:
                sign_in(client, user["username"], user["totp_key"])
                break
            except (OSError, RuntimeError) as exc:
                if attempt == 2 or not isinstance(exc, SecondFactorRefused):
                    log(f"sign-in failed: {exc}")
                    with lock:
                        failures += 1
                    return
                # A TOTP code is used once per 30-second step: wait for the next one.
                client = topology.client(node)
                time.sleep(31 - time.time() % 30)
        with lock:
            signed.append((user, client))
            seconds.append(time.monotonic() - start)

    with ThreadPoolExecutor(max_workers=8) as pool:
        for n, user in enumerate(users):
            pool.submit(one, n, user)
    order = {u["username"]: i for i, u in enumerate(users)}
    signed.sort(key=lambda pair: order[pair[0]["username"]])
    return signed, seconds, failures


def _regencies_from_db(database_url: str) -> list[str]:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT r.code FROM rules_election_regions er "
            "JOIN rules_election e ON e.id = er.election_id "
            "JOIN regions_region r ON r.code = er.region_id "
            "WHERE e.slug = 'pilkada-2024' AND r.level = 2 ORDER BY r.code"
        ).fetchall()
    return [str(r[0]) for r in rows]


def _db_counts(database_url: str, since_id: int) -> dict[str, int]:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*), coalesce(max(id), 0) FROM intake_report WHERE id > %s", [since_id]
        ).fetchone()
    assert row is not None
    return {"new_reports": int(row[0]), "max_id": int(row[1])}


def _max_report_id(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("SELECT coalesce(max(id), 0) FROM intake_report").fetchone()
    return int(row[0]) if row else 0


def print_results(
    args: argparse.Namespace,
    topology: Topology,
    loaded: dict[str, Any],
    sign_in_seconds: list[float],
    sign_in_failures: int,
    load: Load,
    elapsed: float,
    cpu: dict[str, float | None],
    node_requests: dict[str, int],
    node_count_source: str,
    lag: LagSampler,
    stored: dict[str, int],
    loads: tuple[str, str],
) -> dict[str, Any]:
    samples = load.recorder.samples
    print()
    print(
        f"National voting-day benchmark: {topology.kind}; {args.rate:g} submissions/s for "
        f"{args.duration:g} s, {args.officers} officers (a page every ~{args.think_seconds:g} s), "
        f"{args.dashboards_per_minute} dashboard refreshes/min"
    )
    print(f"machine: {os.cpu_count()} CPUs; {loads[0]} before the burst, {loads[1]} after")
    counts = loaded.get("counts", {})
    if counts:
        print(
            "dataset: {civil_servants:,} civil servants, {regional_governments} regional "
            "governments ({with_ppk} with their PPK), {pilkada_regions} Pilkada regions, "
            "{cases:,} cases".format(**counts)
        )
        steps = loaded.get("steps", {})
        print("loaded: " + ", ".join(f"{k} {v:.0f} s" for k, v in steps.items()))
    if sign_in_seconds:
        print(
            f"sign-in (before the burst): {len(sign_in_seconds)} users, p50 "
            f"{percentile(sign_in_seconds, 0.5):.2f} s, {sign_in_failures} failed"
        )
    print()
    header = (
        f"{'request kind':<24} {'requests':>8} {'per s':>7} {'errors':>7} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8}"
    )
    print(header)
    print("-" * len(header))
    table: list[dict[str, Any]] = []
    for kind in KINDS:
        ms = [s.ms for s in samples if s.kind == kind]
        if not ms:
            continue
        errors = Counter(s.status for s in samples if s.kind == kind and not 200 <= s.status < 300)
        row = {
            "kind": kind.strip(),
            "requests": len(ms),
            "per_s": len(ms) / elapsed,
            "errors": sum(errors.values()),
            "error_statuses": dict(errors),
            "p50": percentile(ms, 0.5),
            "p99": percentile(ms, 0.99),
            "max": max(ms),
        }
        table.append(row)
        print(
            f"{kind:<24} {row['requests']:>8,} {row['per_s']:>7.1f} {row['errors']:>7,} "
            f"{row['p50']:>8.0f} {row['p99']:>8.0f} {row['max']:>8.0f}"
        )
    total = len(samples)
    print("-" * len(header))
    all_errors = sum(1 for s in samples if not 200 <= s.status < 300)
    print(f"{'all':<24} {total:>8,} {total / elapsed:>7.1f} {all_errors:>7,}")
    print(
        f"(per s: answers over the {elapsed:.0f} s from the first send to the last answer; the "
        f"schedule itself lasted {args.duration:g} s, any more is a backlog draining)"
    )
    statuses = Counter(s.status for s in samples if not 200 <= s.status < 300)
    if statuses:
        print(
            "error answers: " + ", ".join(f"{k or 'no answer'}: {v}" for k, v in statuses.items())
        )
    created = sum(1 for s in samples if s.kind == "report submission" and s.status == 201)
    print(
        f"submissions: {created:,} receipts, {stored['new_reports']:,} new reports stored, "
        f"{load.recorder.mismatched_retries} repeated keys answered another receipt"
    )
    print()
    if lag.replicas:
        print(
            f"replica lag ({', '.join(sorted(lag.replicas))}, {len(lag.seconds)} samples every "
            f"{lag.every:g} s): replay p50 {percentile(lag.seconds, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(lag.seconds, 0.99) * 1000:.0f} ms, max "
            f"{max(lag.seconds) * 1000:.0f} ms; behind p50 "
            f"{percentile(lag.bytes, 0.5) / 1024:.0f} KiB, max {max(lag.bytes) / 1024:.0f} KiB"
        )
    else:
        print("replica lag: no replica streams from this primary")
    print()
    header = (
        f"{'process':<26} {'CPU s':>8} {'requests':>9} {'CPU s per 1,000 req':>20} "
        f"{'cores busy':>10}"
    )
    print(header)
    print("-" * len(header))
    cpu_rows: list[dict[str, Any]] = []
    for name, seconds in cpu.items():
        requests = node_requests.get(name, total if not name.startswith("web") else 0)
        per_thousand = seconds / requests * 1000 if seconds is not None and requests else None
        cpu_rows.append(
            {"process": name, "cpu_s": seconds, "requests": requests, "per_1000": per_thousand}
        )
        print(
            f"{name:<26} {_fmt(seconds, '.1f'):>8} {requests:>9,} "
            f"{_fmt(per_thousand, '.2f'):>20} {_fmt(_div(seconds, elapsed), '.2f'):>10}"
        )
    print(f"(node request counts: {node_count_source})")
    return {"table": table, "cpu": cpu_rows, "elapsed": elapsed}


def print_calibration(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    print()
    print("CPU per request of each kind alone (before the burst, 4 at a time):")
    header = (
        f"{'request kind':<24} {'requests':>8} {'ok':>6} {'nodes ms':>9} {'primary ms':>11} "
        f"{'per s':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['kind']:<24} {r['requests']:>8,} {r['ok']:>6,} {r['node_ms']:>9.1f} "
            f"{_fmt(r['primary_ms'], '.1f'):>11} {r['requests'] / r['seconds']:>7.1f}"
        )


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _div(a: float | None, b: float) -> float | None:
    return None if a is None or not b else a / b


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--topology", type=Path, help="directory of a topology already up")
    parser.add_argument("--local", action="store_true", help="two gunicorn nodes of our own")
    parser.add_argument("--civil-servants", type=int, default=4_300_000)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--rate", type=float, default=50.0, help="report submissions per second")
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of the burst")
    parser.add_argument("--officers", type=int, default=200)
    parser.add_argument("--dashboards-per-minute", type=int, default=50)
    parser.add_argument("--think-seconds", type=float, default=5.0)
    parser.add_argument(
        "--calibrate", type=int, default=200, help="requests of each kind alone first (0: none)"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run (small figures)")
    parser.add_argument("--skip-load", action="store_true", help="the dataset is there already")
    parser.add_argument(
        "--keep", action="store_true", help="leave the database (and topology directory) behind"
    )
    parser.add_argument(
        "--port-base", type=int, default=15310, help="NETRAL_TOPOLOGY_PORT_BASE of a topology"
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    )
    parser.add_argument("--_child", choices=["load"], help=argparse.SUPPRESS)
    parser.add_argument("--_out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    if args._child == "load":
        result = load_dataset(args)
        args._out.write_text(json.dumps(result))
        return 0

    script = ROOT / "deploy" / "topology.sh"
    if args.topology:
        topology = Topology.from_directory(args.topology)
    elif not args.local and script.exists():
        topology = Topology.data_up(script, args.port_base)
    else:
        topology = Topology.local(args.postgres_url, fresh=not args.skip_load)

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        return _run(args, topology)
    except KeyboardInterrupt:
        log("interrupted")
        return 1
    finally:
        topology.stop()
        local = topology.kind.startswith("local")
        if local and not args.keep:
            harness.drop_postgres_database(args.postgres_url, LOCAL_DATABASE)
        if topology.directory is not None and (local or topology.script) and not args.keep:
            shutil.rmtree(topology.directory, ignore_errors=True)
        elif topology.directory is not None and topology.script:
            log(f"kept: {topology.directory}")


def _run(args: argparse.Namespace, topology: Topology) -> int:
    log(f"topology: {topology.kind}; {', '.join(topology.base_urls)}")
    loaded: dict[str, Any] = {}
    users: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="netral-natl-") as tmp:
        out = Path(tmp) / "loaded.json"
        command = [
            sys.executable, str(Path(__file__).resolve()), "--_child=load", f"--_out={out}",
            f"--civil-servants={0 if args.skip_load else args.civil_servants}",
            f"--cases={0 if args.skip_load else args.cases}", f"--officers={args.officers}",
            f"--dashboards-per-minute={args.dashboards_per_minute}", f"--seed={args.seed}",
        ]  # fmt: skip
        log("loading the dataset into the primary")
        subprocess.run(command, env=topology.loader_env(), check=True)  # noqa: S603
        loaded = json.loads(out.read_text())
        users = loaded.pop("users")
    if topology.kind.startswith("local"):
        topology.start_local()
    else:
        topology.start_rest()
    topology.wait_ready()
    regions = _regencies_from_db(topology.database_url)
    officers_users = [u for u in users if u["role"] == "bawaslu_officer"]
    viewer_users = [u for u in users if u["role"] == "auditor"]
    log(f"signing in {len(users)} users")
    signed, sign_in_seconds, sign_in_failures = sign_in_all(topology, users)
    officers = [pair for pair in signed if pair[0]["role"] == "bawaslu_officer"]
    viewers = [pair for pair in signed if pair[0]["role"] == "auditor"]
    if len(officers) < len(officers_users) or len(viewers) < len(viewer_users):
        log(f"{sign_in_failures} users could not sign in; going on with the others")
    if not viewers:
        raise RuntimeError("no dashboard viewer could sign in")
    load = Load(topology, args, officers, viewers, regions)
    calibration = load.calibrate(args.calibrate) if args.calibrate else []
    lag = LagSampler(topology.database_url)
    first_id = _max_report_id(topology.database_url)
    lines_before = {name: _access_lines(path) for name, path in topology.logs.items()}
    load_before = machine_load()
    before = _cpu_snapshot(topology)
    lag.start()
    log(f"burst: {args.rate:g}/s for {args.duration:g} s")
    elapsed = load.run()
    after = _cpu_snapshot(topology)
    lag.halt.set()
    lag.join(timeout=10)
    load_after = machine_load()
    cpu = {name: _delta(before, after, name) for name in before}
    total = len(load.recorder.samples)
    node_requests: dict[str, int] = {}
    if topology.logs and len(topology.logs) == len(topology.nodes):
        for name, path in topology.logs.items():
            node_requests[name] = _access_lines(path) - lines_before[name]
        source = "each node's access log (the burst's requests and any others it answered)"
    elif len(topology.base_urls) == len(topology.nodes) > 0:
        names = sorted(topology.nodes)
        node_requests = {names[i]: load.per_node[i] for i in range(len(names))}
        source = "the requests this script sent to each node"
    else:
        for name in topology.nodes:
            node_requests[name] = total // max(1, len(topology.nodes))
        source = "no per-node count available: the balancer's even split assumed"
    stored = _db_counts(topology.database_url, first_id)
    results = print_results(
        args, topology, loaded, sign_in_seconds, sign_in_failures, load, elapsed, cpu,
        node_requests, source, lag, stored, (load_before, load_after),
    )  # fmt: skip
    results["calibration"] = calibration
    print_calibration(calibration)
    if args.json:
        args.json.write_text(json.dumps({**results, "loaded": loaded}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
