from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from netral.core import audit
from netral.core.models import AppendOnlyError, AuditEntry

pytestmark = pytest.mark.django_db


def _three_entries(stream: str = "office:test") -> list[AuditEntry]:
    return [
        audit.record(
            action="case.forward",
            object_type="cases.case",
            object_id=str(n),
            before={"state": "under_study"},
            after={"state": "forwarded", "n": n},
            reason="proven by the study",
            evidence=[{"sha256": "ab" * 32, "name": "kajian.pdf"}],
            stream=stream,
        )
        for n in range(3)
    ]


def test_entries_chain_each_to_the_previous_hash():
    first, second, third = _three_entries()
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    stored = AuditEntry.objects.get(pk=second.pk)
    assert audit.entry_hash(stored) == stored.hash


def test_streams_are_independent_chains():
    a = audit.record(action="x", stream="office:a")
    b = audit.record(action="x", stream="office:b")
    assert a.seq == b.seq == 1
    assert a.prev_hash == b.prev_hash == audit.GENESIS_HASH


def test_orm_refuses_updates_and_deletes():
    entry = _three_entries()[0]
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_verify_audit_passes_on_an_intact_trail(capsys):
    _three_entries()
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def _tamper(entry_id: int) -> None:
    """Edit an entry behind the ORM's back, as someone with database access might."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # bypass the trigger
        cursor.execute(
            "UPDATE core_auditentry SET reason = %s WHERE id = %s", ["nothing happened", entry_id]
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_verify_audit_names_the_first_edited_entry(capsys):
    entries = _three_entries()
    _tamper(entries[1].id)
    with pytest.raises(CommandError, match=r"1 of \d+ audit chains are broken"):
        call_command("verify_audit")
    err = capsys.readouterr().err
    assert f"entry id {entries[1].id}, seq 2" in err
    assert "content does not match its hash" in err


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_trigger_refuses_raw_update_and_delete():
    entry = _three_entries()[0]
    for sql in (
        "UPDATE core_auditentry SET reason = 'x' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.id])
