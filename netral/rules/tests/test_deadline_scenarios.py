"""Working-day deadlines across Lebaran, joint leave and election days, 2024-2026.

Every expected date is counted by hand below from the days off the ``holidays`` package gives
for Indonesia (categories public and government), listed in ``DAYS_OFF`` as they were read; the
tests check that the materialised calendar holds those days, then that the deadline rules land
where the hand count does. Counting: the day of the start is not counted; Saturdays, Sundays
and days off are skipped.
"""

from __future__ import annotations

from datetime import date

import pytest

from netral.rules.models import Holiday
from netral.rules.queries import deadline_rule, due_date

pytestmark = pytest.mark.django_db

DAYS_OFF = [
    # 2024
    date(2024, 2, 8), date(2024, 2, 9), date(2024, 2, 14),  # Isra Mi'raj, Imlek leave, Pemilu
    date(2024, 4, 8), date(2024, 4, 9), date(2024, 4, 10), date(2024, 4, 11), date(2024, 4, 12),
    date(2024, 4, 15),  # Idul Fitri 1445 H with joint leave
    date(2024, 5, 1), date(2024, 11, 27), date(2024, 12, 25), date(2024, 12, 26),  # Pilkada day
    # 2025
    date(2025, 3, 28), date(2025, 3, 31), date(2025, 4, 1), date(2025, 4, 2), date(2025, 4, 3),
    date(2025, 4, 4), date(2025, 4, 7), date(2025, 4, 18),  # Nyepi leave, Idul Fitri, Good Friday
    date(2025, 12, 25), date(2025, 12, 26),  # Christmas and its joint leave
    # 2026
    date(2026, 1, 1), date(2026, 3, 18), date(2026, 3, 19), date(2026, 3, 20), date(2026, 3, 23),
    date(2026, 3, 24),  # Nyepi and Idul Fitri 1447 H with joint leave
]  # fmt: skip


def test_the_calendar_holds_the_days_off_counted_from():
    stored = set(Holiday.objects.filter(date__in=DAYS_OFF).values_list("date", flat=True))
    assert stored == set(DAYS_OFF)


@pytest.mark.parametrize(
    ("step", "kind", "start", "expected"),
    [
        # PPK follow-up, 14 working days from receipt on Thu 4 Apr 2024, across Lebaran 2024:
        # Fri 5 Apr (1); 8-12 and Mon 15 off; 16-19 (2-5); 22-26 (6-10); 29, 30 Apr (11, 12);
        # 1 May off; Thu 2 (13), Fri 3 May (14).
        ("ppk_follow_up", "pilkada", date(2024, 4, 4), date(2024, 5, 3)),
        # Pemilu report, 7 working days from Fri 9 Feb 2024 (Imlek joint leave): Mon 12 (1),
        # Tue 13 (2), Wed 14 voting day off, Thu 15 (3), Fri 16 (4), 19 (5), 20 (6), Wed 21 (7).
        ("report", "pemilu", date(2024, 2, 9), date(2024, 2, 21)),
        # Review, 7 working days from Mon 25 Nov 2024: Tue 26 (1), Wed 27 Pilkada voting day
        # off, Thu 28 (2), Fri 29 (3), Mon 2 Dec (4), 3 (5), 4 (6), Thu 5 Dec (7).
        ("review", "pilkada", date(2024, 11, 25), date(2024, 12, 5)),
        # PPK follow-up, 14 working days from Thu 27 Mar 2025, across Nyepi and Lebaran 2025:
        # 28 Mar, 31 Mar-4 Apr and Mon 7 Apr off; 8-11 (1-4); 14-17 (5-8); Fri 18 Good Friday
        # off; 21-25 (9-13); Mon 28 Apr (14).
        ("ppk_follow_up", "pemilu", date(2025, 3, 27), date(2025, 4, 28)),
        # Review, 7 working days from Tue 23 Dec 2025, across Christmas leave and New Year:
        # Wed 24 (1); 25, 26 off; 29 (2), 30 (3), 31 (4); Thu 1 Jan off; Fri 2 (5), Mon 5 (6),
        # Tue 6 Jan 2026 (7).
        ("review", "any", date(2025, 12, 23), date(2026, 1, 6)),
        # Review, 7 working days from Tue 17 Mar 2026, across Nyepi and Lebaran 2026: 18, 19,
        # 20, 23, 24 off; 25 (1), 26 (2), 27 (3), 30 (4), 31 (5), 1 Apr (6), Thu 2 Apr (7).
        ("review", "pilkada", date(2026, 3, 17), date(2026, 4, 2)),
        # Banding administratif, 14 working days from a decision on Fri 12 Dec 2025:
        # 15-19 (1-5), 22-24 (6-8), 25-26 off, 29-31 (9-11), 1 Jan off, Fri 2 (12),
        # Mon 5 (13), Tue 6 Jan 2026 (14).
        ("appeal_administrative", "any", date(2025, 12, 12), date(2026, 1, 6)),
        # Pilkada follow-up counts calendar days: the voting day is not skipped.
        # 3 days from Mon 25 Nov 2024 is Thu 28; 5 in all is Sat 30 Nov.
        ("bawaslu_follow_up", "pilkada", date(2024, 11, 25), date(2024, 11, 28)),
        ("bawaslu_follow_up_extended", "pilkada", date(2024, 11, 25), date(2024, 11, 30)),
        # Pilkada completion, 2 calendar days from Sun 7 Apr 2024 (Lebaran leave): Tue 9 Apr.
        ("completion", "pilkada", date(2024, 4, 7), date(2024, 4, 9)),
    ],
)
def test_deadline_scenarios(step, kind, start, expected):
    rule = deadline_rule(step, kind, start)
    assert due_date(rule, start) == expected


def test_a_regional_day_off_moves_only_that_regions_deadline(personas):
    from netral.rules.services import add_local_day_off

    add_local_day_off(actor=None, region_id="64", day=date(2024, 12, 2), name="Hari jadi")
    rule = deadline_rule("review", "pilkada", date(2024, 11, 25))
    # Kalimantan Timur loses Mon 2 Dec: Tue 3 (4) ... Fri 6 Dec (7).
    assert due_date(rule, date(2024, 11, 25), "64.02") == date(2024, 12, 6)
    assert due_date(rule, date(2024, 11, 25), "62.08") == date(2024, 12, 5)
