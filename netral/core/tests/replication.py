"""A throwaway PostgreSQL primary and its streaming replica, for the replica's tests.

The primary is a fresh cluster (``initdb``) on a free loopback port, loaded with a copy of a
database (``pg_dump | psql``); the replica is ``pg_basebackup -R`` of it on a second port, a hot
standby that replays the primary's WAL. Both live in a temporary directory and are stopped and
removed by ``close()``. As root, the servers run as the ``postgres`` user (``runuser``), as
``scripts/test.sh`` does for the test database itself.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

DATABASE = "netral"


def server_binaries() -> Path | None:
    """The newest PostgreSQL server binaries on this machine (Debian's layout), if any."""
    found = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")]
    found = [p for p in found if (p / "initdb").exists() and (p / "pg_basebackup").exists()]
    if not found:
        return None
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ReplicatedCluster:
    """A primary and one replica; ``primary``/``replica`` are their ports."""

    def __init__(self, binaries: Path) -> None:
        self.bin = binaries
        self.tmp = Path(tempfile.mkdtemp(prefix="netral-replica-"))
        self.as_pg: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root
            shutil.chown(self.tmp, "postgres")
            self.as_pg = ["runuser", "-u", "postgres", "--"]
        self.primary = free_port()
        self.replica = free_port()
        self.started: list[Path] = []

    # --- servers --------------------------------------------------------------------------

    def _run(self, *args: str | Path, as_server: bool = False, **kwargs: Any) -> None:
        command = [*(self.as_pg if as_server else []), *(str(a) for a in args)]
        done = subprocess.run(  # noqa: S603 - PostgreSQL's own binaries, fixed arguments
            command, capture_output=True, text=True, check=False, **kwargs
        )
        if done.returncode != 0:
            logs = "".join(
                p.read_text(errors="replace")[-2000:] for p in sorted(self.tmp.glob("*.log"))
            )
            raise RuntimeError(f"{command} failed: {done.stderr[-2000:]}\n{logs}")

    def _start(self, data: Path, port: int) -> None:
        options = f"-p {port} -k {self.tmp} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            self.bin / "pg_ctl",
            "-D",
            data,
            "-l",
            self.tmp / f"{data.name}.log",
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
            as_server=True,
        )
        self.started.append(data)

    def start(self, source: dict[str, Any]) -> None:
        """Start the primary with a copy of the database ``source`` (psycopg connection
        arguments), then the replica from a base backup of it."""
        primary = self.tmp / "primary"
        self._run(
            self.bin / "initdb",
            "-D",
            primary,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            as_server=True,
        )
        # wal_level=replica and max_wal_senders are PostgreSQL's defaults; said anyway.
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n")
        self._start(primary, self.primary)
        with self.connect(self.primary, "postgres") as admin:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
        self._copy(source)
        replica = self.tmp / "replica"
        self._run(
            self.bin / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary),
            "-U",
            "postgres",
            "-D",
            replica,
            "-R",  # standby.signal and primary_conninfo: a streaming replica
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
            as_server=True,
        )
        self._start(replica, self.replica)
        self.wait_replayed()

    def _copy(self, source: dict[str, Any]) -> None:
        env = {**os.environ, "PGPASSWORD": str(source.get("password") or "")}
        dump = subprocess.Popen(  # noqa: S603 - pg_dump of the test database
            [
                str(self.bin / "pg_dump"),
                "--no-owner",
                "--no-privileges",
                "-h",
                str(source["host"]),
                "-p",
                str(source["port"]),
                "-U",
                str(source["user"]),
                "-d",
                str(source["dbname"]),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        try:
            self._run(
                self.bin / "psql",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.primary),
                "-U",
                "postgres",
                "-d",
                DATABASE,
                stdin=dump.stdout,
            )
        finally:
            assert dump.stdout is not None
            dump.stdout.close()
            _out, errors = dump.communicate()
        if dump.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {errors.decode(errors='replace')[-2000:]}")

    def close(self) -> None:
        for data in reversed(self.started):
            subprocess.run(  # noqa: S603 - pg_ctl stop
                [*self.as_pg, str(self.bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- replication ------------------------------------------------------------------------

    def connect(self, port: int, dbname: str = DATABASE) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname=dbname, autocommit=True
        )

    def wait_replayed(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        with self.connect(self.primary) as primary:
            row = primary.execute("SELECT pg_current_wal_lsn()::text").fetchone()
            assert row is not None
        with self.connect(self.replica) as replica:
            deadline = time.monotonic() + timeout
            while True:
                done = replica.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (row[0],)
                ).fetchone()
                if done and done[0]:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the replica did not replay up to {row[0]}")
                time.sleep(0.02)

    def pause_replay(self, timeout: float = 30) -> None:
        """Stop applying WAL on the replica: from now on it shows the data as it is now."""
        with self.connect(self.replica) as replica:
            replica.execute("SELECT pg_wal_replay_pause()")
            deadline = time.monotonic() + timeout
            while True:
                state = replica.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()
                if state and state[0] == "paused":
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError("the replica did not pause")
                time.sleep(0.02)

    def resume_replay(self) -> None:
        with self.connect(self.replica) as replica:
            replica.execute("SELECT pg_wal_replay_resume()")
