"""Appending to and verifying the audit trail. The only door into ``AuditEntry``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from netral.core.checkpoints import (
    Checkpoint,
    check_signatures,
    load_file,
    sign_head,
    stored_checkpoints,
    trusted_keys,
)
from netral.core.models import AuditCheckpoint, AuditEntry, AuditStream
from netral.core.scope import Scope

GENESIS_HASH = "0" * 64
GLOBAL_STREAM = "global"


def stream_for(
    area: str,
    *,
    office_id: int | None = None,
    region: str | None = None,
    scope: Scope | None = None,
) -> str:
    """The hash chain an entry joins; the one rule for choosing it.

    An office acting on its own file writes to the office's chain (``office:<id>``). Other work
    of an ``area`` (commitments, exports, candidacy, ...) writes to the area's chain for the
    province of ``region`` (``<area>:<province>``), or, for a ``scope`` confined to one province,
    that province's; else to the area's national chain (``<area>``). Entries of different
    offices or provinces thus never wait on each other, and none of them on the global chain.
    """
    if office_id:
        return f"office:{office_id}"
    if not region and scope is not None and not scope.national:
        provinces = {code.split(".", 1)[0] for code in scope.region_codes}
        region = provinces.pop() if len(provinces) == 1 else None
    province = (region or "").split(".", 1)[0]
    return f"{area}:{province}" if province else area


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
        if seq % settings.NETRAL_AUDIT_CHECKPOINT_EVERY == 0:
            sign_head(stream=stream, seq=seq, head_hash=digest)
    return entry


@dataclass(frozen=True)
class Break:
    stream: str
    entry_id: int | None
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"stream {self.stream!r}, entry id {self.entry_id}, seq {self.seq}: {self.problem}"


def verify_stream(
    name: str,
    checkpoints: Sequence[Checkpoint] = (),
    *,
    require_coverage: bool = False,
) -> Break | None:
    """Return the first broken entry of one chain, or None when the chain is intact.

    ``checkpoints`` are signed heads of this chain (already verified): every entry they cover
    must still have the hash they signed, and the chain must reach their last entry. With
    ``require_coverage`` (the database's own checkpoints), a tail of as many entries as a
    checkpoint is made for, without one, is a break too: checkpoints were removed.
    """
    signed: dict[int, tuple[str, Checkpoint]] = {}
    for checkpoint in checkpoints:
        for offset, digest in enumerate(checkpoint.hashes):
            signed[checkpoint.from_seq + offset] = (digest, checkpoint)
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
        known = signed.get(entry.seq)
        if known is not None and known[0] != entry.hash:
            return Break(
                name,
                entry.id,
                entry.seq,
                f"does not match the signed checkpoint at seq {known[1].seq} "
                f"({known[1].signed_at}): the entry was rewritten",
            )
        expected_prev = entry.hash
        expected_seq += 1
    last = expected_seq - 1
    if checkpoints:
        furthest = max(checkpoints, key=lambda c: c.seq)
        if furthest.seq > last:
            return Break(
                name,
                None,
                last + 1,
                f"entries missing at the end of the chain: the signed checkpoint of "
                f"{furthest.signed_at} covers it up to seq {furthest.seq}, it ends at seq {last}",
            )
    head = AuditStream.objects.filter(name=name).first()
    if head is not None and head.last_seq != last:
        return Break(name, None, head.last_seq, "entries missing at the end of the chain")
    covered = max((c.seq for c in checkpoints), default=0)
    if require_coverage and last - covered >= settings.NETRAL_AUDIT_CHECKPOINT_EVERY:
        first = AuditEntry.objects.filter(stream=name, seq=covered + 1).first()
        return Break(
            name,
            first.id if first else None,
            covered + 1,
            f"{last - covered} entries from here on have no signed checkpoint, although one is "
            f"made every {settings.NETRAL_AUDIT_CHECKPOINT_EVERY} entries: checkpoints were "
            "removed",
        )
    return None


def stream_names() -> list[str]:
    names = set(AuditStream.objects.values_list("name", flat=True))
    names.update(AuditEntry.objects.values_list("stream", flat=True).distinct())
    return sorted(names)


def verify_all(files: Sequence[str] = ()) -> tuple[int, list[Break]]:
    """Check every chain against its hashes, the database's signed checkpoints and the
    checkpoints in ``files`` (published files or exports kept outside the database)."""
    breaks: list[Break] = []
    outside: dict[str, list[Checkpoint]] = {}
    for path in files:
        checked = check_signatures(load_file(path), trusted_keys())
        breaks += [
            Break(stream, None, seq, f"checkpoint in {path} is not genuine: {problem}")
            for stream, seq, problem in checked.invalid
        ]
        for stream, items in checked.by_stream.items():
            outside.setdefault(stream, []).extend(items)
    known = set(stream_names()) | set(
        AuditCheckpoint.objects.values_list("stream", flat=True).distinct()
    )
    streams = sorted(known | set(outside))
    for name in streams:
        stored = stored_checkpoints(name)  # one stream at a time: memory stays flat
        breaks += [
            Break(stream, None, seq, f"checkpoint in the database is not genuine: {problem}")
            for stream, seq, problem in stored.invalid
        ]
        found = verify_stream(name, stored.by_stream.get(name, []), require_coverage=True)
        if found is None and name in outside:
            found = verify_stream(name, outside[name])
        if found is not None:
            breaks.append(found)
    return len(streams), breaks
