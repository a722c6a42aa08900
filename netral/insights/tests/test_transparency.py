"""Public statistics: small cells hidden, and no total that lets a reader work one out."""

from __future__ import annotations

import itertools

import pytest

from netral.insights.public import HIDDEN, suppress


def _deducible(cells, shown):
    """Whether a hidden small cell is fixed by the visible numbers: brute force over every
    filling of the hidden inner cells that the visible totals allow."""
    height, width = len(cells), len(cells[0])
    hidden = [(r, c) for r in range(height) for c in range(width) if shown[r][c] == HIDDEN]
    grand = sum(map(sum, cells))

    def bound(r, c):
        limits = [grand]
        if shown[r][width] != HIDDEN:
            limits.append(int(shown[r][width]))
        if shown[height][c] != HIDDEN:
            limits.append(int(shown[height][c]))
        return min(limits)

    candidates = []
    ranges = [range(bound(r, c) + 1) for r, c in hidden]
    for values in itertools.product(*ranges):
        grid = [row[:] for row in cells]
        for (r, c), v in zip(hidden, values, strict=True):
            grid[r][c] = v
        ok = True
        for r in range(height):
            total = shown[r][width]
            if total != HIDDEN and sum(grid[r]) != int(total):
                ok = False
        for c in range(width):
            total = shown[height][c]
            if total != HIDDEN and sum(grid[r][c] for r in range(height)) != int(total):
                ok = False
        if ok:
            candidates.append(values)
    # A small count (1 to 4) is disclosed when every consistent filling gives it one value.
    return any(
        0 < cells[r][c] < 5 and len({v[i] for v in candidates}) == 1
        for i, (r, c) in enumerate(hidden)
    )


def test_cells_under_five_are_hidden_and_big_ones_shown():
    shown = suppress([[12, 0], [7, 30]])
    assert shown == [["12", "0", "12"], ["7", "30", "37"], ["19", "30", "49"]]


def test_a_single_small_cell_hides_a_complementary_one_in_its_row_and_column():
    cells = [[3, 10, 7], [8, 20, 9]]
    shown = suppress(cells)
    assert shown[0][0] == HIDDEN
    assert sum(v == HIDDEN for v in shown[0][:3]) >= 2  # row: another cell hidden
    assert sum(row[0] == HIDDEN for row in shown[:2]) >= 2  # column: another cell hidden
    assert not _deducible(cells, shown)


@pytest.mark.parametrize(
    "cells",
    [
        [[1, 0, 0], [0, 6, 9]],
        [[4, 5], [5, 4]],
        [[2, 0, 6], [0, 3, 5], [5, 5, 5]],
        [[0, 0], [0, 1]],
    ],
)
def test_no_hidden_cell_can_be_worked_out_from_the_totals(cells):
    shown = suppress(cells)
    assert not _deducible(cells, shown)
    for r, row in enumerate(cells):
        for c, value in enumerate(row):
            if 0 < value < 5:
                assert shown[r][c] == HIDDEN


@pytest.mark.django_db
def test_the_public_page_and_csv_never_show_small_counts_or_names(client):
    from netral.demo.cases import seed_cases

    seed_cases()
    page = client.get("/transparansi/?election=pilkada-2024")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Kalimantan Timur" in html
    assert "&lt;5" in html
    from netral.cases.models import Case

    for case in Case.objects.all():
        assert case.accused_name not in html
    csv = client.get("/transparansi/csv/?election=pilkada-2024").content.decode()
    assert "<5" in csv
    api = client.get("/api/v1/public/statistics?election=pilkada-2024").json()
    rows = api["tables"][0]["rows"]
    assert rows[0]["label"] == "Kalimantan Timur"
    assert rows[0]["not_violation"] == HIDDEN  # one case closed as not proven


@pytest.mark.django_db
def test_public_counts_are_shared_through_the_cache(settings, django_assert_max_num_queries):
    from django.core.cache import cache

    from netral.demo.cases import seed_cases
    from netral.insights.public import counts
    from netral.rules.models import Election

    settings.NETRAL_PUBLIC_STATS_SECONDS = 60
    cache.clear()
    seed_cases()
    election = Election.objects.get(slug="pilkada-2024")
    first = counts(election)
    with django_assert_max_num_queries(1):  # the cache table itself, nothing else
        assert counts(election) == first
    cache.clear()
