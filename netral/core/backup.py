"""Backups that bring everything back: the database, every stored file, a manifest.

``backup(DIR)`` writes the database (``pg_dump`` custom format on PostgreSQL, SQLite's online
backup API otherwise), every file a row names (checked against the SHA-256 that row records)
and every other file in storage, and ``manifest.json``: the row count of every table, each file
with its hash and the rows naming it, and the ids (never the keys) of the identity and audit
keys the data needs. ``restore(DIR)`` checks all of that before it touches anything, refuses when
a needed key is not configured, then loads the database and the files and compares the counts.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import connection, connections, models

from netral.core.checkpoints import trusted_keys

FORMAT = "netral-backup/v1"
MANIFEST = "manifest.json"
FILES = "files"
CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``: from NETRAL_PG_BIN, the PATH, or the newest Debian cluster."""
    configured = os.environ.get("NETRAL_PG_BIN", "")
    if configured:
        return str(Path(configured) / name)
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if not versions:
        raise BackupError(f"{name} not found: install postgresql-client or set NETRAL_PG_BIN")
    return str(versions[-1])


def _pg_args() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _file_fields(model: type[models.Model]) -> list[tuple[str, str | None]]:
    """(file field, the field holding its SHA-256 or None) of a model: ``<name>_sha256``, or
    ``sha256`` for the model's first file field."""
    names = {f.name for f in model._meta.concrete_fields}
    pairs: list[tuple[str, str | None]] = []
    for number, item in enumerate(
        f for f in model._meta.concrete_fields if isinstance(f, models.FileField)
    ):
        if f"{item.name}_sha256" in names:
            pairs.append((item.name, f"{item.name}_sha256"))
        elif number == 0 and "sha256" in names:
            pairs.append((item.name, "sha256"))
        else:
            pairs.append((item.name, None))
    return pairs


def _walk(storage: Storage, prefix: str = "") -> list[str]:
    directories, files = storage.listdir(prefix or ".")
    found = [f"{prefix}{name}" for name in files]
    for directory in directories:
        found += _walk(storage, f"{prefix}{directory}/")
    return found


def row_counts() -> dict[str, int]:
    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def keys_needed() -> dict[str, list[str]]:
    """Ids of the keys the data cannot be read or verified without."""
    needed: dict[str, list[str]] = {"identity": [], "audit": []}
    try:
        report = apps.get_model("intake", "Report")
    except LookupError:
        report = None
    if report is not None:
        ids = set()
        for blob in (
            report._base_manager.exclude(reporter_identity=None)
            .values_list("reporter_identity", flat=True)
            .iterator(5000)
        ):
            if blob:
                ids.add(bytes(blob).split(b"\x00", 1)[0].decode())
        needed["identity"] = sorted(ids)
    checkpoint = apps.get_model("core", "AuditCheckpoint")
    needed["audit"] = sorted(set(checkpoint._base_manager.values_list("key_id", flat=True)))
    return needed


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    files: int = 0
    rows: int = 0


def backup(target: Path) -> Outcome:
    """Write a backup into the new or empty directory ``target``."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: a backup is never written over another")
    (target / FILES).mkdir(parents=True, exist_ok=True)
    outcome = Outcome()
    vendor = connection.vendor
    if vendor == "postgresql":
        database = "database.dump"
        args, env = _pg_args()
        command = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file"]
        subprocess.run([*command, str(target / database), *args], env=env, check=True)  # noqa: S603
    elif vendor == "sqlite":
        database = "database.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target / database)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
    else:
        raise BackupError(f"no backup method for the {vendor} database")
    storage = storages["default"]
    files: dict[str, dict[str, Any]] = {}
    for model in apps.get_models():
        pairs = _file_fields(model)
        if not pairs:
            continue
        label = model._meta.label_lower
        columns = [name for pair in pairs for name in pair if name]
        for row in model._base_manager.values("pk", *columns).iterator(2000):
            for name, hash_field in pairs:
                stored = row[name]
                if not stored:
                    continue
                entry = files.setdefault(stored, {"name": stored, "rows": []})
                entry["rows"].append(f"{label}:{row['pk']}.{name}")
                if hash_field and row[hash_field]:
                    entry.setdefault("expected", set()).add(row[hash_field])
    for name in _walk(storage):
        files.setdefault(name, {"name": name, "rows": []})
    for name, entry in sorted(files.items()):
        if not storage.exists(name):
            outcome.problems.append(f"missing file {name} (named by {', '.join(entry['rows'])})")
            entry["missing"] = True
            continue
        destination = target / FILES / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with storage.open(name, "rb") as source, destination.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        entry["sha256"], entry["size"] = digest.hexdigest(), size
        expected = entry.pop("expected", set())
        if expected and expected != {entry["sha256"]}:
            outcome.problems.append(
                f"file {name} has SHA-256 {entry['sha256']}, but its rows record "
                f"{', '.join(sorted(expected))}"
            )
            entry["mismatch"] = sorted(expected)
        entry["checked"] = bool(expected)
        outcome.files += 1
    counts = row_counts()
    outcome.rows = sum(counts.values())
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {
            "vendor": vendor,
            "file": database,
            "sha256": _sha256_file(target / database),
        },
        "row_counts": counts,
        "files": [files[name] for name in sorted(files)],
        "keys": keys_needed(),
        "problems": outcome.problems,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return outcome


def _load_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise BackupError(f"{source / MANIFEST} cannot be read: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a Netral backup ({FORMAT})")
    return manifest


def check(source: Path) -> tuple[dict[str, Any], list[str]]:
    """The manifest and everything that stops a restore: damaged or missing files, a database
    of another kind, keys that are not configured here."""
    manifest = _load_manifest(source)
    problems = []
    database = manifest["database"]
    if database["vendor"] != connection.vendor:
        problems.append(
            f"the backup is of a {database['vendor']} database, this is {connection.vendor}"
        )
    dump = source / database["file"]
    if not dump.exists() or _sha256_file(dump) != database["sha256"]:
        problems.append(f"{dump} is missing or damaged (SHA-256 differs from the manifest)")
    for entry in manifest["files"]:
        if entry.get("missing"):
            continue
        path = source / FILES / entry["name"]
        if not path.exists() or _sha256_file(path) != entry["sha256"]:
            problems.append(f"{path} is missing or damaged (SHA-256 differs from the manifest)")
    identity = {
        item.strip().partition(":")[0]
        for item in settings.NETRAL_IDENTITY_KEYS.split(",")
        if item.strip()
    }
    missing = [k for k in manifest["keys"]["identity"] if k not in identity]
    if missing:
        problems.append(
            f"identity keys {', '.join(missing)} are not in NETRAL_IDENTITY_KEYS: the "
            "reporters' identities would be unreadable"
        )
    trusted = set(trusted_keys())
    missing = [k for k in manifest["keys"]["audit"] if k not in trusted]
    if missing:
        problems.append(
            f"audit keys {', '.join(missing)} are neither NETRAL_AUDIT_SIGNING_KEY nor in "
            "NETRAL_AUDIT_PUBLIC_KEYS: the checkpoints could not be verified"
        )
    return manifest, problems


def _database_is_empty() -> bool:
    return "django_migrations" not in connection.introspection.table_names()


def restore(source: Path, *, replace: bool = False) -> Outcome:
    manifest, problems = check(source)
    if problems:
        raise BackupError("; ".join(problems))
    if not replace and not _database_is_empty():
        raise BackupError("the database is not empty: restore into an empty one, or pass --replace")
    database = source / manifest["database"]["file"]
    if connection.vendor == "postgresql":
        args, env = _pg_args()
        connections.close_all()
        command = [_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction"]
        if replace:
            command += ["--clean", "--if-exists"]
        subprocess.run([*command, *args, str(database)], env=env, check=True)  # noqa: S603
    else:
        connection.ensure_connection()
        backup_db = sqlite3.connect(database)
        try:
            backup_db.backup(connection.connection)
        finally:
            backup_db.close()
    storage = storages["default"]
    outcome = Outcome()
    for entry in manifest["files"]:
        if entry.get("missing"):
            continue
        name = entry["name"]
        if storage.exists(name):
            with storage.open(name, "rb") as current:
                digest = hashlib.sha256()
                while chunk := current.read(CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() == entry["sha256"]:
                outcome.files += 1
                continue
            storage.delete(name)
        with (source / FILES / name).open("rb") as handle:
            saved = storage.save(name, File(handle))
        if saved != name:
            outcome.problems.append(f"{name} was stored as {saved}")
        outcome.files += 1
    counts = row_counts()
    outcome.rows = sum(counts.values())
    for table, count in manifest["row_counts"].items():
        if counts.get(table) != count:
            outcome.problems.append(f"{table}: {counts.get(table)} rows, the backup has {count}")
    return outcome
