from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_rules_page_is_public_and_indonesian(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):  # constant: no query per row
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


def test_rules_page_shows_the_corrected_rows_and_their_confidence(client):
    html = client.get("/aturan/").content.decode()
    # Campaign team: medium before the candidate determination, heavy after.
    team = html.split('id="campaign-team"')[1].split("</section>")[0]
    assert "sebelum penetapan calon" in team
    assert "setelah penetapan calon" in team
    assert "SKB Netralitas ASN 2022" in team
    # Party approach and spouse campaign: conditioned on not being on unpaid leave.
    party = html.split('id="party-approach"')[1].split("</section>")[0]
    assert "CLTN" in party
    assert "Jalur etik" not in party
    # Plain campaign attendance is the unverified gap, said so on the page.
    participation = html.split('id="campaign-participation"')[1].split("</section>")[0]
    assert "Pasal 5 huruf n angka 1" in participation
    assert "belum terverifikasi" in participation
    # New deadline rows, races and the reviewing agencies, each with its confidence.
    assert 'id="deadline-completion-pilkada"' in html
    assert 'id="deadline-appeal_administrative-any"' in html
    assert "PP 79/2021 Pasal 11 ayat (3)" in html
    assert "3 November 2023" in html
    assert "13 November 2023" in html
    assert "PKPU 19/2023 Lampiran I" in html
    assert "Kementerian PANRB" in html
