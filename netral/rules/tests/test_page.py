from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_rules_page_is_public_and_indonesian(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get("/aturan/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Memasang spanduk atau baliho" in html
    assert "PP 94/2021 Pasal 5 huruf n" in html
    assert html.count('class="rule"') == 15
    assert "belum terverifikasi" in html


def test_rules_page_in_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/aturan/"})
    html = client.get("/aturan/").content.decode()
    assert "Putting up banners of a (prospective) candidate" in html
    assert "unverified" in html


def test_rules_page_search(client):
    html = client.get("/aturan/", {"q": "TikTok"}).content.decode()
    assert html.count('class="rule"') == 1
    assert 'id="online-campaign"' in html
    assert "Tidak ada aturan" in client.get("/aturan/", {"q": "zzzz"}).content.decode()
