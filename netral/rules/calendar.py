"""The working-day engine: weekends, national days off and a region's local days off.

A calendar precomputes, over a fixed range, the running count of working days and the list of
working days, so adding N working days and counting the working days between two dates are
O(1) list look-ups instead of a day-by-day walk. Calendar days use the same interface.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Protocol

from netral.core import reference

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2045, 12, 31)


class OutOfRange(ValueError):
    """The date lies outside the range the calendar covers."""


class DayCounter(Protocol):
    def is_working_day(self, day: date) -> bool: ...

    def add(self, start: date, days: int) -> date: ...

    def between(self, start: date, end: date) -> int: ...


class WorkingCalendar:
    """Working days: not Saturday, not Sunday, not a day off.

    ``add(start, n)`` is the n-th working day after ``start`` (``n = 0``: ``start`` itself when
    it is a working day, else the next one; negative ``n`` counts backwards).
    ``between(start, end)`` counts the working days in (start, end], so that
    ``between(start, add(start, n)) == n`` for every ``n >= 1``.
    """

    def __init__(
        self, days_off: Iterable[date], first: date = FIRST_DAY, last: date = LAST_DAY
    ) -> None:
        self.first = first
        self.last = last
        self._base = first.toordinal()
        size = last.toordinal() - self._base + 1
        off = {d.toordinal() - self._base for d in days_off}
        weekday0 = first.weekday()
        # _count[i]: working days strictly before day index i.
        self._count = array("l", [0]) * (size + 1)
        self._working = array("l")
        running = 0
        for i in range(size):
            self._count[i] = running
            if (weekday0 + i) % 7 < 5 and i not in off:
                self._working.append(i + self._base)
                running += 1
        self._count[size] = running

    def _index(self, day: date) -> int:
        index = day.toordinal() - self._base
        if index < 0 or index >= len(self._count) - 1:
            raise OutOfRange(f"{day.isoformat()} is outside {self.first}..{self.last}")
        return index

    def is_working_day(self, day: date) -> bool:
        index = self._index(day)
        return self._count[index + 1] != self._count[index]

    def add(self, start: date, days: int) -> date:
        index = self._index(start)
        if days > 0:
            position = self._count[index + 1] + days - 1
        elif days == 0:
            position = self._count[index]
        else:
            position = self._count[index] + days
        if position < 0 or position >= len(self._working):
            raise OutOfRange(f"{days} working days from {start.isoformat()} leave the range")
        return date.fromordinal(self._working[position])

    def between(self, start: date, end: date) -> int:
        if end < start:
            return -self.between(end, start)
        return self._count[self._index(end) + 1] - self._count[self._index(start) + 1]


class CalendarDays:
    """Calendar days behind the same interface: every day counts."""

    def is_working_day(self, day: date) -> bool:
        return True

    def add(self, start: date, days: int) -> date:
        return start + timedelta(days=days)

    def between(self, start: date, end: date) -> int:
        return (end - start).days


CALENDAR_DAYS = CalendarDays()

REVISION = "calendar"  # core.Revision row: changed with every change of days off

_lock = threading.Lock()
_cache: dict[tuple[str, int], WorkingCalendar] = {}


def days_off_changed() -> None:
    """Days off changed in the current transaction: cached calendars of every process are stale."""
    reference.bump_revision(REVISION)


def region_chain(code: str | None) -> list[str]:
    """A region and its ancestors: "64.02.01" -> ["64.02.01", "64.02", "64"]."""
    if not code:
        return []
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


def calendar_for(region_code: str | None = None) -> WorkingCalendar:
    """The working calendar of a region (national when None).

    Built from the database and cached per process; the cache key includes the calendar
    revision, which every change of days off bumps, so all processes agree.
    """
    from netral.rules.models import Holiday, LocalDayOff

    key = (region_code or "", reference.read_revision(REVISION))
    calendar = _cache.get(key)
    if calendar is not None:
        return calendar
    national = list(Holiday.objects.values_list("date", flat=True))
    days_off = list(national)
    chain = region_chain(region_code)
    if chain:
        days_off += LocalDayOff.objects.filter(region_id__in=chain).values_list("date", flat=True)
    # Only the years whose national days off are loaded: beyond them a count would silently
    # ignore holidays, so such dates are refused instead.
    if national:
        first, last = date(min(national).year, 1, 1), date(max(national).year, 12, 31)
        calendar = WorkingCalendar(days_off, first, last)
    else:
        calendar = WorkingCalendar(days_off)
    with _lock:
        if len(_cache) > 1000:
            _cache.clear()
        _cache[key] = calendar
    return calendar
