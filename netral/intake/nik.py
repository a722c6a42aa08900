"""The reporter's NIK (Nomor Induk Kependudukan): its errors, and the doubts that never block it."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netral.regions.models import Region
from netral.registry.nip import real_date


def validate_nik(value: str) -> list[str]:
    """Errors of a NIK (16 digits; region code and birth date checked); warnings never block."""
    errors: list[str] = []
    if len(value) != 16 or not (value.isascii() and value.isdigit()):
        return [str(_("A NIK has 16 digits."))]
    day = int(value[6:8])
    if day > 40:
        day -= 40  # women: 40 added to the day
    month, year2 = value[8:10], int(value[10:12])
    current = timezone.localdate().year % 100
    century = 2000 if year2 <= current else 1900
    if real_date(f"{century + year2:04d}{month}{day:02d}") is None:
        errors.append(str(_("The birth date in this NIK is not a real date.")))
    if value[:2] == "00" or value[2:4] == "00":
        errors.append(str(_("The region code in this NIK is not valid.")))
    return errors


def unknown_nik_region(value: str) -> str:
    """The region code (first six digits, a district) of a NIK when it is not in today's list,
    else "": it may be one in force when the NIK was issued, before regions were split and
    renumbered (DOMAIN: a warning, never a rejection)."""
    if len(value) != 16 or not value.isdigit():
        return ""
    code = f"{value[:2]}.{value[2:4]}.{value[4:6]}"
    return "" if Region.objects.filter(code=code).exists() else code


def nik_warnings(value: str) -> list[str]:
    """Doubts about a valid NIK that never block it, for the reporter."""
    code = unknown_nik_region(value)
    if not code:
        return []
    return [
        str(
            _(
                "The region code %(code)s of this NIK is not in today's list of districts. It "
                "may be an older code; the report is accepted."
            )
            % {"code": code}
        )
    ]
