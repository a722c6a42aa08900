"""Backup, wipe, restore, as an operator does it with the management commands, on the database
this test run uses (SQLite, or a database of its own on the same PostgreSQL server): then
verify_audit, open every evidence file, compare hashes and row counts. Nothing may be lost."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)

# Run inside the restored instance: a report with an identity, a photo (working copy and
# sealed original), a PDF, audit entries and their signed checkpoint.
FILL = """
import io, json
from datetime import date
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from netral.core import audit, checkpoints
from netral.intake import crypto
from netral.intake.evidence import store_upload
from netral.intake.models import Report
report = Report.objects.create(receipt_code="NTR-BACKUP-1", secret_digest="x", accused_name="A",
    act_date=date(2026, 11, 1), learned_date=date(2026, 11, 2), description="d", anonymous=False)
report.reporter_identity = crypto.encrypt({"name": "Siti", "nik": "6402014506900001"},
    bound_to=report.receipt_code)
report.save()
out = io.BytesIO(); Image.new("RGB", (20, 10), (9, 9, 9)).save(out, format="JPEG")
for name, data in (("a.jpg", out.getvalue()), ("b.pdf", b"%PDF-1.4\\n%%EOF\\n")):
    evidence = store_upload(SimpleUploadedFile(name, data), upload_token="backup-token-000001")
    evidence.report = report; evidence.save()
for n in range(3):
    audit.record(action="test.backup", object_type="intake.report", object_id=str(n),
        stream="office:backup")
checkpoints.checkpoint_all()
"""

# Everything that must survive: row counts, each evidence file's bytes against its hash, and
# the identity readable with the configured key.
SNAPSHOT = """
import hashlib, json
from netral.core.backup import row_counts
from netral.intake import crypto
from netral.intake.models import Evidence, Report
files = {}
for e in Evidence.objects.order_by("pk"):
    with e.original.open("rb") as f: original = hashlib.sha256(f.read()).hexdigest()
    with e.working.open("rb") as f: working = hashlib.sha256(f.read()).hexdigest()
    assert original == e.sha256 and working == e.working_sha256, e.pk
    files[e.pk] = [original, working]
report = Report.objects.get(receipt_code="NTR-BACKUP-1")
name = crypto.decrypt(bytes(report.reporter_identity), bound_to=report.receipt_code)["name"]
print(json.dumps({"rows": row_counts(), "files": files, "name": name}))
"""


def _manage(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def instance(tmp_path: Path) -> Any:
    """A Netral instance of its own: a var directory and an empty database of this run's kind."""
    var = tmp_path / "var"
    env = {
        **os.environ,
        "NETRAL_TESTING": "1",
        "NETRAL_VAR_DIR": str(var),
        "NETRAL_TASKS_IMMEDIATE": "1",
    }
    if connection.vendor == "postgresql":
        import psycopg

        db = settings.DATABASES["default"]
        name = f"{db['NAME']}_backup"[:60]
        admin = psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres",
            password=db["PASSWORD"] or None, autocommit=True,
        )  # fmt: skip

        def recreate() -> None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')

        recreate()
        user = f"{db['USER']}@" if db["USER"] else ""
        env["DATABASE_URL"] = f"postgres://{user}{db['HOST']}:{db['PORT'] or 5432}/{name}"
        yield env, var, recreate
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    else:
        path = tmp_path / "netral.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"

        def wipe() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        yield env, var, wipe


def test_backup_wipe_restore_brings_everything_back(instance: Any, tmp_path: Path) -> None:
    env, var, wipe_database = instance
    _manage(env, "migrate", "-v0")
    _manage(env, "shell", "-c", FILL)
    before = json.loads(_manage(env, "shell", "-c", SNAPSHOT).stdout.splitlines()[-1])
    assert len(before["files"]) == 2
    outside = tmp_path / "checkpoints.jsonl"
    _manage(env, "export_audit_checkpoints", str(outside))

    target = tmp_path / "backup"
    done = _manage(env, "backup", str(target))
    assert "Backed up" in done.stdout
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["keys"] == {"identity": ["dev"], "audit": ["dev"]}
    # Keys are named, never written.
    raw = b"".join(p.read_bytes() for p in target.rglob("*") if p.is_file())
    for secret in (settings.NETRAL_IDENTITY_KEYS, settings.NETRAL_AUDIT_SIGNING_KEY):
        assert secret.partition(":")[2].encode() not in raw
    assert all(entry["checked"] for entry in manifest["files"] if entry["rows"])
    assert _manage(env, "backup", str(target), check=False).returncode != 0  # never over one

    wipe_database()
    shutil.rmtree(var / "media")
    # Another identity key than the one the reports were sealed with: refused, nothing done.
    wrong = {**env, "NETRAL_IDENTITY_KEYS": "other:" + "QUJD" * 10 + "QUJDRA=="}
    refused = _manage(wrong, "restore", str(target), check=False)
    assert refused.returncode != 0
    assert "identity keys dev" in refused.stderr
    assert not (var / "media").exists()

    restored = _manage(env, "restore", str(target))
    assert "Restored" in restored.stdout
    _manage(env, "verify_audit", "--checkpoints", str(outside))
    after = json.loads(_manage(env, "shell", "-c", SNAPSHOT).stdout.splitlines()[-1])
    assert after == before


def test_a_damaged_file_in_a_backup_stops_the_restore(instance: Any, tmp_path: Path) -> None:
    env, _var, wipe_database = instance
    _manage(env, "migrate", "-v0")
    _manage(env, "shell", "-c", FILL)
    target = tmp_path / "backup"
    _manage(env, "backup", str(target))
    victim = next(p for p in (target / "files").rglob("*") if p.is_file())
    victim.write_bytes(b"tampered")
    wipe_database()
    refused = _manage(env, "restore", str(target), check=False)
    assert refused.returncode != 0
    assert "damaged" in refused.stderr
