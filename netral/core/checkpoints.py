"""Signed checkpoints of the audit chains: what a database superuser cannot forge.

The hash chains (``netral.core.audit``) show any edit made without recomputing the hashes, but
someone who can write to the database can rewrite an entry, recompute every later hash and the
stream head, or delete the last entries and move the head back. A checkpoint is the answer of
RFC 9162 (Certificate Transparency) in simple form: a statement of one chain's head (stream,
sequence number, head hash, time, and the hashes of the entries since the previous checkpoint),
signed with an Ed25519 key that lives in the environment (``NETRAL_AUDIT_SIGNING_KEY``), never
in the database. One is made every ``NETRAL_AUDIT_CHECKPOINT_EVERY`` entries of a stream, inside
the transaction that appends the entry, and at least hourly for every stream that moved (the
periodic task ``checkpoint_audit``). Copies leave the database: the public page and file under
``/transparansi/audit/`` (with the public key) and ``manage.py export_audit_checkpoints`` for
write-once storage. ``verify_audit`` checks the chains against them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from netral.core.models import AuditCheckpoint, AuditEntry, AuditStream

FORMAT = "netral-audit-checkpoint/v1"


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _parse_pair(item: str, what: str) -> tuple[str, bytes]:
    key_id, _sep, encoded = item.strip().partition(":")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{what} {key_id!r} is not base64") from exc
    if len(raw) != 32 or not key_id or len(key_id) > 40:
        raise ImproperlyConfigured(f"{what} {key_id!r} must be an id and 32 bytes (Ed25519)")
    return key_id, raw


def parse_signing_key(raw: str) -> SigningKey:
    """``id:base64`` of the 32-byte Ed25519 private key (its seed)."""
    if not raw.strip():
        raise ImproperlyConfigured("NETRAL_AUDIT_SIGNING_KEY is not set")
    key_id, seed = _parse_pair(raw, "audit signing key")
    return SigningKey(key_id, Ed25519PrivateKey.from_private_bytes(seed))


def signing_key() -> SigningKey:
    return parse_signing_key(settings.NETRAL_AUDIT_SIGNING_KEY)


def public_key_text(key: Ed25519PublicKey) -> str:
    return _b64(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def trusted_keys() -> dict[str, Ed25519PublicKey]:
    """The public keys checkpoints are verified with: the signing key's, and the retired keys
    listed in ``NETRAL_AUDIT_PUBLIC_KEYS`` (``id:base64,...``) after a rotation."""
    keys: dict[str, Ed25519PublicKey] = {}
    for item in settings.NETRAL_AUDIT_PUBLIC_KEYS.split(","):
        if item.strip():
            key_id, raw = _parse_pair(item, "audit public key")
            keys[key_id] = Ed25519PublicKey.from_public_bytes(raw)
    current = signing_key()
    keys[current.key_id] = current.public
    return keys


def statement(
    *, stream: str, seq: int, head_hash: str, signed_at: datetime, from_seq: int, hashes: list[str]
) -> bytes:
    """The exact bytes that are signed."""
    content = {
        "format": FORMAT,
        "stream": stream,
        "seq": seq,
        "head_hash": head_hash,
        "signed_at": signed_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "from_seq": from_seq,
        "hashes": hashes,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def as_dict(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """A checkpoint as it is published and exported (everything needed to verify it)."""
    return {
        "stream": checkpoint.stream,
        "seq": checkpoint.seq,
        "head_hash": checkpoint.head_hash,
        "signed_at": checkpoint.signed_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "from_seq": checkpoint.from_seq,
        "hashes": list(checkpoint.hashes),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }


def _latest_seq(stream: str) -> int:
    return (
        AuditCheckpoint.objects.filter(stream=stream)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
        or 0
    )


def sign_head(*, stream: str, seq: int, head_hash: str, key: SigningKey | None = None) -> None:
    """Sign the head ``seq``/``head_hash`` of ``stream``, inside the caller's transaction (which
    holds the stream head's lock). The hashes since the previous checkpoint are included, at
    most ``NETRAL_AUDIT_CHECKPOINT_EVERY`` of them."""
    key = key or signing_key()
    every = settings.NETRAL_AUDIT_CHECKPOINT_EVERY
    from_seq = max(_latest_seq(stream) + 1, seq - every + 1, 1)
    hashes = list(
        AuditEntry.objects.filter(stream=stream, seq__gte=from_seq, seq__lte=seq)
        .order_by("seq")
        .values_list("hash", flat=True)
    )
    signed_at = timezone.now()
    message = statement(
        stream=stream,
        seq=seq,
        head_hash=head_hash,
        signed_at=signed_at,
        from_seq=from_seq,
        hashes=hashes,
    )
    AuditCheckpoint.objects.create(
        stream=stream,
        seq=seq,
        head_hash=head_hash,
        signed_at=signed_at,
        from_seq=from_seq,
        hashes=hashes,
        key_id=key.key_id,
        signature=_b64(key.private.sign(message)),
    )


def checkpoint_all() -> int:
    """Sign the head of every stream that moved since its last checkpoint; return how many."""
    key = signing_key()
    signed = 0
    for name in AuditStream.objects.order_by("name").values_list("name", flat=True):
        with transaction.atomic():
            head = AuditStream.objects.select_for_update().get(name=name)
            if head.last_seq == 0 or _latest_seq(name) >= head.last_seq:
                continue
            sign_head(stream=name, seq=head.last_seq, head_hash=head.last_hash, key=key)
            signed += 1
    return signed


def latest_per_stream() -> list[AuditCheckpoint]:
    """The newest checkpoint of each stream (what the public page shows)."""
    newest = AuditCheckpoint.objects.filter(stream=OuterRef("stream")).order_by("-seq")
    return list(
        AuditCheckpoint.objects.filter(pk=Subquery(newest.values("pk")[:1])).order_by("stream")
    )


def published_document() -> dict[str, Any]:
    """The public file: the keys and the newest checkpoint of every chain."""
    keys = trusted_keys()
    return {
        "format": FORMAT,
        "generated_at": timezone.now().astimezone(UTC).isoformat(timespec="seconds"),
        "algorithm": "Ed25519",
        "public_keys": {key_id: public_key_text(key) for key_id, key in keys.items()},
        "checkpoints": [as_dict(c) for c in latest_per_stream()],
    }


# --- Verifying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint whose signature was verified."""

    stream: str
    seq: int
    head_hash: str
    signed_at: str
    from_seq: int
    hashes: tuple[str, ...]


@dataclass
class Checked:
    by_stream: dict[str, list[Checkpoint]] = field(default_factory=dict)
    # (stream, seq, problem) of checkpoints that are not genuine
    invalid: list[tuple[str, int, str]] = field(default_factory=list)


def check_signatures(
    items: Iterable[Mapping[str, Any]], keys: Mapping[str, Ed25519PublicKey]
) -> Checked:
    """Keep the checkpoints with a valid signature by a trusted key; list the others."""
    result = Checked()
    for item in items:
        stream, seq = str(item.get("stream", "")), int(item.get("seq", 0))
        key = keys.get(str(item.get("key_id", "")))
        if key is None:
            result.invalid.append((stream, seq, f"unknown signing key {item.get('key_id')!r}"))
            continue
        try:
            signed_at = datetime.fromisoformat(str(item["signed_at"]))
            hashes = [str(h) for h in item["hashes"]]
            message = statement(
                stream=stream,
                seq=seq,
                head_hash=str(item["head_hash"]),
                signed_at=signed_at,
                from_seq=int(item["from_seq"]),
                hashes=hashes,
            )
            key.verify(base64.b64decode(str(item["signature"])), message)
        except (InvalidSignature, KeyError, ValueError, TypeError):
            result.invalid.append((stream, seq, "the signature does not verify"))
            continue
        if (
            not hashes
            or hashes[-1] != item["head_hash"]
            or len(hashes) != seq - int(item["from_seq"]) + 1
        ):
            result.invalid.append((stream, seq, "the checkpoint is malformed"))
            continue
        result.by_stream.setdefault(stream, []).append(
            Checkpoint(
                stream,
                seq,
                str(item["head_hash"]),
                str(item["signed_at"]),
                int(item["from_seq"]),
                tuple(hashes),
            )
        )
    return result


def stored_checkpoints(stream: str) -> Checked:
    """The database's checkpoints of one stream, their signatures checked."""
    rows = (
        as_dict(c)
        for c in AuditCheckpoint.objects.filter(stream=stream).order_by("seq").iterator(2000)
    )
    return check_signatures(rows, trusted_keys())


def load_file(path: str) -> list[dict[str, Any]]:
    """Checkpoints from a published file (JSON with ``checkpoints``) or an export (JSON lines)."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    stripped = text.lstrip()
    if stripped.startswith("{") and '"checkpoints"' in stripped[:100_000]:
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            document = None
        if isinstance(document, dict) and isinstance(document.get("checkpoints"), list):
            return [dict(c) for c in document["checkpoints"]]
    return [json.loads(line) for line in text.splitlines() if line.strip()]
