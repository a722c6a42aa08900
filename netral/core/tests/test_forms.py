"""Shared form fields."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.utils import translation

from netral.core.forms import DateField


@pytest.mark.parametrize(("language", "typed"), [("id", "25/11/2026"), ("en", "11/25/2026")])
def test_iso_and_typed_dates_are_read_and_nonsense_is_refused(language, typed):
    field = DateField()
    with translation.override(language):
        assert field.clean("2026-11-25") == date(2026, 11, 25)
        assert field.clean(" 2024-02-29 ") == date(2024, 2, 29)
        assert field.clean(typed) == date(2026, 11, 25)  # typed without a date picker
        for bad in ("2026-02-30", "2026-W48-3", "kemarin"):
            with pytest.raises(forms.ValidationError):
                field.clean(bad)
