"""Dashboards: scoped figures, SVG charts, every figure a link to the list behind it."""

from __future__ import annotations

import re

import pytest

from netral.demo.cases import seed_cases as seed_demo_cases
from netral.insights.rollup import refresh_all

pytestmark = pytest.mark.django_db


def seed_cases():
    seed_demo_cases()
    refresh_all()  # after commit in real life; tests never commit


def test_dashboard_counts_within_the_jurisdiction_and_drills_down(as_user):
    seed_cases()
    client = as_user("bawaslu.kukar")
    page = client.get("/dasbor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'id="fig-cases">6<', html)
    assert "<svg" in html
    link = re.search(r'<a href="(/perkara/\?state=forwarded)"', html)
    assert link
    listed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert listed.count('href="/perkara/') - listed.count('href="/perkara/terlambat') >= 1
    assert "Diteruskan ke instansi pemeriksa" in listed
    assert "Dalam kajian Bawaslu" not in listed.split('id="cases"')[1]
    other = as_user("bawaslu.sukamara").get("/dasbor/").content.decode()
    assert re.search(r'id="fig-cases">0<', other)


def test_summary_api_matches_the_dashboard(as_user):
    seed_cases()
    data = as_user("analis.bkn").get("/api/v1/insights/summary?election=pilkada-2024").json()
    cases = data["cases"]
    assert cases["total"] == 6
    assert cases["by_state"]["registered"] == 1
    assert cases["proven"] == 2  # two recommendations among the demo cases
    assert cases["concluded"] == 3  # and one closed as not proven
    assert cases["by_region"] == {"64": 6}
    assert 0 < cases["social_media_share"] < 1
    assert sum(cases["overdue"].values()) >= 1
    bad = as_user("analis.bkn").get("/api/v1/insights/summary?election=nope")
    assert bad.status_code == 422
    assert as_user("kadis.kukar").get("/api/v1/insights/summary").status_code == 403


def test_the_rollup_answers_exactly_what_the_cases_say(personas, monkeypatch):
    from netral.accounts.queries import scope_for
    from netral.insights import queries
    from netral.insights.queries import SummaryFilter, summary
    from netral.rules.models import Election

    seed_cases()
    pilkada = Election.objects.get(slug="pilkada-2024")
    checks = [(u, SummaryFilter()) for u in ("analis.bkn", "bawaslu.kaltim", "bawaslu.kukar")]
    checks += [
        ("analis.bkn", SummaryFilter(region="64")),
        ("analis.bkn", SummaryFilter(region="62")),  # no cases there: no follow-up either
        ("analis.bkn", SummaryFilter(region="64.02", election=pilkada)),
    ]
    for username, f in checks:
        scope = scope_for(personas[username])
        rolled = summary(scope, f)
        monkeypatch.setattr(queries, "rollup_answers", lambda scope, f: False)
        live = summary(scope, f)
        monkeypatch.undo()
        assert rolled["cases"] == live["cases"], (username, f)
        assert rolled["follow_up"] == live["follow_up"], (username, f)
    assert summary(scope_for(personas["analis.bkn"]), SummaryFilter(region="62"))["follow_up"] == []


def test_a_transition_recounts_its_partition_after_commit(
    personas, django_capture_on_commit_callbacks
):
    from netral.accounts.queries import scope_for
    from netral.cases.models import Case
    from netral.cases.services import perform
    from netral.insights.queries import SummaryFilter, summary

    seed_cases()
    case = Case.objects.get(state="registered")
    user = personas["bawaslu.kukar"]
    with django_capture_on_commit_callbacks(execute=True):
        perform(
            case_id=case.pk, name="start_study", actor=user, scope=scope_for(user),
            version=case.version,
        )  # fmt: skip
    states = summary(scope_for(user), SummaryFilter())["cases"]["by_state"]
    assert "registered" not in states
    assert states["under_study"] == 2


def test_overdue_counts_come_from_the_rollup_only_when_it_was_recounted_today(personas):
    from datetime import timedelta

    from django.utils import timezone

    from netral.accounts.queries import scope_for
    from netral.cases.models import Case
    from netral.insights.models import RollupDay
    from netral.insights.queries import SummaryFilter, summary
    from netral.insights.tasks import refresh_rollup

    seed_demo_cases()
    today = timezone.localdate()
    case = Case.objects.exclude(holder="none").exclude(due_date=None).first()
    Case.objects.filter(pk=case.pk).update(due_date=today)  # due today: not overdue yet
    refresh_all()
    scope = scope_for(personas["analis.bkn"])
    before = summary(scope, SummaryFilter())["cases"]["overdue"]
    # Midnight passed for it (no save, so no recount): the rollup of today cannot know it,
    # which is why a new day always starts with a recount.
    Case.objects.filter(pk=case.pk).update(due_date=today - timedelta(days=1))
    assert summary(scope, SummaryFilter())["cases"]["overdue"] == before
    # A rollup of yesterday: the overdue counts are counted live, and right.
    RollupDay.objects.filter(pk=1).update(day=today - timedelta(days=1))
    live = summary(scope, SummaryFilter())["cases"]["overdue"]
    assert live[case.holder] == before.get(case.holder, 0) + 1
    # The hourly task recounts once on a new day, then leaves the rollup alone.
    assert refresh_rollup.call() > 0
    assert RollupDay.objects.get(pk=1).day == today
    assert summary(scope, SummaryFilter())["cases"]["overdue"] == live
    assert refresh_rollup.call() == 0


@pytest.mark.parametrize("username", ["analis.bkn", "bawaslu.kaltim"])
def test_the_live_overdue_count_per_ppk_reads_only_its_partial_index(personas, username):
    """The fallback of a day not yet recounted counts every open recommendation past its PPK
    deadline in the country (or a province): grouped in the index's order, never reading the
    cases' rows. (Reading them per index entry took 1.2 s for a province of 1M cases.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from netral.accounts.queries import scope_for
    from netral.core import statements
    from netral.insights.queries import SummaryFilter, overdue_open_by_ppk

    statements.forget()
    scope = scope_for(personas[username])
    overdue_open_by_ppk(scope, SummaryFilter())  # built by the ORM once, then kept
    with CaptureQueriesContext(connection) as captured:
        overdue_open_by_ppk(scope, SummaryFilter())
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {query['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            covering = "Index Only Scan using case_ppk_open_idx"
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            covering = "USING COVERING INDEX case_ppk_open_idx"
    if scope.national:
        assert covering in plan
        assert "TEMP B-TREE" not in plan  # no sort for the grouping
    if "case_ppk_open_idx" in plan:
        assert covering in plan


def test_rollup_figures_are_kept_until_the_rollup_changes(
    personas, django_capture_on_commit_callbacks
):
    """A dashboard opened again reads its rollup figures from the shared cache, not from the
    rollup; a recount of any partition (here after a transition) is seen at once, and so is a
    lost cache."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from netral.accounts.queries import scope_for
    from netral.cases.models import Case
    from netral.cases.services import perform
    from netral.insights.queries import SummaryFilter, summary

    seed_cases()
    scope = scope_for(personas["bawaslu.kaltim"])  # a province: the rollup answers
    first = summary(scope, SummaryFilter())
    with CaptureQueriesContext(connection) as captured:
        again = summary(scope, SummaryFilter())
    assert again == first
    assert not [q for q in captured.captured_queries if "insights_casestat" in q["sql"]]
    case = Case.objects.get(state="registered")
    user = personas["bawaslu.kukar"]
    with django_capture_on_commit_callbacks(execute=True):
        perform(
            case_id=case.pk,
            name="start_study",
            actor=user,
            scope=scope_for(user),
            version=case.version,
        )
    after = summary(scope, SummaryFilter())["cases"]["by_state"]
    assert "registered" not in after
    assert after["under_study"] == first["cases"]["by_state"]["under_study"] + 1
    cache.clear()
    assert summary(scope, SummaryFilter())["cases"]["by_state"] == after


def test_kept_figures_are_told_apart_by_scope_and_filter(personas):
    from netral.accounts.queries import scope_for
    from netral.insights.queries import SummaryFilter, summary

    seed_cases()
    national = scope_for(personas["analis.bkn"])
    assert summary(national, SummaryFilter(region="64"))["cases"]["total"] == 6
    assert summary(national, SummaryFilter(region="62"))["cases"]["total"] == 0
    assert summary(scope_for(personas["bawaslu.sukamara"]), SummaryFilter())["cases"]["total"] == 0
    assert summary(national, SummaryFilter(region="64"))["cases"]["total"] == 6
