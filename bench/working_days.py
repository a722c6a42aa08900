"""Benchmark: adding working days with the precomputed calendar against a naive day-by-day loop.

    python bench/working_days.py [--calls N] [--max-days D] [--seed S]

Both paths use the same days off (Indonesia's national holidays and joint leave from the
``holidays`` package, categories public and government) over random start dates in 2023-2027
and random day counts 1..D. The naive loop steps one day at a time and looks each day up in a
set. Prints calls per second of each, and the ratio. Target: at least 10x the naive loop.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import holidays  # noqa: E402

from netral.rules.calendar import WorkingCalendar  # noqa: E402

TARGET = 10.0


def naive_add(start: date, days: int, off: set[date]) -> date:
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            left -= 1
    return day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--max-days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    off = set(
        holidays.country_holidays(
            "ID", years=range(2022, 2030), categories=("public", "government")
        ).keys()
    )
    rng = random.Random(args.seed)
    first = date(2023, 1, 1).toordinal()
    last = date(2027, 12, 31).toordinal()
    cases = [
        (date.fromordinal(rng.randint(first, last)), rng.randint(1, args.max_days))
        for _ in range(args.calls)
    ]
    build_started = time.perf_counter()
    calendar = WorkingCalendar(off)
    build_seconds = time.perf_counter() - build_started

    # Same answers first: the benchmark compares equal work.
    for start, days in cases[:2000]:
        assert calendar.add(start, days) == naive_add(start, days, off), (start, days)

    add = calendar.add
    started = time.perf_counter()
    for start, days in cases:
        add(start, days)
    engine_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for start, days in cases:
        naive_add(start, days, off)
    naive_seconds = time.perf_counter() - started

    engine_rate = args.calls / engine_seconds
    naive_rate = args.calls / naive_seconds
    ratio = engine_rate / naive_rate
    print(f"add working days: {args.calls:,} calls, start 2023-2027, 1..{args.max_days} days")
    print(f"calendar build (2000-2045, once per region and revision): {build_seconds:.4f} s")
    print()
    print(f"{'path':<28} {'calls/s':>14} {'us/call':>10}")
    print(f"{'-' * 28} {'-' * 14} {'-' * 10}")
    print(f"{'precomputed calendar':<28} {engine_rate:>14,.0f} {1e6 / engine_rate:>10.2f}")
    print(f"{'naive day-by-day loop':<28} {naive_rate:>14,.0f} {1e6 / naive_rate:>10.2f}")
    print(f"{'ratio':<28} {ratio:>14.1f}x")
    print()
    verdict = "PASS" if ratio >= TARGET else "FAIL"
    print(f"target: >= {TARGET:.0f}x the naive loop: {verdict}")


if __name__ == "__main__":
    main()
