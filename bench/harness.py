"""What the benchmarks share: one subprocess per database (Django reads its settings once per
process), a throwaway database for each, the result handed back as one marked JSON line, and
the lines they log."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
RESULT_MARK = "BENCH-RESULT "


def log(message: str) -> None:
    print(
        f"[bench {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}",
        file=sys.stderr,
        flush=True,
    )


def machine_load() -> str:
    """Load average and CPU pressure: other work on the machine skews the numbers."""
    text = "load average " + " ".join(f"{v:.1f}" for v in os.getloadavg())
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0].split()
        text += f", CPU pressure {some[2].split('=')[1]}% (60 s)"
    except (OSError, IndexError):
        pass
    return text


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mib() -> float | None:
    """This process's peak RSS since start or the last reset (Linux), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def with_database(url: str, name: str) -> str:
    """``url`` naming database ``name`` instead of its own."""
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def create_postgres_database(admin_url: str, name: str) -> str:
    """A new, empty database ``name`` on the server of ``admin_url`` (a leftover is dropped)."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(admin_url, name)


def drop_postgres_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextmanager
def database(vendor: str, postgres_url: str) -> Iterator[None]:
    """A fresh SQLite file or PostgreSQL database for this process, removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="netral-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "netral.settings"
    os.environ["NETRAL_DEBUG"] = "1"
    os.environ["NETRAL_VAR_DIR"] = str(workdir)
    db_name = ""
    if vendor == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        db_name = f"netral_bench_{os.getpid()}"
        os.environ["DATABASE_URL"] = create_postgres_database(postgres_url, db_name)
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        if db_name:
            drop_postgres_database(postgres_url, db_name)
        shutil.rmtree(workdir, ignore_errors=True)


def report(result: dict[str, Any]) -> None:
    """In the child: hand the result to the parent."""
    print(RESULT_MARK + json.dumps(result), flush=True)


def run_child(
    script: str, child: str, arguments: list[str], env: dict[str, str] | None = None
) -> dict[str, Any]:
    """In the parent: run ``script --_child=<child>`` (a database, or a step) and read its
    result, or ``{"database": child, "error": ...}`` when it failed."""
    command = [sys.executable, str(Path(script).resolve()), *arguments, f"--_child={child}"]
    proc = subprocess.run(  # noqa: S603  (a benchmark script, our arguments)
        command, stdout=subprocess.PIPE, text=True, check=False, env=env
    )
    marked = [
        line[len(RESULT_MARK) :]
        for line in proc.stdout.splitlines()
        if line.startswith(RESULT_MARK)
    ]
    if proc.returncode != 0 or not marked:
        return {"database": child, "error": f"exit {proc.returncode}"}
    result: dict[str, Any] = json.loads(marked[-1])
    return result
