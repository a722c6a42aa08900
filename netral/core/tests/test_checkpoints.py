"""Signed checkpoints: the two forgeries a database superuser can do to a bare hash chain,
detected against the database's checkpoints and against a copy kept outside."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from netral.core import audit, checkpoints
from netral.core.models import AuditCheckpoint, AuditEntry, AuditStream

pytestmark = pytest.mark.django_db

STREAM = "office:forgery-test"


def _sql(statement: str, params: list[Any]) -> None:
    """Raw SQL with the append-only triggers disabled, as a superuser could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER
            for table in ("core_auditentry", "core_auditcheckpoint"):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(statement, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in ("core_auditentry", "core_auditcheckpoint"):
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _trail(personas: dict[str, Any], stream: str = STREAM) -> list[AuditEntry]:
    admin, custodian = personas["admin"], personas["kustodian.kukar"]
    entries = [
        audit.record(action="intake.report.submit", object_type="intake.report", stream=stream),
        audit.record(
            action="intake.identity.reveal",
            actor=admin,
            actor_role="administrator",
            object_type="intake.report",
            object_id="7",
            reason="curious",
            stream=stream,
        ),
        audit.record(action="case.register", actor=custodian, stream=stream),
        audit.record(action="case.study", actor=custodian, stream=stream),
    ]
    checkpoints.checkpoint_all()
    return entries


def _rewrite_as_routine_check(entry: AuditEntry, custodian: Any) -> None:
    """Disguise the reveal as the custodian's routine check and recompute the rest of the
    chain and the stream head, so the chain itself is consistent again."""
    rows = list(AuditEntry.objects.filter(stream=entry.stream, seq__gte=entry.seq).order_by("seq"))
    prev = rows[0].prev_hash
    for row in rows:
        if row.pk == entry.pk:
            row.actor_id, row.actor_role = custodian.pk, "custodian"
            row.action, row.reason = "intake.identity.check", "routine check"
        row.prev_hash = prev
        row.hash = audit.entry_hash(row)
        _sql(
            "UPDATE core_auditentry SET actor_id = %s, actor_role = %s, action = %s, "
            "reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [row.actor_id, row.actor_role, row.action, row.reason, row.prev_hash, row.hash, row.pk],
        )
        prev = row.hash
    AuditStream.objects.filter(name=entry.stream).update(last_hash=prev)


def _cut_last(stream: str) -> AuditEntry:
    """Delete the last entry and move the head back."""
    last = AuditEntry.objects.filter(stream=stream).order_by("-seq").first()
    assert last is not None
    _sql("DELETE FROM core_auditentry WHERE id = %s", [last.pk])
    AuditStream.objects.filter(name=stream).update(last_seq=last.seq - 1, last_hash=last.prev_hash)
    return last


def _drop_checkpoints(stream: str) -> None:
    _sql("DELETE FROM core_auditcheckpoint WHERE stream = %s", [stream])


def _failure(capsys: Any, *args: str) -> str:
    with pytest.raises(CommandError, match="audit chains are broken"):
        call_command("verify_audit", *args)
    return str(capsys.readouterr().err)


def test_checkpoints_are_signed_and_verify_on_an_intact_trail(personas, capsys):
    entries = _trail(personas)
    checkpoint = AuditCheckpoint.objects.get(stream=STREAM)
    assert (checkpoint.seq, checkpoint.head_hash) == (4, entries[-1].hash)
    assert checkpoint.hashes == [e.hash for e in entries]
    assert checkpoints.checkpoint_all() == 0  # nothing moved: no new checkpoint
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_a_checkpoint_is_signed_every_n_entries(settings):
    settings.NETRAL_AUDIT_CHECKPOINT_EVERY = 3
    for _n in range(7):
        audit.record(action="x", stream="office:every")
    signed = list(AuditCheckpoint.objects.filter(stream="office:every").order_by("seq"))
    assert [(c.from_seq, c.seq) for c in signed] == [(1, 3), (4, 6)]


def test_rewritten_entry_with_recomputed_chain_is_named(personas, capsys):
    entries = _trail(personas)
    _rewrite_as_routine_check(entries[1], personas["kustodian.kukar"])
    # The bare chain is consistent again: only the signature shows the rewrite.
    assert audit.verify_stream(STREAM) is None
    err = _failure(capsys)
    assert f"entry id {entries[1].pk}, seq 2" in err
    assert "does not match the signed checkpoint" in err


def test_truncated_chain_is_detected(personas, capsys):
    entries = _trail(personas, stream="accounts-forgery")
    cut = _cut_last("accounts-forgery")
    assert cut.pk == entries[-1].pk
    assert audit.verify_stream("accounts-forgery") is None
    err = _failure(capsys)
    assert "'accounts-forgery'" in err
    assert "seq 4" in err
    assert "entries missing" in err


def test_forged_checkpoint_signature_is_refused(personas, capsys):
    _trail(personas)
    cp = AuditCheckpoint.objects.get(stream=STREAM)
    _sql("UPDATE core_auditcheckpoint SET seq = 3 WHERE id = %s", [cp.pk])
    assert "not genuine" in _failure(capsys)


def test_removing_checkpoints_too_is_caught_by_the_outside_copy(personas, capsys, client, tmp_path):
    entries = _trail(personas)
    published = tmp_path / "published.json"
    published.write_bytes(client.get("/transparansi/audit/checkpoints.json").content)
    exported = tmp_path / "export.jsonl"
    call_command("export_audit_checkpoints", str(exported))
    capsys.readouterr()

    _rewrite_as_routine_check(entries[1], personas["kustodian.kukar"])
    _cut_last(STREAM)
    _drop_checkpoints(STREAM)
    call_command("verify_audit")  # fewer than N entries: the database alone cannot tell
    capsys.readouterr()
    for copy in (published, exported):
        err = _failure(capsys, "--checkpoints", str(copy))
        assert f"entry id {entries[1].pk}, seq 2" in err


def test_removing_checkpoints_of_a_long_tail_is_caught(settings, capsys):
    settings.NETRAL_AUDIT_CHECKPOINT_EVERY = 3
    for _n in range(4):
        audit.record(action="x", stream="office:tail")
    _drop_checkpoints("office:tail")
    assert "have no signed checkpoint" in _failure(capsys)


def test_public_page_shows_heads_and_the_key(personas, client):
    _trail(personas)
    # Anyone finds it from the transparency page, to archive it.
    assert 'href="/transparansi/audit/"' in client.get("/transparansi/").content.decode()
    page = client.get("/transparansi/audit/")
    assert page.status_code == 200
    body = page.content.decode()
    key = checkpoints.public_key_text(checkpoints.signing_key().public)
    assert key in body
    assert STREAM in body
    document = json.loads(client.get("/transparansi/audit/checkpoints.json").content)
    assert document["public_keys"] == {"dev": key}
    assert any(c["stream"] == STREAM and c["seq"] == 4 for c in document["checkpoints"])
