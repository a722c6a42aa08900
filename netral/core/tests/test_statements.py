"""Statements kept per process: the ORM's SQL captured once through Django's public
instrumentation hook, then run directly, giving exactly the ORM's rows."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from netral.core import statements
from netral.insights.models import RollupDay
from netral.rules.models import ViolationType

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_statements() -> None:
    statements.forget()


def by_social_media() -> Any:
    return (
        ViolationType.objects.values_list("social_media")
        .annotate(n=Count("*"), coded=Count("pk", filter=Q(code__startswith="a")))
        .order_by()
    )


def by_code() -> Any:
    return ViolationType.objects.values_list("code").annotate(n=Count("*")).order_by()


@pytest.mark.parametrize(
    "build",
    [
        by_social_media,
        by_code,
        # A date column: SQLite returns text that the field's converter turns into a date.
        lambda: RollupDay.objects.values_list("pk", "day"),
        # DISTINCT with an ordering column that is not selected: the ORM selects it too and
        # drops it from each row.
        lambda: ViolationType.objects.values_list("social_media").distinct().order_by("position"),
        # Nothing can match: no query at all.
        lambda: ViolationType.objects.filter(pk__in=[]).values_list("code"),
    ],
    ids=["grouped", "plain", "date converted", "ordering column dropped", "empty"],
)
def test_rows_are_exactly_what_the_queryset_gives(build: Any) -> None:
    RollupDay.objects.update_or_create(pk=1, defaults={"day": date(2026, 11, 25)})
    expected = [tuple((type(v), v) for v in row) for row in build()]
    for _ in range(3):  # the first through the ORM, then as kept
        rows = statements.rows(("test", build), build)
        assert [tuple((type(v), v) for v in row) for row in rows] == expected


def test_built_once_per_key_and_the_data_is_read_each_time(
    django_assert_num_queries: Any,
) -> None:
    built: list[str] = []

    def build(code: str) -> Any:
        built.append(code)
        return ViolationType.objects.filter(code=code).values_list("code", "name_en")

    code = ViolationType.objects.values_list("code", flat=True).first()
    assert code
    assert statements.rows(("type", code), lambda: build(code))[0][0] == code
    ViolationType.objects.filter(code=code).update(name_en="Renamed")
    with django_assert_num_queries(1):
        assert statements.rows(("type", code), lambda: build(code)) == [(code, "Renamed")]
    assert built == [code]


def test_a_first_result_without_rows_is_checked_when_rows_come() -> None:
    """No row shows what the ORM does to a column: empty results are served directly, the
    first rows go through the ORM once more and are compared; a converted column (a boolean
    on SQLite) then keeps going through the ORM."""
    built = []

    def build() -> Any:
        built.append(1)
        return ViolationType.objects.filter(code="e2e-new").values_list("code", "social_media")

    for _ in range(2):
        assert statements.rows("later", build) == []
    assert len(built) == 1
    template = ViolationType.objects.order_by("pk")[0]
    template.pk, template.code, template.social_media = None, "e2e-new", True
    template.save()
    for _ in range(3):
        rows = statements.rows("later", build)
        assert rows == [("e2e-new", True)]
        assert type(rows[0][1]) is bool


def test_a_converted_column_keeps_going_through_the_orm() -> None:
    RollupDay.objects.update_or_create(pk=1, defaults={"day": date(2026, 11, 25)})
    for _ in range(3):
        rows = statements.rows("day", lambda: RollupDay.objects.values_list("day"))
        assert rows == [(date(2026, 11, 25),)]
        assert type(rows[0][0]) is date


def test_a_time_zone_of_its_own_gets_a_statement_of_its_own() -> None:
    built = []

    def build() -> Any:
        built.append(timezone.get_current_timezone_name())
        return ViolationType.objects.values_list("code")

    statements.rows("zoned", build)
    with timezone.override("Asia/Makassar"):
        statements.rows("zoned", build)
    statements.rows("zoned", build)
    assert built == ["Asia/Jakarta", "Asia/Makassar"]


def test_the_least_recently_used_statement_goes_first(monkeypatch: Any) -> None:
    monkeypatch.setattr(statements, "MAX_STATEMENTS", 2)
    built = []

    def build(name: str) -> Any:
        built.append(name)
        return ViolationType.objects.values_list("code")

    for name in ("a", "b", "a", "c", "a", "b"):
        statements.rows(name, functools.partial(build, name))
    assert built == ["a", "b", "c", "b"]  # "b" was the least recent when "c" came


def test_only_plain_tuples_from_the_right_database() -> None:
    with pytest.raises(TypeError):
        statements.rows("objects", lambda: ViolationType.objects.all())
    with pytest.raises(TypeError):
        statements.rows("flat", lambda: ViolationType.objects.values_list("code", flat=True))
    with pytest.raises(TypeError):
        statements.rows("named", lambda: ViolationType.objects.values_list("code", named=True))
    with pytest.raises(ValueError, match="default"):
        statements.rows(
            "elsewhere", lambda: ViolationType.objects.values_list("pk"), using="replica"
        )
