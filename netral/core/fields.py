"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models


class CodepointCharField(models.CharField):  # type: ignore[type-arg]
    """Text compared and sorted by code point ("C" collation) on every database.

    For identifiers and normalised keys (NIP digits, lower-cased names) that are searched by
    prefix and sorted, not shown in a language's order. SQLite compares text by code point
    already (its BINARY collation); on PostgreSQL the column gets ``COLLATE "C"``, whatever
    the database's locale, so that a btree index serves ``LIKE 'prefix%'`` (Django's
    ``__startswith``) and sorting compares bytes instead of calling the locale: building the
    indexes of millions of rows takes about half the time.
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
