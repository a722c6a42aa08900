"""NIP (civil servant number) layouts, per DOMAIN.md "Identifiers".

PNS:  birth date YYYYMMDD | appointment as candidate YYYYMM | sex 1/2 | serial 3
PPPK: birth date YYYYMMDD | appointment year YYYY | "21"   | sex 1/2 | serial 3
Birth date and appointment must be real dates, the appointment after the 18th birthday.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PNS = "PNS"
PPPK = "PPPK"


class NotANip(ValueError):
    """The value cannot be a NIP at all (length or characters)."""

    def __init__(self, message: Promise) -> None:
        super().__init__(str(message))
        self.message = message


class NipInfo(NamedTuple):  # a tuple: an import builds millions of them
    birth_date: date | None
    sex: str  # "M", "F" or "" when the digit is neither 1 nor 2
    conforms: bool
    problem: Promise | None  # why it does not fit its layout


def digits_of(value: object) -> str:
    """The ASCII digits of a NIP as people type it ("1990 0101 2015..." or "1990.0101-...");
    other characters, other scripts' digits included, are left out."""
    return "".join(ch for ch in str(value) if "0" <= ch <= "9")


@lru_cache(maxsize=65536)
def real_date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def sex_of(digit: str) -> str:
    return "M" if digit == "1" else "F" if digit == "2" else ""


def layout_problem(nip: str, employment_type: str, birth: date) -> Promise | None:
    if employment_type == PPPK:
        if nip[12:14] != "21":
            return _("a PPPK number has the digits 21 after the appointment year")
        year, month = int(nip[8:12]), 12
        sex_digit = nip[14]
    else:
        year, month = int(nip[8:12]), int(nip[12:14])
        if not 1 <= month <= 12:
            return _("the appointment month is not a real month")
        sex_digit = nip[14]
    if sex_digit not in "12":
        return _("the sex digit must be 1 (male) or 2 (female)")
    if year < 1900 or (year, month) < (birth.year + 18, birth.month):
        return _("the appointment is before the 18th birthday")
    return None


def parse_nip(nip: str, employment_type: str = PNS) -> NipInfo:
    """Check ``nip`` against the layout of ``employment_type``.

    Raises ``NotANip`` when it is not 18 ASCII digits. A number of the right shape that fits
    neither layout is returned with ``conforms=False`` and the reason, to be kept and flagged.
    """
    if len(nip) != 18:
        raise NotANip(_("a NIP has 18 digits"))
    if not (nip.isascii() and nip.isdigit()):
        raise NotANip(_("a NIP has digits only"))
    birth = real_date(nip[:8])
    if birth is None:
        return NipInfo(
            None, sex_of(nip[14]), False, _("the birth date in the NIP is not a real date")
        )
    problem = layout_problem(nip, employment_type, birth)
    if problem is not None:
        other = PNS if employment_type == PPPK else PPPK
        if layout_problem(nip, other, birth) is None:
            problem = (
                _("the number has the PPPK layout, not the PNS one")
                if other == PPPK
                else _("the number has the PNS layout, not the PPPK one")
            )
    return NipInfo(birth, sex_of(nip[14]), problem is None, problem)
