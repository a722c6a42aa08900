from __future__ import annotations

import pytest
from django.db import connection

from netral.registry.models import CivilServant

pytestmark = pytest.mark.django_db


def test_search_by_nip_prefix(as_user):
    servant = CivilServant.objects.filter(agency__code="KAB-64.02").first()
    html = as_user("bawaslu.kukar").get("/registri/", {"q": servant.nip[:12]}).content.decode()
    assert servant.nip in html
    assert servant.name in html


def test_search_by_name_prefix_is_case_insensitive_and_scoped(as_user):
    servant = CivilServant.objects.filter(agency__code="KAB-62.08").first()
    first_word = servant.name.split()[0]
    html = as_user("bawaslu.sukamara").get("/registri/", {"q": first_word.upper()}).content.decode()
    assert servant.name in html
    kukar_html = as_user("bawaslu.kukar").get("/registri/", {"q": servant.nip}).content.decode()
    assert "Tidak ada ASN yang cocok." in kukar_html


def test_list_is_paginated_with_a_next_link_and_constant_queries(
    as_user, django_assert_max_num_queries
):
    client = as_user("bawaslu.kaltim")
    with django_assert_max_num_queries(8):
        first = client.get("/registri/")
    html = first.content.decode()
    assert html.count("/registri/asn/") == 50
    assert 'rel="next"' in html
    cursor = html.split("after=")[1].split('"')[0]
    second = client.get(f"/registri/?q=&after={cursor}").content.decode()
    assert second.count("/registri/asn/") == 50
    first_names = set(html.split("/registri/asn/")[1:])
    assert not first_names & set(second.split("/registri/asn/")[1:])


def test_agency_page_shows_the_ppk_today(as_user):
    html = as_user("bawaslu.kukar").get("/registri/instansi/KAB-64.02/").content.decode()
    assert "Bupati Kutai Kartanegara" in html
    assert "64.02-DISDIK" in html
    assert as_user("bawaslu.kukar").get("/registri/instansi/KAB-62.08/").status_code == 404


def test_api_search_uses_cursor_pagination(as_user):
    client = as_user("admin")
    first = client.get("/api/v1/registry/civil-servants?limit=10").json()
    assert len(first["items"]) == 10
    second = client.get(f"/api/v1/registry/civil-servants?limit=10&cursor={first['next_cursor']}")
    nips = [i["nip"] for i in first["items"]] + [i["nip"] for i in second.json()["items"]]
    assert nips == sorted(nips)
    assert len(set(nips)) == 20


def test_public_agency_suggestions_name_institutions_only(client):
    body = client.get("/api/v1/registry/agencies-suggest?q=kutai").json()
    assert body[0] == {
        "code": "KAB-64.02",
        "name": "Pemerintah Kabupaten Kutai Kartanegara",
        "unit": "",
        "region": "Kabupaten Kutai Kartanegara",
    }
    # Then its units (OPD), each with its agency: never a person.
    assert {item["code"] for item in body} == {"KAB-64.02"}
    assert "Dinas Pendidikan" in {item["unit"] for item in body}
    assert len(body) == 10
    assert client.get("/api/v1/registry/agencies-suggest?q=k").json() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL query plan")
@pytest.mark.parametrize(("field", "prefix"), [("nip", "19900"), ("name_key", "andi")])
def test_prefix_search_is_an_index_range_whatever_the_database_locale(field, prefix):
    # The columns compare by code point (COLLATE "C"), so LIKE 'prefix%' becomes a range
    # over the btree index instead of a scan of millions of rows.
    queryset = CivilServant.objects.filter(**{f"{field}__startswith": prefix}).order_by(field)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Cond" in plan
    assert f"{field} >= '{prefix}'" in plan.replace("::text", "").replace("(", "").replace(")", "")
