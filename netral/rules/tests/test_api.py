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
    assert len(deadlines) == 16
    assert all(d["citation"] for d in deadlines)
    assert any(d["unverified"] for d in deadlines)


def _classify(client, **changes):
    payload = {**GOOD, **changes}
    return client.post("/api/v1/rules/classify", payload, content_type="application/json")


def test_campaign_team_is_medium_before_and_heavy_after_the_determination(client):
    before = _classify(client, violation_type="campaign-team", act_date="2024-09-21").json()
    assert before["track"] == "discipline"
    assert {s["level"] for s in before["sanctions"]} == {"medium"}
    after = _classify(client, violation_type="campaign-team", act_date="2024-09-22").json()
    assert {s["level"] for s in after["sanctions"]} == {"heavy"}


def test_support_letter_is_heavy_only(client):
    for day in ("2024-08-01", "2024-10-01"):
        body = _classify(client, violation_type="support-letter", act_date=day).json()
        assert body["track"] == "discipline"
        assert {s["level"] for s in body["sanctions"]} == {"heavy"}


def test_party_approach_is_medium_only_and_not_a_violation_on_unpaid_leave(client):
    before = _classify(client, violation_type="party-approach", act_date="2024-08-01").json()
    assert before["track"] == "discipline"
    assert {s["level"] for s in before["sanctions"]} == {"medium"}
    assert before["violation"] is True
    on_leave = _classify(
        client, violation_type="party-approach", act_date="2024-08-01", on_unpaid_leave=True
    ).json()
    assert on_leave["violation"] is False
    assert on_leave["track"] == "none"
    assert on_leave["sanctions"] == []
    assert any("CLTN" in r for r in on_leave["reasons"])
    working = _classify(
        client, violation_type="party-approach", act_date="2024-08-01", on_unpaid_leave=False
    ).json()
    assert working["violation"] is True
    assert working["sanctions"]


def test_spouse_campaign_is_ethics_only_and_not_a_violation_on_unpaid_leave(client):
    after = _classify(client, violation_type="spouse-campaign", act_date="2024-10-10").json()
    assert after["track"] == "ethics"
    assert {s["level"] for s in after["sanctions"]} == {"moral"}
    leave = _classify(
        client, violation_type="spouse-campaign", act_date="2024-10-10", on_unpaid_leave=True
    ).json()
    assert leave["violation"] is False


def test_unpaid_leave_does_not_excuse_other_acts(client):
    body = _classify(
        client, violation_type="banner", act_date="2024-10-10", on_unpaid_leave=True
    ).json()
    assert body["violation"] is True
    assert body["track"] == "discipline"


def test_plain_campaign_attendance_is_flagged_unverified(client):
    body = _classify(client, violation_type="campaign-participation", act_date="2024-10-10")
    assert any("Pasal 5 huruf n angka 1" in r for r in body.json()["reasons"])


def test_elections_list_their_races(client):
    items = {e["slug"]: e for e in client.get("/api/v1/elections").json()["items"]}
    races = {r["code"]: r for r in items["pemilu-2024"]["races"]}
    assert races["president"]["candidate_determination"] == "2023-11-13"
    assert races["dpr"]["candidate_determination"] == "2023-11-03"
    assert "PKPU 19/2023" in races["dpr"]["citation"]
    assert {r["candidate_determination"] for r in items["pilkada-2024"]["races"]} == {"2024-09-22"}


def test_between_two_races_the_race_is_needed(client):
    pemilu = {"violation_type": "banner", "election": "pemilu-2024"}
    missing = _classify(client, **pemilu, act_date="2023-11-08")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "race"
    legislative = _classify(client, **pemilu, act_date="2023-11-08", race="dpr").json()
    assert legislative["track"] == "discipline"
    assert legislative["race"] == "dpr"
    president = _classify(client, **pemilu, act_date="2023-11-08", race="president").json()
    assert president["track"] == "ethics"
    # Before or after every race's determination the race changes nothing.
    assert _classify(client, **pemilu, act_date="2023-11-02").json()["track"] == "ethics"
    assert _classify(client, **pemilu, act_date="2023-11-13").json()["track"] == "discipline"
    # Discipline-only acts without a timed level do not need it.
    member = _classify(
        client, **{**pemilu, "violation_type": "party-member"}, act_date="2023-11-08"
    )
    assert member.status_code == 200
    unknown = _classify(client, **pemilu, act_date="2023-11-08", race="governor")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "race"
