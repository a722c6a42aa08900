"""``manage.py seed_bench``: a benchmark's database as the workflow would have left it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def test_seed_bench_fills_cases_and_civil_servants_the_dashboard_can_read() -> None:
    from netral.cases.models import Case
    from netral.cases.workflow import STATES
    from netral.core.scope import Scope
    from netral.insights.queries import SummaryFilter, summary
    from netral.registry.models import CivilServant

    cases_before = Case.objects.count()
    if connection.vendor == "postgresql":  # ids handed out and never used (rolled back)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), "
                "(SELECT COALESCE(MAX(id), 0) + 50 FROM cases_case))"
            )
    servants_before = CivilServant.objects.count()
    out = io.StringIO()
    call_command("seed_bench", cases=400, civil_servants=300, stdout=out)
    assert "400 cases" in out.getvalue()
    assert "300 civil servants" in out.getvalue()
    assert CivilServant.objects.count() == servants_before + 300
    seeded = Case.objects.filter(number__startswith="SB/")
    assert seeded.count() == Case.objects.count() - cases_before == 400
    assert set(seeded.values_list("state", flat=True)) == set(STATES)
    assert not seeded.filter(agency=None).exists()  # every accused works somewhere
    assert not seeded.filter(violation_types=None).exists()  # the links found their cases
    links = Case.violation_types.through.objects.filter(case__number__startswith="SB/")
    assert links.count() >= 400
    # Each case happened in a district of its regency/city (district dashboards read them).
    from netral.regions.models import Region

    if Region.objects.filter(level=3).exists():
        in_district = seeded.filter(region__level=3)
        assert in_district.exists()
        assert all(
            region.startswith(regency + ".")
            for region, regency in in_district.values_list("region_id", "regency_code")[:50]
        )
    if connection.vendor == "postgresql":  # the next case gets a free id
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence('cases_case', 'id'))")
            assert cursor.fetchone()[0] > seeded.order_by("-id").values_list("id", flat=True)[0]
    recommended = seeded.exclude(recommended_on=None)
    assert recommended.exists()
    assert not recommended.filter(ppk=None).exists()  # and the agency's PPK received it:
    assert not recommended.exclude(ppk__valid_to=None).exists()  # one still in office,
    assert not recommended.exclude(ppk__acting_kind="").exists()  # not an acting one
    assert not seeded.filter(recommended_on=None).exclude(ppk=None).exists()
    # The rollup was recounted after the raw load: it answers what the cases say.
    scope = Scope(national=True, capabilities=frozenset({"cases.view", "intake.view"}))
    figures = summary(scope, SummaryFilter())
    assert figures["cases"]["total"] == Case.objects.count()
    follow_up = figures["follow_up"]
    assert (
        sum(row["received"] for row in follow_up)
        == Case.objects.exclude(recommended_on=None).count()
    )
    assert all(row["ppk"] != "- (-)" for row in follow_up)  # every PPK has its label
