"""What the benchmarks share: one subprocess per database (Django reads its settings once per
process), a throwaway database for each, and the result handed back as one marked JSON line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.import_civil_servants import _create_postgres_database, _drop_postgres_database

RESULT_MARK = "BENCH-RESULT "


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
        os.environ["DATABASE_URL"] = _create_postgres_database(postgres_url, db_name)
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        if db_name:
            _drop_postgres_database(postgres_url, db_name)
        shutil.rmtree(workdir, ignore_errors=True)


def report(result: dict[str, Any]) -> None:
    """In the child: hand the result to the parent."""
    print(RESULT_MARK + json.dumps(result), flush=True)


def run_child(script: str, database: str, arguments: list[str]) -> dict[str, Any]:
    """In the parent: run ``script`` for one database and read its result (or the failure)."""
    command = [sys.executable, str(Path(script).resolve()), *arguments, f"--_child={database}"]
    proc = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)  # noqa: S603
    marked = [
        line[len(RESULT_MARK) :]
        for line in proc.stdout.splitlines()
        if line.startswith(RESULT_MARK)
    ]
    if proc.returncode != 0 or not marked:
        return {"database": database, "error": f"exit {proc.returncode}"}
    result: dict[str, Any] = json.loads(marked[-1])
    return result
