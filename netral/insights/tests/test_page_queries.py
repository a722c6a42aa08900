"""Every query the dashboard runs is counted (STYLE): from the rollup and live (a date range),
with an exact count that does not grow with the cases, regions and PPKs it shows."""

from __future__ import annotations

import pytest
from django.utils import timezone

from netral.insights.seeding import seed_cases

pytestmark = pytest.mark.django_db

# A province officer's dashboard from the rollup; the national one also names the PPKs of
# the follow-up (one query); with a date range every figure is counted from the cases. The
# rollup's figures are kept in the shared cache per rollup revision (netral.insights.figures):
# the first view after a change reads the rollup and stores each figure (the database cache's
# store is 5 statements); the next views read them from the cache.
PROVINCE_QUERIES = 27
NATIONAL_QUERIES = 29
LIVE_QUERIES = 22
CACHED = {"bawaslu.kaltim": 13, "analis.bkn": 14}


@pytest.mark.parametrize(
    ("username", "query", "expected"),
    [
        ("bawaslu.kaltim", "", PROVINCE_QUERIES),
        ("analis.bkn", "", NATIONAL_QUERIES),
        ("bawaslu.kaltim", "live", LIVE_QUERIES),
    ],
)
def test_the_dashboard_runs_the_same_queries_for_any_number_of_cases(
    as_user, django_assert_num_queries, username, query, expected
):
    today = timezone.localdate()
    url = "/dasbor/"
    if query == "live":  # a date range: the rollup cannot answer, the cases are counted
        url += f"?from={today.replace(year=today.year - 2).isoformat()}&to={today.isoformat()}"
    client = as_user(username)
    seed_cases(30)
    assert client.get(url).status_code == 200  # the session and the reference memo warmed
    for round_ in range(2):
        # Cases in every province, recommended to many PPKs (other ones each round: the PPKs'
        # names are looked up once per set of PPKs).
        seed_cases(60, seed=len(url) + round_)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200
        if not query:  # nothing changed since: the rollup's figures come from the cache
            with django_assert_num_queries(CACHED[username]):
                assert client.get(url).status_code == 200
