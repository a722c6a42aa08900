"""Reading regions."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from zoneinfo import ZoneInfo

from netral.core import reference
from netral.regions.models import Region


def provinces() -> tuple[tuple[str, str], ...]:
    """(code, name) of every province by name (reference data: memoised per process)."""
    return reference.memo(
        "regions.provinces",
        lambda: tuple(
            Region.objects.filter(level=Region.Level.PROVINCE)
            .order_by("name")
            .values_list("code", "name")
        ),
    )


JAKARTA = ZoneInfo("Asia/Jakarta")
_ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def _province_zones() -> Mapping[str, str]:
    return reference.memo(
        "regions.province_zones",
        lambda: MappingProxyType(
            dict(Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", "timezone"))
        ),
    )


def region_codes(region_id: str | None) -> tuple[str, str]:
    """The province and regency/city codes of a region code (``64.02.05`` -> 64, 64.02)."""
    if not region_id:
        return "", ""
    parts = region_id.split(".")
    return parts[0], ".".join(parts[:2]) if len(parts) > 1 else ""


def zone_of(region_code: str | None) -> ZoneInfo:
    """The working time zone of a region (its province's: WIB, WITA or WIT).

    National offices and unknown codes work in WIB (Jakarta)."""
    if not region_code:
        return JAKARTA
    name = _province_zones().get(region_code[:2])
    return ZoneInfo(name) if name else JAKARTA


def zone_abbreviation(zone: ZoneInfo) -> str:
    """WIB, WITA or WIT, as Indonesians name their zones (the key itself for any other zone)."""
    return _ZONE_ABBREVIATIONS.get(zone.key, zone.key)


def regencies_by_province() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Regencies and cities grouped under their province, both by name (for a grouped choice;
    reference data: memoised per process)."""

    def load() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
        names = dict(provinces())
        groups: dict[str, list[tuple[str, str]]] = {}
        rows = Region.objects.filter(level=Region.Level.REGENCY_CITY).order_by("name")
        for code, name in rows.values_list("code", "name"):
            groups.setdefault(code[:2], []).append((code, name))
        return tuple(
            (names.get(p, p), tuple(groups[p]))
            for p in sorted(groups, key=lambda p: names.get(p, p))
        )

    return reference.memo("regions.regencies_by_province", load)


def districts_of(regency_code: str) -> list[tuple[str, str]]:
    """(code, name) of the districts of a regency or city, by name."""
    if not regency_code or len(regency_code) != 5:
        return []
    return list(
        Region.objects.filter(parent_id=regency_code, level=Region.Level.DISTRICT)
        .order_by("name")
        .values_list("code", "name")
    )


def region_exists(code: str) -> bool:
    return bool(code) and Region.objects.filter(code=code).exists()
