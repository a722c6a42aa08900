"""A report reaches the office of the accused, however the agency is typed; officers pass a
report on to another office; the receipt tells where and when, in the office's time zone."""

from __future__ import annotations

import pytest

from netral.core.models import AuditEntry, Notification
from netral.intake.models import Report
from netral.intake.tests.test_reporting import _receipt
from netral.registry.matching import recognise_agency_id
from netral.registry.models import Agency, CivilServant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "agency"),
    [
        ("Pemerintah Kabupaten Kutai Kartanegara - Dinas Pendidikan", "KAB-64.02"),
        ("Dinas Pendidikan - Pemkab Kutai Kartanegara", "KAB-64.02"),
        ("dinas pendidikan kab. kutai kartanegara", "KAB-64.02"),
        ("KUTAI KARTANEGARA, KABUPATEN", "KAB-64.02"),
        ("Dinas Pendidikan Kutai Kartanegara", "KAB-64.02"),
        ("Pemprov Kalimantan Timur / Dinas Kesehatan", "PROV-64"),
        ("Dinkes Pemkot Balikpapan", "KOTA-64.71"),
        ("Dinas Pendidikan", None),
        ("", None),
    ],
)
def test_an_agency_is_recognised_however_it_is_typed(typed, agency):
    expected = Agency.objects.get(code=agency).pk if agency else None
    assert recognise_agency_id(typed) == expected


def test_a_tie_between_two_agencies_is_not_a_recognition():
    # Both governments fit "Kutai Timur Kartanegara" by their words, neither better.
    Agency.objects.create(code="KAB-64.08", name="Pemerintah Kabupaten Kutai Timur", kind="regency")
    assert recognise_agency_id("Kabupaten Kutai Timur Kabupaten Kutai Kartanegara") is None


def _office_of(response) -> str:
    code, _secret = _receipt(response.content.decode())
    office = Report.objects.get(receipt_code=code).office
    assert office is not None
    return office.code


def test_the_typed_agency_of_the_issue_lands_at_bawaslu_kukar(client, form_data):
    data = {
        **form_data,
        "accused_agency_text": "Pemerintah Kabupaten Kutai Kartanegara - Dinas Pendidikan",
        "act_region": "64",
    }
    assert _office_of(client.post("/lapor/", data)) == "BAWASLU-64.02"
    entry = AuditEntry.objects.get(action="intake.report.submit")
    assert entry.after["routed_by"] == "text"


def test_the_nips_agency_comes_before_a_chosen_agency(client, form_data):
    servant = CivilServant.objects.filter(agency__code="KAB-64.02").first()
    data = {
        **form_data,
        "accused_nip": servant.nip,
        "accused_agency": "KOTA-64.71",
        "accused_agency_text": "",
        "act_region": "64.71",
    }
    assert _office_of(client.post("/lapor/", data)) == "BAWASLU-64.02"


def test_a_chosen_agency_routes_without_any_text(client, form_data):
    data = {**form_data, "accused_agency": "KAB-64.02", "accused_agency_text": ""}
    assert _office_of(client.post("/lapor/", data)) == "BAWASLU-64.02"


def test_only_the_act_regency_routes_to_its_office_and_the_district_is_kept(client, form_data):
    data = {
        **form_data,
        "accused_agency_text": "sekolah dekat pasar",
        "act_region": "64.02",
        "act_district": "64.02.01",
    }
    code, _ = _receipt(client.post("/lapor/", data).content.decode())
    report = Report.objects.get(receipt_code=code)
    assert report.office.code == "BAWASLU-64.02"
    assert report.act_region_id == "64.02.01"


def test_a_district_of_another_regency_is_refused_with_everything_kept(client, form_data):
    data = {**form_data, "act_region": "64.02", "act_district": "64.71.01"}
    response = client.post("/lapor/", data)
    assert response.status_code == 422
    assert "kecamatan" in response.content.decode().lower()
    assert Report.objects.count() == 0


def test_without_javascript_the_form_shows_the_agencies_and_districts_of_the_regency(
    client, form_data
):
    data = {**form_data, "act_region": "64.02", "refresh": "1", "description": "Ditulis dulu"}
    response = client.post("/lapor/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert Report.objects.count() == 0
    assert 'value="KAB-64.02"' in page  # the regency's government
    assert 'value="PROV-64"' in page  # and the province's
    assert 'value="KOTA-64.71"' not in page  # not another regency's
    assert 'value="64.02.01"' in page  # its districts
    assert "Ditulis dulu" in page  # nothing typed is lost
    assert "errorlist" not in page  # nothing is checked yet


@pytest.mark.parametrize(
    ("region", "office"),
    [("64.02.01", "BAWASLU-64.02"), ("64.02", "BAWASLU-64.02"), ("64", "BAWASLU-64")],
)
def test_the_api_takes_a_province_regency_or_district(client, region, office):
    from netral.intake.tests.test_api import _payload

    payload = _payload(act_region=region, accused={"name": "Budi", "agency": "Kantor Camat"})
    response = client.post("/api/v1/reports", payload, content_type="application/json")
    assert response.status_code == 201
    report = Report.objects.get(receipt_code=response.json()["receipt_code"])
    assert report.office.code == office


def test_the_api_takes_an_agency_code_and_refuses_an_unknown_one(client):
    from netral.intake.tests.test_api import _payload

    good = _payload(accused={"name": "Budi", "agency_code": "KAB-64.02"}, act_region="64")
    response = client.post("/api/v1/reports", good, content_type="application/json")
    assert Report.objects.get().office.code == "BAWASLU-64.02"
    bad = _payload(accused={"name": "Budi", "agency_code": "NOPE"})
    response = client.post("/api/v1/reports", bad, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "accused.agency_code"


def test_suggestions_cover_units_with_their_region(client):
    items = client.get("/api/v1/registry/agencies-suggest?q=pendidikan kutai").json()
    assert items[0] == {
        "code": "KAB-64.02",
        "name": "Pemerintah Kabupaten Kutai Kartanegara",
        "unit": "Dinas Pendidikan",
        "region": "Kabupaten Kutai Kartanegara",
    }


def test_an_officer_passes_a_report_to_another_office(
    client, form_data, as_user, django_capture_on_commit_callbacks
):
    code, secret = _receipt(client.post("/lapor/", form_data).content.decode())
    kukar = as_user("bawaslu.kukar")
    refused = kukar.post(f"/laporan/{code}/", {"action": "transfer", "office": "BAWASLU-62.08"})
    assert "alasan" in refused.content.decode().lower()
    assert Report.objects.get(receipt_code=code).office.code == "BAWASLU-64.02"
    with django_capture_on_commit_callbacks(execute=True):
        response = kukar.post(
            f"/laporan/{code}/",
            {"action": "transfer", "office": "BAWASLU-62.08", "reason": "ASN Sukamara"},
        )
    assert response.status_code == 302
    report = Report.objects.get(receipt_code=code)
    assert (report.office.code, report.region_id) == ("BAWASLU-62.08", "62.08")
    entry = AuditEntry.objects.get(action="intake.transfer")
    assert entry.reason == "ASN Sukamara"
    notified = Notification.objects.filter(key__startswith=f"report:{report.pk}:transfer")
    assert set(notified.values_list("user__username", flat=True)) == {"bawaslu.sukamara"}
    # Kukar no longer sees it, Sukamara does; the reporter's receipt is the same.
    assert kukar.get(f"/laporan/{code}/").status_code == 404
    assert as_user("bawaslu.sukamara").get(f"/laporan/{code}/").status_code == 200
    status = client.post("/lapor/status/", {"receipt_code": code, "secret": secret})
    assert status.status_code == 200


def test_the_api_passes_a_report_on_and_others_get_404(client, form_data, as_user):
    code, _ = _receipt(client.post("/lapor/", form_data).content.decode())
    body = {"office": "BAWASLU-64", "reason": "Perlu ditangani provinsi"}
    outsider = as_user("bawaslu.sukamara").post(
        f"/api/v1/reports/{code}/transfer", body, content_type="application/json"
    )
    assert outsider.status_code == 404
    unknown = as_user("bawaslu.kukar").post(
        f"/api/v1/reports/{code}/transfer",
        {"office": "NOPE", "reason": "x"},
        content_type="application/json",
    )
    assert unknown.status_code == 422
    blank = as_user("bawaslu.kukar").post(
        f"/api/v1/reports/{code}/transfer",
        {"office": "BAWASLU-64", "reason": "   "},
        content_type="application/json",
    )
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"] == "reason"
    done = as_user("bawaslu.kukar").post(
        f"/api/v1/reports/{code}/transfer", body, content_type="application/json"
    )
    assert done.status_code == 200
    assert Report.objects.get(receipt_code=code).office.code == "BAWASLU-64"


def test_the_receipt_gives_the_full_address_and_the_office_time(client, form_data, settings):
    settings.NETRAL_SITE_URL = "https://netral.example.id"
    response = client.post("/lapor/", form_data)
    page = response.content.decode()
    code, secret = _receipt(page)
    assert f"https://netral.example.id/lapor/status/?kode={code}" in page
    assert "WITA" in page  # Kukar works in WITA
    download = client.post("/lapor/tanda-terima/", {"receipt_code": code, "secret": secret})
    text = download.content.decode()
    assert f"https://netral.example.id/lapor/status/?kode={code}" in text
    assert "WITA" in text
    assert "UTC" not in text


def test_the_status_page_takes_the_code_in_lower_case_without_dashes(client, form_data):
    code, secret = _receipt(client.post("/lapor/", form_data).content.decode())
    compact = code.replace("-", "").lower()
    response = client.post("/lapor/status/", {"receipt_code": compact, "secret": secret.lower()})
    assert response.status_code == 200
    assert code in response.content.decode()
    api = client.post(
        "/api/v1/reports/status",
        {"receipt_code": compact, "secret": secret},
        content_type="application/json",
    )
    assert api.json()["stage"] == "received"
    assert api.json()["time_zone"] == "WITA"
    assert api.json()["history"][0]["at"].endswith("+08:00")
