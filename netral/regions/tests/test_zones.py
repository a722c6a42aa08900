"""Each office works in its province's time zone (WIB, WITA or WIT)."""

from __future__ import annotations

from typing import Any

import pytest

from netral.regions.queries import JAKARTA, zone_abbreviation, zone_of


@pytest.mark.django_db
def test_zone_of_follows_the_province(personas: Any) -> None:
    assert zone_abbreviation(zone_of("64.02")) == "WITA"  # Kutai Kartanegara, Kalimantan Timur
    assert zone_abbreviation(zone_of("62.08")) == "WIB"  # Sukamara, Kalimantan Tengah
    assert zone_abbreviation(zone_of("64")) == "WITA"


@pytest.mark.django_db
def test_national_and_unknown_codes_work_in_jakarta_time() -> None:
    assert zone_of(None) is JAKARTA
    assert zone_of("") is JAKARTA
    assert zone_of("99.99") is JAKARTA
