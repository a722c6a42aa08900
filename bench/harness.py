"""What the benchmarks share: one subprocess per database (Django reads its settings once per
process), a throwaway database for each, the result handed back as one marked JSON line, and
the lines they log."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
RESULT_MARK = "BENCH-RESULT "
DATABASES = ("sqlite", "postgresql")


def db_prefix() -> str:
    """Prefix of the throwaway PostgreSQL databases (``BENCH_DB_PREFIX``, so that several
    people sharing one server keep to their own names)."""
    return os.environ.get("BENCH_DB_PREFIX", "netral_bench")


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
def database(vendor: str, postgres_url: str, keep: str = "") -> Iterator[bool]:
    """A fresh SQLite file or PostgreSQL database for this process, removed afterwards.

    With ``keep`` (a name), the database is kept for the next run instead: a SQLite file
    ``<tmp>/<prefix>_<keep>.sqlite3`` or a PostgreSQL database ``<prefix>_<keep>``, reused
    when it exists. Yields whether it was reused (the caller then skips its loading)."""
    workdir = Path(tempfile.mkdtemp(prefix="netral-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "netral.settings"
    os.environ["NETRAL_DEBUG"] = "1"
    os.environ["NETRAL_VAR_DIR"] = str(workdir)
    db_name = ""
    reused = False
    if vendor == "sqlite":
        if keep:
            path = Path(tempfile.gettempdir()) / f"{db_prefix()}_{keep}.sqlite3"
            reused = path.exists()
        else:
            path = workdir / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    elif keep:
        import psycopg

        name = f"{db_prefix()}_{keep}"
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            reused = bool(
                conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            )
            if not reused:
                conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = with_database(postgres_url, name)
    else:
        db_name = f"{db_prefix()}_{os.getpid()}"
        os.environ["DATABASE_URL"] = create_postgres_database(postgres_url, db_name)
    try:
        yield reused
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


# --- The command line and the table every benchmark shares --------------------------------------


def parser(
    doc: str | None, *, repeat: int | None = None, database: str = "both"
) -> argparse.ArgumentParser:
    """The arguments every benchmark takes: ``--database sqlite|postgresql|both``,
    ``--postgres-url`` (``BENCH_POSTGRES_URL``), ``--repeat`` when it samples, and the hidden
    ``--_child`` the parent passes to the process of one database."""
    out = argparse.ArgumentParser(
        description=doc.split("\n\n")[0] if doc else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    out.add_argument(
        "--database", choices=[*DATABASES, "both"], default=database, help=f"({database})"
    )
    out.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="server on which a throwaway database is created and dropped",
    )
    if repeat is not None:
        out.add_argument("--repeat", type=int, default=repeat, help=f"samples ({repeat})")
    out.add_argument("--_child", help=argparse.SUPPRESS)
    return out


def databases(args: argparse.Namespace) -> list[str]:
    return list(DATABASES) if args.database == "both" else [args.database]


def child_arguments(args: argparse.Namespace, *names: str) -> list[str]:
    """``--name=value`` for the parent's arguments ``names`` (given to each child)."""
    out = [f"--postgres-url={args.postgres_url}"]
    for name in names:
        value = getattr(args, name.replace("-", "_"))
        if isinstance(value, bool):
            if value:
                out.append(f"--{name}")
        elif value is not None:
            out.append(f"--{name}={value}")
    return out


def heading(title: str, load_before: str) -> None:
    """The title of a result and the machine it ran on (load before and after)."""
    print()
    print(title)
    print(f"machine: {os.cpu_count()} CPUs; {load_before} before, {machine_load()} after")
    print()


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A Markdown table (as pasted into the README): the first column left-aligned, the
    others right-aligned."""
    lines = [list(header), *[list(row) for row in rows]]
    widths = [
        max(len(line[i]) if i < len(line) else 0 for line in lines) for i in range(len(header))
    ]

    def fmt(row: list[str]) -> str:
        row = row + [""] * (len(header) - len(row))
        cells = [c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)]
        return "| " + " | ".join(cells) + " |"

    print(fmt(lines[0]))
    print(
        "|"
        + "|".join(("-" * (w + 1) + ":") if i else ("-" * (w + 2)) for i, w in enumerate(widths))
        + "|"
    )
    for row in lines[1:]:
        print(fmt(row))


def server_env(
    database_url: str, var_dir: Path, tag: str = "bench", **overrides: str
) -> dict[str, str]:
    """Production settings (README "Configuration") with fresh keys, for a server a benchmark
    starts: the caller's environment without its NETRAL_/DJANGO_ settings, report rate limits
    high enough never to be reached (still counted, as in production), ``overrides`` last."""
    import base64
    import secrets

    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NETRAL_", "DJANGO_")) and k != "DATABASE_URL"
    }
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "netral.settings",
        "DATABASE_URL": database_url,
        "NETRAL_VAR_DIR": str(var_dir),
        "NETRAL_DEBUG": "0",
        "NETRAL_TESTING": "0",
        "NETRAL_HTTPS": "0",
        "NETRAL_SECRET_KEY": secrets.token_urlsafe(48),
        "NETRAL_IDENTITY_KEYS": f"{tag}:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "NETRAL_AUDIT_SIGNING_KEY": f"{tag}:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "NETRAL_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "NETRAL_LOG_LEVEL": "WARNING",
        "NETRAL_RATE_REPORTS": "100000000/h",
        "NETRAL_RATE_REPORTS_NO_POW": "100000000/h",  # the API is driven without a PoW
        **overrides,
    }
