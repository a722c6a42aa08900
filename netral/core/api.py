"""Shared pieces of the HTTP API contract: keyset pagination and the error shape."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Field as DjangoField
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError
from pydantic import AfterValidator, StringConstraints

T = TypeVar("T")
M = TypeVar("M", bound=Model)


def column(model: type[Model], name: str, default: Any = ...) -> Any:
    """A schema field as long as the model's column ``name`` allows (its ``max_length``), so a
    longer text is a 422 naming the field, never a database error."""
    max_length = getattr(model._meta.get_field(name), "max_length", None)
    return Field(default, max_length=max_length)


def _web_link(value: str) -> str:
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError as exc:
            message = _("Enter a web address that starts with http:// or https://.")
            raise ValueError(message) from exc
    return value


# A link people will open: http(s) only (never javascript:, data: or file:), at most 200 chars.
WebLink = Annotated[str, StringConstraints(max_length=200), AfterValidator(_web_link)]


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


def typed_cursor(model: type[Model], key: str, cursor: str) -> Any:
    """The decoded cursor as a value of the model's field ``key``, or a 422 naming ``cursor``."""
    value = decode_cursor(cursor)
    field = model._meta.get_field(key)
    assert isinstance(field, DjangoField)
    try:
        if isinstance(value, (dict, list, bool)) or (
            isinstance(value, float) and not value.is_integer()
        ):
            raise ValidationError("not a scalar")
        typed = field.to_python(value)
        if isinstance(typed, str) and "\x00" in typed:
            raise ValidationError("NUL")
        if isinstance(typed, int) and not -(2**63) <= typed < 2**63:
            raise ValidationError("out of range")
    except (ValidationError, ValueError, TypeError, OverflowError) as exc:
        raise InvalidInput("cursor", _("The cursor is not valid; start again without it.")) from exc
    return typed


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
        queryset = queryset.filter(**{f"{key}__gt": typed_cursor(queryset.model, key, cursor)})
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
