"""Legal citations read as their documents' names: "SKB Netralitas ASN 2022, Lampiran", not
"SKB 2/2022 dkk. Pasal Lampiran" (issue 19, words)."""

from __future__ import annotations

import pytest

from netral.core.models import AuditEntry
from netral.rules.corrections import MARKER
from netral.rules.loader import load_rules
from netral.rules.models import Provision, Regulation, RuleVersion, ViolationType

pytestmark = pytest.mark.django_db

KEY = "2026-12-nama-dokumen"
OLD_CITATION = (
    "SKB MenPANRB 2/2022, Mendagri 800-5474/2022, BKN 246/2022, KASN 30/2022, "
    "Bawaslu 1447.1/PM.01/K.1/09/2022, Lampiran"
)


def _provision(regulation: str, pasal: str, ayat: str = "", huruf: str = "") -> Provision:
    return Provision.objects.select_related("regulation").get(
        regulation__code=regulation, pasal=pasal, ayat=ayat, huruf=huruf, angka=""
    )


def test_a_provision_reads_as_its_document_and_its_place_in_it():
    assert str(_provision("skb-netralitas-2022", "Lampiran")) == "SKB Netralitas ASN 2022, Lampiran"
    assert str(_provision("pkpu-19-2023", "Lampiran I")) == "PKPU 19/2023, Lampiran I"
    assert str(_provision("uu-20-2023", "9", "2")) == "UU 20/2023 Pasal 9 ayat (2)"
    assert str(_provision("uu-20-2023", "24", "1", "d")) == "UU 20/2023 Pasal 24 ayat (1) huruf d"
    assert str(_provision("pp-94-2021", "5", huruf="n")) == "PP 94/2021 Pasal 5 huruf n"
    annex = _provision("skb-netralitas-2022", "Lampiran")
    assert annex.is_annex
    assert annex.address == "Lampiran"
    # Every provision of the catalogue: no "Pasal Lampiran", no "dkk.".
    for provision in Provision.objects.select_related("regulation"):
        text = str(provision)
        assert "Pasal Lampiran" not in text, text
        assert "dkk" not in text, text
        assert text.startswith(provision.regulation.short_name)


def test_a_regulation_without_a_short_name_falls_back_to_kind_number_and_year():
    regulation = Regulation(code="x", kind="PP", number="1", year=2030, title="T")
    assert str(regulation) == "PP 1/2030"
    assert str(Regulation(code="y", kind="SKB", number="2/2022 dkk.", year=2022)) == (
        "SKB 2/2022 dkk."
    )


def test_the_rules_page_cites_documents_by_name_and_lists_them(client):
    html = client.get("/aturan/").content.decode()
    assert "Pasal Lampiran" not in html
    assert "2/2022 dkk." not in html
    banner = html.split('id="banner"')[1].split("</section>")[0]
    # The decree is cited once, by its name, then the article of PP 94/2021.
    assert "SKB Netralitas ASN 2022, Lampiran; PP 94/2021 Pasal 5 huruf n" in banner
    assert banner.count("SKB Netralitas ASN 2022") == 1
    documents = html.split('id="documents"')[1].split("</section>")[0]
    assert "<dt>SKB Netralitas ASN 2022</dt>" in documents
    assert "Mendagri Nomor 800-5474 Tahun 2022" in documents
    assert "<dt>UU 20/2023</dt>" in documents
    client.post("/i18n/setlang/", {"language": "en", "next": "/aturan/"})
    english = client.get("/aturan/").content.decode()
    assert "Pasal Lampiran" not in english
    documents = english.split('id="documents"')[1].split("</section>")[0]
    assert "Joint Decree of MenPANRB (2/2022)" in documents
    assert "Law Number 20 of 2023 on the State Civil Apparatus" in documents


def test_the_api_keeps_its_citations_and_adds_the_documents(client):
    body = client.get("/api/v1/rules/violation-types/banner").json()
    assert body["citations"] == ["SKB Netralitas ASN 2022, Lampiran", "PP 94/2021 Pasal 5 huruf n"]
    annex = next(p for p in body["provisions"] if p["annex"])
    assert annex == {
        "citation": "SKB Netralitas ASN 2022, Lampiran",
        "document": "SKB Netralitas ASN 2022",
        "document_title": annex["document_title"],
        "address": "Lampiran",
        "annex": True,
        "confidence": "firm",
    }
    assert "Ketua Bawaslu" in annex["document_title"]
    article = next(p for p in body["provisions"] if not p["annex"])
    assert (article["document"], article["address"]) == ("PP 94/2021", "Pasal 5 huruf n")


def _as_before_the_names() -> None:
    """What a database seeded before the documents had names held."""
    Regulation.objects.update(short_name="", title_en="")
    Regulation.objects.filter(code="skb-netralitas-2022").update(
        title="Keputusan Bersama MenPANRB, Mendagri, Kepala BKN, Ketua KASN dan Ketua Bawaslu"
    )
    ViolationType.objects.filter(citation="SKB Netralitas ASN 2022, Lampiran").update(
        citation=OLD_CITATION
    )
    RuleVersion.objects.filter(model=MARKER, object_id=KEY).delete()


def test_a_running_database_gets_the_names_as_new_versions_and_cases_keep_theirs():
    _as_before_the_names()
    banner = ViolationType.objects.get(code="banner")
    assert str(banner.provisions.get(regulation__code="skb-netralitas-2022")) == (
        "SKB 2/2022 dkk., Lampiran"
    )
    used_by_a_case = {f"rules.violationtype:{banner.pk}": banner.version}
    load_rules()
    banner.refresh_from_db()
    assert banner.citation == "SKB Netralitas ASN 2022, Lampiran"
    assert banner.version == used_by_a_case[f"rules.violationtype:{banner.pk}"] + 1
    old = RuleVersion.objects.get(
        model="rules.violationtype", object_id=str(banner.pk), version=banner.version - 1
    )
    assert old.data["citation"] == OLD_CITATION  # the version the case used is kept as it was
    new = RuleVersion.objects.get(
        model="rules.violationtype", object_id=str(banner.pk), version=banner.version
    )
    assert (new.reason, new.correction) == ("kutipan memakai nama dokumen hukum", KEY)
    assert RuleVersion.objects.filter(correction=KEY, model="rules.violationtype").count() == 15
    skb = Regulation.objects.get(code="skb-netralitas-2022")
    assert skb.short_name == "SKB Netralitas ASN 2022"
    assert "Ketua Bawaslu Nomor 1447.1/PM.01/K.1/09/2022" in skb.title
    assert AuditEntry.objects.filter(
        action="rule.change", object_id=str(skb.pk), reason="kutipan memakai nama dokumen hukum"
    ).exists()
    assert str(banner.provisions.get(regulation__code="skb-netralitas-2022")) == (
        "SKB Netralitas ASN 2022, Lampiran"
    )
    # Applied once.
    versions = RuleVersion.objects.count()
    load_rules()
    assert RuleVersion.objects.count() == versions
