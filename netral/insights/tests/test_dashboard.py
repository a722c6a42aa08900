"""Dashboards: scoped figures, SVG charts, every figure a link to the list behind it."""

from __future__ import annotations

import re

import pytest

from netral.demo.cases import seed_cases

pytestmark = pytest.mark.django_db


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
