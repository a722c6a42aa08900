"""Reporter identities encrypted at rest with AES-GCM; keys come from the environment.

``NETRAL_IDENTITY_KEYS`` holds one or more keys as ``id:base64`` separated by commas; the first
is used to encrypt, all of them to decrypt, so keys can be rotated with ``rotate_identity_key``.
Each ciphertext is ``key id (utf-8) | 0x00 | 12-byte nonce | AES-GCM ciphertext and tag``; the
report's receipt code is bound as associated data, so a blob cannot be moved to another report.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: dict[str, bytes]


def parse_keys(raw: str) -> Keyring:
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, _, encoded = item.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise ImproperlyConfigured(f"identity key {key_id!r} is not base64") from exc
        if len(key) != 32 or not key_id or "\x00" in key_id:
            raise ImproperlyConfigured(f"identity key {key_id!r} must be 32 bytes (AES-256)")
        keys[key_id] = key
        order.append(key_id)
    if not order:
        raise ImproperlyConfigured("NETRAL_IDENTITY_KEYS holds no key")
    return Keyring(order[0], keys)


def keyring() -> Keyring:
    return parse_keys(settings.NETRAL_IDENTITY_KEYS)


def encrypt(data: dict[str, Any], *, bound_to: str, ring: Keyring | None = None) -> bytes:
    ring = ring or keyring()
    nonce = os.urandom(12)
    plain = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    sealed = AESGCM(ring.keys[ring.current]).encrypt(nonce, plain, bound_to.encode())
    return ring.current.encode() + b"\x00" + nonce + sealed


def key_id_of(blob: bytes) -> str:
    return bytes(blob).split(b"\x00", 1)[0].decode()


def decrypt(blob: bytes, *, bound_to: str, ring: Keyring | None = None) -> dict[str, Any]:
    ring = ring or keyring()
    raw = bytes(blob)
    key_id, _, rest = raw.partition(b"\x00")
    key = ring.keys.get(key_id.decode())
    if key is None:
        raise ImproperlyConfigured(f"no identity key {key_id.decode()!r} in NETRAL_IDENTITY_KEYS")
    data: dict[str, Any] = json.loads(AESGCM(key).decrypt(rest[:12], rest[12:], bound_to.encode()))
    return data
