"""Form fields shared by the apps."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms


class DateField(forms.DateField):
    """A date field that reads ISO dates (what ``<input type="date">`` and the API send) first.

    Django tries each localised input format in turn and ISO comes late in Indonesian's list,
    so each ISO date cost about ten failed ``strptime`` calls; typed dates in a text field
    (browsers without a date picker) still go through the localised formats."""

    def to_python(self, value: Any) -> date | None:
        text = value.strip() if isinstance(value, str) else ""
        if len(text) == 10 and text[4] == text[7] == "-":  # YYYY-MM-DD only, not a week date
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        return super().to_python(value)


class DateInput(forms.DateInput):
    """``<input type="date">`` whose value is always ISO (YYYY-MM-DD), whatever the language:
    a browser discards any other value, so a localised date would vanish from a redisplayed form."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
