"""Public statistics: fixed tables, small cells hidden, and never a total that reveals them.

Tables are fixed in advance (by province or regency/city, and by violation type; columns are
outcomes). A cell of 1 to 4 is shown as "<5" (primary suppression). Every row and column is a
line whose total is shown; when a line with a visible total has exactly one hidden cell, the
smallest other cell of the line is hidden too (complementary suppression), and this repeats
until no line gives a hidden cell away. Open cases appear only as the count "in process".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from netral.cases.models import Case, Holder, State
from netral.regions.models import Region
from netral.rules.models import Election, ViolationType

THRESHOLD = 5
HIDDEN = "<5"

OUTCOMES: list[tuple[str, Any, Q]] = [
    ("in_process", _("In process"), ~Q(holder=Holder.NONE)),
    ("not_violation", _("Not a violation"), Q(state=State.NOT_VIOLATION)),
    ("sanctioned", _("Sanction imposed"), Q(state=State.CLOSED, imposed_sanction__isnull=False)),
    (
        "closed_no_sanction",
        _("Closed without sanction"),
        Q(state=State.CLOSED, imposed_sanction__isnull=True),
    ),
]
TOTAL = "total"


def suppress(cells: Sequence[Sequence[int]]) -> list[list[str]]:
    """Display strings for a table and its totals: rows + [column totals], each row's cells +
    [row total]. Primary suppression of 1..4, then complementary until stable."""
    rows = [list(r) for r in cells]
    width = len(rows[0]) if rows else 0
    grid = [[*r, sum(r)] for r in rows]
    grid.append([sum(r[c] for r in rows) for c in range(width)] + [sum(sum(r) for r in rows)])
    hidden = [[0 < v < THRESHOLD for v in row] for row in grid]
    height = len(grid)

    def lines() -> list[list[tuple[int, int]]]:
        out = [[(r, c) for c in range(width + 1)] for r in range(height)]
        out += [[(r, c) for r in range(height)] for c in range(width + 1)]
        return out

    changed = True
    while changed:
        changed = False
        for line in lines():
            parts, total = line[:-1], line[-1]
            if hidden[total[0]][total[1]]:
                continue
            secret = [p for p in parts if hidden[p[0]][p[1]]]
            if len(secret) != 1:
                continue
            visible = [p for p in parts if not hidden[p[0]][p[1]]]
            if not visible:
                continue
            # The smallest other non-zero cell; a zero only when nothing else is left.
            r, c = min(visible, key=lambda p: (grid[p[0]][p[1]] == 0, grid[p[0]][p[1]], p))
            hidden[r][c] = True
            changed = True
    return [
        [HIDDEN if hidden[r][c] else str(grid[r][c]) for c in range(width + 1)]
        for r in range(height)
    ]


@dataclass
class Table:
    title: Any
    row_label: Any
    columns: list[Any]
    rows: list[tuple[str, str]]  # (key, label)
    values: list[list[str]]  # suppressed, with totals: len(rows)+1 x len(columns)+1

    def as_records(self) -> list[dict[str, str]]:
        if not self.values:  # nothing to count (no case in this area): no rows, not even a total
            return []
        keys = [key for key, _label, _q in OUTCOMES] + [TOTAL]
        out = []
        for (key, label), row in zip(
            [*self.rows, (TOTAL, str(_("Total")))], self.values, strict=True
        ):
            out.append({"key": key, "label": str(label), **dict(zip(keys, row, strict=True))})
        return out


def _aggregate(queryset: Any, field: str) -> dict[str, list[int]]:
    counts = queryset.values_list(field).annotate(
        **{key: Count("pk", filter=condition) for key, _label, condition in OUTCOMES}
    )
    return {row[0]: list(row[1:]) for row in counts.order_by() if row[0]}


def counts(
    election: Election, region: str = ""
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """The raw counts behind the public tables, shared through the cache for a few minutes:
    the page is public, and at millions of cases each count reads them all."""
    key = f"netral:transparency:{election.pk}:{region[:2]}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    cases = Case.objects.filter(election=election)
    if region:
        cases = cases.filter(province_code=region[:2])
    by_area = _aggregate(cases, "regency_code" if region else "province_code")
    through = Case.violation_types.through.objects.filter(case__in=cases.values("pk"))
    by_type: dict[str, list[int]] = {}
    grouped = through.values_list("violationtype__code").annotate(
        **{
            name: Count("pk", filter=_prefixed(condition, "case__"))
            for name, _label, condition in OUTCOMES
        }
    )
    for row in grouped.order_by():
        by_type[row[0]] = list(row[1:])
    cache.set(key, (by_area, by_type), settings.NETRAL_PUBLIC_STATS_SECONDS)
    return by_area, by_type


def statistics(election: Election, region: str = "") -> list[Table]:
    """The public tables of an election: by area (provinces, or a province's regencies and
    cities) and by violation type."""
    by_area, by_type = counts(election, region)
    names = dict(Region.objects.filter(code__in=list(by_area)).values_list("code", "name"))
    area_rows = sorted(by_area)
    types = {v.code: v for v in ViolationType.objects.filter(code__in=list(by_type))}
    type_rows = sorted(by_type, key=lambda code: types[code].position if code in types else 0)
    columns = [label for _key, label, _q in OUTCOMES]
    area_title = _("By regency and city") if region else _("By province")
    tables = [
        Table(
            area_title,
            _("Regency/city") if region else _("Province"),
            columns,
            [(code, names.get(code, code)) for code in area_rows],
            suppress([by_area[code] for code in area_rows]) if area_rows else [],
        ),
        Table(
            _("By violation type"),
            _("Violation type"),
            columns,
            [(code, types[code].text("name") if code in types else code) for code in type_rows],
            suppress([by_type[code] for code in type_rows]) if type_rows else [],
        ),
    ]
    return tables


def _prefixed(condition: Q, prefix: str) -> Q:
    """The same condition on a related case (``holder`` -> ``case__holder``)."""
    clone = Q()
    clone.connector = condition.connector
    clone.negated = condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            clone.children.append(_prefixed(child, prefix))
        else:
            key, value = child  # type: ignore[misc]
            clone.children.append((f"{prefix}{key}", value))
    return clone
