"""Public statistics: fixed tables of counts in which no small count can be worked out.

The method is structural, the same for every table the public can get for an election (the
national page, each province's page, their CSV and the API):

- The *finest cells* are the counts by regency/city (with "no regency" as one more row) and
  outcome, and by province (with "no province"), violation type and outcome. A finest cell of
  1 to 4 is shown as "<5"; 0 and 5 or more are shown as they are.
- Every other figure (a province's cell on the national page, any row or column total, the
  national count of a violation type) is a sum of finest cells. It is shown only when none of
  the cells it sums is hidden; otherwise it is shown as "hidden", whatever its value.

So every number that is published is a sum of numbers that are published too: no combination
of published figures, within one table or across tables, says anything about a hidden cell
beyond its own label. Open cases appear only as the count "in process".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from netral.cases.models import Case, Holder, State
from netral.regions.models import Region
from netral.rules.models import Election, ViolationType

THRESHOLD = 5
SMALL = "<5"
NOWHERE = ""  # the row of cases without a regency (or province) code

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


def hidden_label() -> str:
    return gettext("hidden")


@dataclass(frozen=True)
class Figure:
    """A published number: its value, and whether any finest cell it sums is small (1-4)."""

    value: int
    small_inside: bool
    finest: bool = False

    def __add__(self, other: Figure) -> Figure:
        return Figure(self.value + other.value, self.small_inside or other.small_inside)

    @classmethod
    def cell(cls, value: int) -> Figure:
        return cls(value, 0 < value < THRESHOLD, finest=True)

    def shown(self) -> str:
        if not self.small_inside:
            return str(self.value)
        return SMALL if self.finest else hidden_label()


ZERO = Figure(0, False)


def total(figures: list[Figure]) -> Figure:
    result = ZERO
    for figure in figures:
        result = result + figure
    return Figure(result.value, result.small_inside)  # a sum is never a finest cell


def table_values(rows: list[list[Figure]]) -> list[list[str]]:
    """Display strings: each row's cells and its total, then the column totals."""
    width = len(OUTCOMES)
    grid = [[*row, total(row)] for row in rows]
    grid.append(
        [total([row[c] for row in rows]) for c in range(width)]
        + [total([f for row in rows for f in row])]
    )
    return [[figure.shown() for figure in line] for line in grid]


@dataclass
class Table:
    title: Any
    row_label: Any
    columns: list[Any]
    rows: list[tuple[str, str]]  # (key, label)
    values: list[list[str]]  # shown, with totals: len(rows)+1 x len(columns)+1

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


Counts = dict[tuple[str, str], list[int]]


def _outcome_counts(queryset: Any, *fields: str, prefix: str = "") -> Counts:
    grouped = queryset.values_list(*fields).annotate(
        **{
            key: Count("pk", filter=_prefixed(condition, prefix) if prefix else condition)
            for key, _label, condition in OUTCOMES
        }
    )
    return {(row[0] or NOWHERE, row[1] or NOWHERE): list(row[2:]) for row in grouped.order_by()}


def counts(election: Election) -> tuple[Counts, Counts]:
    """The finest cells of an election, shared through the cache for a few minutes (the page
    is public, and at millions of cases each count reads them all): by (province, regency)
    and by (province, violation type), each a list of counts per outcome."""
    key = f"netral:transparency:v2:{election.pk}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    cases = Case.objects.filter(election=election)
    by_area = _outcome_counts(cases, "province_code", "regency_code")
    through = Case.violation_types.through.objects.filter(case__in=cases.values("pk"))
    by_type = _outcome_counts(
        through, "case__province_code", "violationtype__code", prefix="case__"
    )
    cache.set(key, (by_area, by_type), settings.NETRAL_PUBLIC_STATS_SECONDS)
    return by_area, by_type


def _rows(
    cells: Counts, group: Callable[[tuple[str, str]], str | None], *, finest: bool
) -> dict[str, list[Figure]]:
    """Figures per row, where ``group`` maps a finest key to its row (or None to leave it out).
    With ``finest`` each row is one finest cell per outcome; otherwise a sum of them."""
    members: dict[str, list[list[int]]] = {}
    for cell_key, values in cells.items():
        row = group(cell_key)
        if row is not None:
            members.setdefault(row, []).append(values)
    rows: dict[str, list[Figure]] = {}
    for row, lists in members.items():
        if finest:
            rows[row] = [Figure.cell(v) for v in lists[0]]
        else:
            rows[row] = [
                total([Figure.cell(values[c]) for values in lists]) for c in range(len(OUTCOMES))
            ]
    return rows


def statistics(election: Election, region: str = "") -> list[Table]:
    """The public tables of an election: by area (provinces, or a province's regencies and
    cities) and by violation type (the whole country, or one province)."""
    by_area, by_type = counts(election)
    province = region[:2]
    if province:

        def finest(key: tuple[str, str]) -> str | None:
            return key[1] if key[0] == province and key[1] != NOWHERE else None

        area = _rows(by_area, finest, finest=True)
        types = _rows(by_type, finest, finest=True)
    else:

        def by_first(key: tuple[str, str]) -> str | None:
            return key[0] if key[0] != NOWHERE else None

        def by_second(key: tuple[str, str]) -> str | None:
            return key[1] if key[1] != NOWHERE else None

        area = _rows(by_area, by_first, finest=False)
        types = _rows(by_type, by_second, finest=False)
    names = dict(Region.objects.filter(code__in=list(area)).values_list("code", "name"))
    area_rows = sorted(area)
    known = {v.code: v for v in ViolationType.objects.filter(code__in=list(types))}
    type_rows = sorted(types, key=lambda code: known[code].position if code in known else 0)
    columns = [label for _key, label, _q in OUTCOMES]
    return [
        Table(
            _("By regency and city") if province else _("By province"),
            _("Regency/city") if province else _("Province"),
            columns,
            [(code, names.get(code, code)) for code in area_rows],
            table_values([area[code] for code in area_rows]) if area_rows else [],
        ),
        Table(
            _("By violation type"),
            _("Violation type"),
            columns,
            [(code, known[code].text("name") if code in known else code) for code in type_rows],
            table_values([types[code] for code in type_rows]) if type_rows else [],
        ),
    ]


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
