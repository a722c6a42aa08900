"""Every query the case page runs is counted (STYLE): the count is exact and does not grow with
the case's events, accused and violation types (no query per row)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from netral.cases.models import Accused, CaseEvent
from netral.rules.models import ViolationType

pytestmark = pytest.mark.django_db

CASE_PAGE_QUERIES = 16


def _grow(case, n: int) -> None:
    """``n`` more events, accused and violation types on the case."""
    last = case.events.order_by("-seq").first()
    for i in range(n):
        CaseEvent.objects.create(
            case=case,
            seq=last.seq + 1 + i,
            transition="note",
            to_state=case.state,
            at=timezone.now() + timedelta(minutes=i),
            effective_on=last.effective_on,
        )
        Accused.objects.create(case=case, name=f"Terlapor {case.events.count()} {i}")
    have = set(case.violation_types.values_list("pk", flat=True))
    case.violation_types.add(
        *ViolationType.objects.exclude(pk__in=have).order_by("pk")[: max(n, 1)]
    )


def test_the_case_page_runs_the_same_queries_whatever_the_case_holds(
    case_factory, as_user, django_assert_num_queries
):
    case = case_factory()
    client = as_user("bawaslu.kukar")
    url = f"/perkara/{case.pk}/"
    assert client.get(url).status_code == 200  # the session and the reference memo warmed
    _grow(case, 10)
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    _grow(case, 5)
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        assert client.get(url).status_code == 200
