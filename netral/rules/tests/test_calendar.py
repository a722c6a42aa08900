from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netral.rules.calendar import CALENDAR_DAYS, OutOfRange, WorkingCalendar

NATIONAL = holidays.country_holidays(
    "ID", years=range(2019, 2031), categories=("public", "government")
)
CALENDAR = WorkingCalendar(NATIONAL.keys())
# Starts end in 2028 so that adding up to 400 working days stays within the loaded years.
dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31))
counts = st.integers(min_value=1, max_value=400)


@given(start=dates, days=counts)
def test_result_is_a_working_day(start, days):
    result = CALENDAR.add(start, days)
    assert CALENDAR.is_working_day(result)
    assert result.weekday() < 5
    assert result not in NATIONAL
    assert result > start


@given(start=dates, days=counts)
def test_adding_then_counting_returns_n(start, days):
    assert CALENDAR.between(start, CALENDAR.add(start, days)) == days


@given(start=dates, a=counts, b=counts)
def test_monotonic_in_n(start, a, b):
    low, high = sorted((a, b))
    assert CALENDAR.add(start, low) <= CALENDAR.add(start, high)
    if low < high:
        assert CALENDAR.add(start, low) < CALENDAR.add(start, high)


@settings(max_examples=50)
@given(start=dates, end=dates)
def test_between_matches_a_day_by_day_count(start, end):
    low, high = sorted((start, end))
    naive = sum(
        1
        for n in range(1, (high - low).days + 1)
        if (low + timedelta(n)).weekday() < 5 and (low + timedelta(n)) not in NATIONAL
    )
    assert CALENDAR.between(low, high) == naive
    assert CALENDAR.between(high, low) == -naive


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Lebaran 2024: 8-9 Apr joint leave, 10-11 Apr Idul Fitri, 12 and 15 Apr joint leave.
        (date(2024, 4, 5), 1, date(2024, 4, 16)),
        (date(2024, 4, 5), 7, date(2024, 4, 24)),
        # Christmas 2024: 25 Dec holiday, 26 Dec joint leave.
        (date(2024, 12, 24), 1, date(2024, 12, 27)),
        # Election days are national holidays: 14 Feb 2024 and 27 Nov 2024.
        (date(2024, 2, 13), 1, date(2024, 2, 15)),
        (date(2024, 11, 26), 1, date(2024, 11, 28)),
        # A Saturday start: the first working day after it is Monday.
        (date(2024, 6, 8), 1, date(2024, 6, 10)),
        # 0 days: the start itself when it is a working day, else the next one.
        (date(2024, 4, 9), 0, date(2024, 4, 16)),
        (date(2024, 4, 16), 0, date(2024, 4, 16)),
        (date(2024, 4, 16), -1, date(2024, 4, 5)),
    ],
)
def test_fixed_cases_around_holidays(start, days, expected):
    assert CALENDAR.add(start, days) == expected


def test_fourteen_working_days_across_lebaran():
    # A recommendation received on Thursday 4 Apr 2024 is due 14 working days later.
    # Working: 5 Apr, then 16-19, 22-26, 29-30 Apr (12), 1 May is Labour Day, 2-3 May.
    assert CALENDAR.add(date(2024, 4, 4), 14) == date(2024, 5, 3)


def test_calendar_days_share_the_interface():
    assert CALENDAR_DAYS.add(date(2024, 11, 26), 3) == date(2024, 11, 29)
    assert CALENDAR_DAYS.between(date(2024, 11, 26), date(2024, 11, 29)) == 3
    assert CALENDAR_DAYS.is_working_day(date(2024, 11, 27))


def test_dates_outside_the_range_are_refused():
    with pytest.raises(OutOfRange):
        CALENDAR.add(date(1999, 12, 31), 1)


@pytest.mark.django_db
def test_a_cached_calendar_follows_a_new_day_off_and_forgets_a_rolled_back_one():
    from django.db import transaction

    from netral.core import reference
    from netral.rules.calendar import REVISION, calendar_for
    from netral.rules.models import LocalDayOff

    start = date(2024, 6, 7)  # a Friday; the next working day is Monday 10 June
    assert calendar_for("64.02").add(start, 1) == date(2024, 6, 10)  # now cached

    def rolled_back_day_off() -> None:
        with transaction.atomic():
            LocalDayOff.objects.create(region_id="64", date=date(2024, 6, 10), name="Batal")
            assert calendar_for("64.02").add(start, 1) == date(2024, 6, 11)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        rolled_back_day_off()
    reference.bump_revision(REVISION)  # another process changes days off elsewhere
    assert calendar_for("64.02").add(start, 1) == date(2024, 6, 10)
    LocalDayOff.objects.create(region_id="64", date=date(2024, 6, 10), name="Hari jadi")
    assert calendar_for("64.02").add(start, 1) == date(2024, 6, 11)
