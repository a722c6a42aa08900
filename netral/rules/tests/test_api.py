from __future__ import annotations

import pytest

from netral.regions.models import Region
from netral.rules.services import add_local_day_off

pytestmark = pytest.mark.django_db


def test_violation_types_list_and_detail(client):
    body = client.get("/api/v1/rules/violation-types").json()
    assert len(body["items"]) == 15
    banner = client.get("/api/v1/rules/violation-types/banner").json()
    assert banner["tracks"] == ["ethics", "discipline"]
    assert banner["citations"]
    assert {s["level"] for s in banner["sanctions"]} == {"moral", "heavy"}
    unknown = client.get("/api/v1/rules/violation-types/nope")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "code"


def test_classify_contract(client):
    response = client.post(
        "/api/v1/rules/classify",
        {"violation_type": "banner", "act_date": "2024-09-01", "election": "pilkada-2024"},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200
    assert body["track"] == "ethics"
    assert [s["code"] for s in body["sanctions"]] == ["moral-closed", "moral-open"]
    assert body["citations"]
    assert body["reasons"]


GOOD = {"violation_type": "banner", "act_date": "2024-09-01", "election": "pilkada-2024"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"violation_type": "nope"}, "violation_type"),
        ({"act_date": "2024-02-30"}, "act_date"),
        ({"election": "pemilu-1999"}, "election"),
    ],
)
def test_classify_errors_name_the_field(client, change, field):
    payload = {**GOOD, **change}
    response = client.post("/api/v1/rules/classify", payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_working_days_add_and_between(client):
    added = client.get("/api/v1/calendar/working-days/add?start=2024-04-05&days=1").json()
    assert added == {"start": "2024-04-05", "days": 1, "result": "2024-04-16"}
    between = client.get("/api/v1/calendar/working-days/between?start=2024-04-05&end=2024-04-16")
    assert between.json() == {"working_days": 1}


def test_local_day_off_applies_to_its_region_and_below(client, personas):
    add_local_day_off(
        actor=personas["admin"],
        region_id="64",
        day="2024-06-10",
        name="Hari jadi Provinsi Kalimantan Timur (example)",
    )
    base = "/api/v1/calendar/working-days/add?start=2024-06-07&days=1"
    assert client.get(base).json()["result"] == "2024-06-10"
    assert client.get(base + "&region=64.02").json()["result"] == "2024-06-11"
    assert client.get(base + "&region=62.08").json()["result"] == "2024-06-10"
    assert Region.objects.filter(code="64.02").exists()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2024-02-30&days=1", "start"),
        ("start=2024-01-01&days=99999", "days"),
        ("start=2024-01-01&days=1&region=99.99", "region"),
        ("start=1990-01-01&days=1", "start"),
        ("start=2031-01-02&days=1", "start"),  # holidays are loaded up to 2030 in tests
    ],
)
def test_calendar_errors_name_the_field(client, query, field):
    response = client.get(f"/api/v1/calendar/working-days/add?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_elections_and_deadlines(client):
    elections = client.get("/api/v1/elections").json()["items"]
    by_slug = {e["slug"]: e for e in elections}
    assert set(by_slug) == {"pemilu-2024", "pilkada-2024"}
    stages = {s["kind"]: s for s in by_slug["pilkada-2024"]["stages"]}
    assert stages["candidate_determination"]["start"] == "2024-09-22"
    assert stages["campaign"]["end"] == "2024-11-23"
    assert by_slug["pemilu-2024"]["voting_day"] == "2024-02-14"
    deadlines = client.get("/api/v1/deadlines?limit=100").json()["items"]
    assert len(deadlines) == 13
    assert all(d["citation"] for d in deadlines)
    assert any(d["unverified"] for d in deadlines)
