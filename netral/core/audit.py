"""Appending to and verifying the audit trail. The only door into ``AuditEntry``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from netral.core.models import AuditEntry, AuditStream

GENESIS_HASH = "0" * 64
GLOBAL_STREAM = "global"


def _plain(value: Any) -> Any:
    """JSON-safe copy, so what is hashed is exactly what the database stores and returns."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def canonical(
    *,
    stream: str,
    seq: int,
    created_at: datetime,
    actor_id: int | None,
    actor_role: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    reason: str,
    evidence: Any,
) -> str:
    content = {
        "stream": stream,
        "seq": seq,
        "created_at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_role": actor_role,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
        "reason": reason,
        "evidence": evidence,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, canonical_content: str) -> str:
    return hashlib.sha256((prev_hash + canonical_content).encode("utf-8")).hexdigest()


def entry_hash(entry: AuditEntry) -> str:
    return chain_hash(
        entry.prev_hash,
        canonical(
            stream=entry.stream,
            seq=entry.seq,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            actor_role=entry.actor_role,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            before=entry.before,
            after=entry.after,
            reason=entry.reason,
            evidence=entry.evidence,
        ),
    )


def object_label(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def record(
    *,
    action: str,
    actor: Any = None,
    actor_role: str = "",
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    evidence: Sequence[Mapping[str, Any]] | None = None,
    stream: str = GLOBAL_STREAM,
) -> AuditEntry:
    """Append one entry to ``stream``'s hash chain, inside the caller's transaction.

    Summaries in ``before``/``after`` must never hold decrypted personal data.
    """
    if obj is not None:
        object_type, object_id = object_label(obj)
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    # No savepoint: the entry belongs to the caller's change, and a failure here must undo
    # that change too (the caller's transaction is marked for rollback).
    with transaction.atomic(savepoint=False):
        head = AuditStream.objects.select_for_update().filter(name=stream).first()
        if head is None:
            AuditStream.objects.get_or_create(name=stream)  # first entry of a new stream
            head = AuditStream.objects.select_for_update().get(name=stream)
        seq = head.last_seq + 1
        prev_hash = head.last_hash or GENESIS_HASH
        created_at = timezone.now()
        plain_before = _plain(dict(before or {}))
        plain_after = _plain(dict(after or {}))
        plain_evidence = _plain(list(evidence or []))
        digest = chain_hash(
            prev_hash,
            canonical(
                stream=stream,
                seq=seq,
                created_at=created_at,
                actor_id=actor_id,
                actor_role=actor_role,
                action=action,
                object_type=object_type,
                object_id=object_id,
                before=plain_before,
                after=plain_after,
                reason=reason,
                evidence=plain_evidence,
            ),
        )
        entry = AuditEntry.objects.create(
            stream=stream,
            seq=seq,
            created_at=created_at,
            actor_id=actor_id,
            actor_role=actor_role,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=plain_before,
            after=plain_after,
            reason=reason,
            evidence=plain_evidence,
            prev_hash=prev_hash,
            hash=digest,
        )
        AuditStream.objects.filter(name=stream).update(last_seq=seq, last_hash=digest)
    return entry


@dataclass(frozen=True)
class Break:
    stream: str
    entry_id: int | None
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"stream {self.stream!r}, entry id {self.entry_id}, seq {self.seq}: {self.problem}"


def verify_stream(name: str) -> Break | None:
    """Return the first broken entry of one chain, or None when the chain is intact."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    entries: Iterator[AuditEntry] = (
        AuditEntry.objects.filter(stream=name).order_by("seq").iterator(chunk_size=2000)
    )
    for entry in entries:
        if entry.seq != expected_seq:
            return Break(name, entry.id, entry.seq, f"sequence gap: expected {expected_seq}")
        if entry.prev_hash != expected_prev:
            return Break(name, entry.id, entry.seq, "previous hash does not match the chain")
        if entry_hash(entry) != entry.hash:
            return Break(name, entry.id, entry.seq, "content does not match its hash")
        expected_prev = entry.hash
        expected_seq += 1
    head = AuditStream.objects.filter(name=name).first()
    if head is not None and head.last_seq != expected_seq - 1:
        return Break(name, None, head.last_seq, "entries missing at the end of the chain")
    return None


def stream_names() -> list[str]:
    names = set(AuditStream.objects.values_list("name", flat=True))
    names.update(AuditEntry.objects.values_list("stream", flat=True).distinct())
    return sorted(names)


def verify_all() -> tuple[int, list[Break]]:
    streams = stream_names()
    return len(streams), [b for b in (verify_stream(s) for s in streams) if b is not None]
