"""Shared pieces of the HTTP API contract: keyset pagination and the error shape."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import HttpError

T = TypeVar("T")
M = TypeVar("M", bound=Model)


class FieldError(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(value: Any) -> str:
    raw = json.dumps([value], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(value, list) or len(value) != 1:
            raise ValueError
        return value[0]
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput("cursor", _("The cursor is not valid; start again without it.")) from exc


class InvalidInput(HttpError):
    """A 422 answer that names the field at fault."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(422, message)
        self.field = field
        self.message = message


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return int(settings.NETRAL_API_DEFAULT_LIMIT)
    if limit < 1 or limit > settings.NETRAL_API_MAX_LIMIT:
        raise InvalidInput(
            "limit",
            _("limit must be between 1 and %(max)d.") % {"max": settings.NETRAL_API_MAX_LIMIT},
        )
    return limit


def keyset_page(
    queryset: QuerySet[M],
    *,
    key: str,
    limit: int | None,
    cursor: str | None,
    serialize: Callable[[M], Any] | None = None,
) -> dict[str, Any]:
    """One page ordered by the unique field ``key``; the cursor is the last key seen."""
    size = clamp_limit(limit)
    queryset = queryset.order_by(key)
    if cursor:
        queryset = queryset.filter(**{f"{key}__gt": decode_cursor(cursor)})
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor(getattr(rows[-1], key)) if more and rows else None
    items = [serialize(r) for r in rows] if serialize else rows
    return {"items": items, "next_cursor": next_cursor}


class ApiError(HttpError):
    """Any status with a message and per-field errors, in the shared error shape."""

    def __init__(self, status: int, message: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(status, message)
        self.message = message
        self.errors = errors or []
