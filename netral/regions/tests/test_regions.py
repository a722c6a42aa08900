from __future__ import annotations

import pytest

from netral.regions.loader import LoadResult, load_regions
from netral.regions.models import Region

pytestmark = pytest.mark.django_db


def test_all_kemendagri_regions_are_loaded():
    assert Region.objects.filter(level=Region.Level.PROVINCE).count() == 38
    assert Region.objects.filter(level=Region.Level.REGENCY_CITY).count() == 514
    assert Region.objects.filter(level=Region.Level.DISTRICT).count() == 7285


def test_rerunning_the_loader_changes_nothing():
    assert load_regions() == LoadResult(created=0, updated=0, unchanged=38 + 514 + 7285)


def test_kinds_and_time_zones():
    assert Region.objects.get(code="64.02").kind == Region.Kind.REGENCY
    assert Region.objects.get(code="64.71").kind == Region.Kind.CITY
    assert Region.objects.get(code="64.71").name == "Kota Balikpapan"
    assert Region.objects.get(code="64").timezone == Region.TimeZone.WITA
    assert Region.objects.get(code="62.08").timezone == Region.TimeZone.WIB
    assert Region.objects.get(code="94").timezone == Region.TimeZone.WIT


def test_api_lists_the_provinces(client):
    body = client.get("/api/v1/regions?limit=100").json()
    assert len(body["items"]) == 38
    assert body["next_cursor"] is None
    assert body["items"][0] == {
        "code": "11",
        "name": "Aceh",
        "level": 1,
        "kind": "province",
        "parent_code": None,
        "timezone": "Asia/Jakarta",
    }


def test_api_lists_children_with_cursor_pagination(client):
    first = client.get("/api/v1/regions?parent=64&limit=5").json()
    assert [r["code"] for r in first["items"]] == ["64.01", "64.02", "64.03", "64.07", "64.08"]
    rest = client.get(f"/api/v1/regions?parent=64&limit=50&cursor={first['next_cursor']}").json()
    codes = [r["code"] for r in rest["items"]]
    assert "64.71" in codes
    assert "64.01" not in codes
    assert rest["next_cursor"] is None


def test_api_region_detail_and_unknown_code(client):
    assert client.get("/api/v1/regions/64.02").json()["name"] == "Kabupaten Kutai Kartanegara"
    missing = client.get("/api/v1/regions/99.99")
    assert missing.status_code == 404
    assert missing.json()["detail"]
    assert client.get("/api/v1/regions?parent=99").status_code == 404


def test_api_errors_name_the_field(client):
    response = client.get("/api/v1/regions?limit=0")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"
    bad = client.get("/api/v1/regions?cursor=%%%")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"
    typed = client.get("/api/v1/regions?limit=abc")
    assert typed.status_code == 422
    assert typed.json()["errors"][0]["field"] == "limit"
