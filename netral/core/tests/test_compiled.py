"""Compiled statements give exactly the rows the queryset would, and are built once per key."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from netral.core import compiled
from netral.insights.models import RollupDay
from netral.rules.models import ViolationType

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_statements() -> None:
    compiled.forget()


def by_social_media() -> Any:
    return (
        ViolationType.objects.values_list("social_media")
        .annotate(n=Count("*"), coded=Count("pk", filter=Q(code__startswith="a")))
        .order_by()
    )


@pytest.mark.parametrize(
    "build",
    [
        by_social_media,
        # A date column: SQLite returns text that the field's converter turns into a date.
        lambda: RollupDay.objects.values_list("pk", "day"),
        # DISTINCT with an ordering column that is not selected: the ORM selects it too and
        # drops it from each row.
        lambda: ViolationType.objects.values_list("social_media").distinct().order_by("position"),
        # Nothing can match: no query at all.
        lambda: ViolationType.objects.filter(pk__in=[]).values_list("code"),
    ],
    ids=["grouped", "date converted", "ordering column dropped", "empty"],
)
def test_rows_are_exactly_what_the_queryset_gives(build: Any) -> None:
    RollupDay.objects.update_or_create(pk=1, defaults={"day": date(2026, 11, 25)})
    assert list(build()) == compiled.rows(("test", build), build)
    assert list(build()) == compiled.rows(("test", build), build)  # from the kept statement


def test_a_date_comes_back_as_a_date() -> None:
    RollupDay.objects.update_or_create(pk=1, defaults={"day": date(2026, 11, 25)})
    rows = compiled.rows("day", lambda: RollupDay.objects.values_list("day"))
    assert rows == [(date(2026, 11, 25),)]


def test_built_once_per_key_and_the_data_is_read_each_time(
    django_assert_num_queries: Any,
) -> None:
    built: list[str] = []

    def build(code: str) -> Any:
        built.append(code)
        return ViolationType.objects.filter(code=code).values_list("code", "name_en")

    code = ViolationType.objects.values_list("code", flat=True).first()
    assert code
    assert compiled.rows(("type", code), lambda: build(code))[0][0] == code
    assert compiled.rows(("type", "nope"), lambda: build("nope")) == []
    ViolationType.objects.filter(code=code).update(name_en="Renamed")
    with django_assert_num_queries(1):
        assert compiled.rows(("type", code), lambda: build(code)) == [(code, "Renamed")]
    assert built == [code, "nope"]


def test_a_time_zone_of_its_own_gets_a_statement_of_its_own() -> None:
    built = []

    def build() -> Any:
        built.append(timezone.get_current_timezone_name())
        return ViolationType.objects.values_list("code")

    compiled.rows("zoned", build)
    with timezone.override("Asia/Makassar"):
        compiled.rows("zoned", build)
    compiled.rows("zoned", build)
    assert built == ["Asia/Jakarta", "Asia/Makassar"]


def test_the_least_recently_used_statement_goes_first(monkeypatch: Any) -> None:
    monkeypatch.setattr(compiled, "MAX_STATEMENTS", 2)
    built = []

    def build(name: str) -> Any:
        built.append(name)
        return ViolationType.objects.values_list("code")

    for name in ("a", "b", "a", "c", "a", "b"):
        compiled.rows(name, functools.partial(build, name))
    assert built == ["a", "b", "c", "b"]  # "b" was the least recent when "c" came


def test_a_locking_read_and_another_database_are_refused() -> None:
    with pytest.raises(TypeError):
        compiled.rows(
            "locking", lambda: ViolationType.objects.select_for_update().values_list("pk")
        )
    with pytest.raises(ValueError, match="default"):
        compiled.rows("elsewhere", lambda: ViolationType.objects.values_list("pk"), using="replica")


def test_only_tuples_can_be_compiled() -> None:
    with pytest.raises(TypeError):
        compiled.rows("objects", lambda: ViolationType.objects.all())
    with pytest.raises(TypeError):
        compiled.rows("flat", lambda: ViolationType.objects.values_list("code", flat=True))
