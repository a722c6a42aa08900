"""The public reporting portal in the browser: an anonymous report with a photo and the
question-and-answer channel through the receipt, an identified report whose identity only the
custodian reveals, a form with one bad field that keeps everything else (the photo included),
a submission sent twice, and the form on a 360 px phone screen."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from conftest import jpeg_with_gps
from e2e.conftest import TIMEOUT_MS, log_in

NIK = "6402014506900001"
MASKED_NIK = "terisi"  # whether a field is filled, never its length or characters
RECEIPT_CODE = re.compile(r"NTR-[0-9A-Z]{4}-[0-9A-Z]{4}")
RECEIPT_SECRET = re.compile(r"[0-9A-Z]{5}(-[0-9A-Z]{5}){3}")
NIP_ERROR = "NIP terdiri dari 18 angka; kosongkan jika tidak yakin."
ALREADY_SENT = "Laporan ini sudah terkirim; berikut tanda terimanya sekali lagi."
SELECTS = {"violation_type", "election", "act_region", "act_district", "accused_agency"}

# Sends the filled form in the background, as the first of two taps whose answer never reached
# the screen; returns the HTTP status and the receipt code of that answer.
SEND_IN_BACKGROUND = """async (form) => {
  const response = await fetch(form.action || location.href, {
    method: "POST", body: new FormData(form), credentials: "same-origin",
  });
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const code = doc.querySelector("#receipt-code");
  return [response.status, code ? code.textContent.trim() : ""];
}"""


def _days_ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def _photo(tmp_path: Path, name: str = "bukti-kampanye.jpg") -> tuple[Path, bytes]:
    """A JPEG with EXIF GPS and camera model, as a phone would send it."""
    data = jpeg_with_gps()
    path = tmp_path / name
    path.write_bytes(data)
    return path, data


def _values(*, identified: bool = False, nip: str = "") -> dict[str, str]:
    """What the reporter types or chooses, by field name (the ids are ``id_<name>``)."""
    values = {
        "violation_type": "online-campaign",
        "election": "pilkada-2024",
        "description": "Mengunggah poster calon bupati dengan ajakan memilih di Facebook.",
        "act_date": _days_ago(3),
        "learned_date": _days_ago(2),
        "act_region": "64.02",  # Kutai Kartanegara
        "act_place": "Tenggarong",
        "accused_name": "Budi Santoso",
        # Matches the registry's agency, so the report goes to Bawaslu Kutai Kartanegara.
        "accused_agency_text": "Pemerintah Kabupaten Kutai Kartanegara",
        "accused_position": "Guru",
        "accused_nip": nip,
        "links": "https://www.facebook.com/budi/posts/1",
    }
    if identified:
        values |= {
            "reporter_name": "Siti Aminah",
            "reporter_nik": NIK,
            "reporter_address": "Jl. Mulawarman No. 5, Tenggarong",
            "reporter_phone": "0812 3456 7890",
            "reporter_email": "siti@example.org",
        }
    return values


def _fill_report(
    page: Page, values: dict[str, str], *, identified: bool = False, photo: Path | None = None
) -> None:
    """Open the public form and fill it in as a reporter would, without sending it."""
    page.goto("/lapor/")
    expect(page.locator("h1")).to_have_text("Laporkan ASN yang tidak netral")
    for name, value in values.items():
        field = page.locator(f"#id_{name}")
        if name in SELECTS:
            field.select_option(value)
        else:
            field.fill(value)
    page.locator(f"input[name=identified][value='{1 if identified else 0}']").check()
    if photo is not None:
        page.locator("#id_attachments").set_input_files(photo)
    page.locator("#id_statement_true").check()


def _submit(page: Page) -> None:
    page.locator("#send-report").click()


def _receipt(page: Page) -> tuple[str, str]:
    """The receipt code and secret the page shows."""
    expect(page.locator("h1")).to_have_text("Laporan Anda sudah diterima")
    expect(page.locator("#receipt-code")).to_have_text(RECEIPT_CODE)
    expect(page.locator("#receipt-secret")).to_have_text(RECEIPT_SECRET)
    code = page.locator("#receipt-code").inner_text().strip()
    secret = page.locator("#receipt-secret").inner_text().strip()
    return code, secret


def _officer(browser: Browser, live_server: Any, username: str) -> tuple[BrowserContext, Page]:
    """A second browser (its own cookies) signed in as an officer."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    officer = context.new_page()
    log_in(officer, username)
    return context, officer


def test_anonymous_report_with_photo_and_a_question_through_the_receipt(
    page: Page, browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    from PIL import Image

    from netral.intake.models import Report

    photo, photo_bytes = _photo(tmp_path)
    _fill_report(page, _values(), photo=photo)
    _submit(page)
    code, secret = _receipt(page)

    report = Report.objects.select_related("office").get(receipt_code=code)
    assert report.anonymous
    assert not report.reporter_identity
    assert report.office is not None
    assert report.office.code == "BAWASLU-64.02"
    evidence = report.evidence.get()
    assert evidence.original_name == photo.name
    # The sealed original is the uploaded file, byte for byte; the working copy has no EXIF.
    assert evidence.sha256 == hashlib.sha256(photo_bytes).hexdigest()
    with evidence.original.open("rb") as original:
        assert hashlib.sha256(original.read()).hexdigest() == evidence.sha256
    with Image.open(evidence.working.path) as working:
        assert not working.getexif(), dict(working.getexif())
    assert evidence.metadata_removed

    context, officer = _officer(browser, live_server, "bawaslu.kukar")
    try:
        officer.goto("/laporan/")
        officer.locator("#reports").get_by_role("link", name=code).click()
        expect(officer).to_have_url(re.compile(rf"/laporan/{code}/$"))
        expect(officer.locator("h1")).to_contain_text(code)
        expect(officer.locator("#reporter")).to_have_text("anonim")
        expect(officer.locator("#evidence")).to_contain_text(photo.name)
        expect(officer.locator("#evidence")).to_contain_text(evidence.sha256)
        expect(officer.locator("#messages")).to_have_text("Belum ada pesan.")
        question = "Kapan tepatnya poster itu diunggah, dan di grup mana?"
        officer.locator("#question").fill(question)
        officer.get_by_role("button", name="Kirim pertanyaan").click()
        expect(officer.locator("#messages li")).to_have_count(1)
        expect(officer.locator("#messages li")).to_contain_text(question)

        # The reporter, with nothing but the receipt, reads the question and answers it.
        page.goto("/lapor/status/")
        page.locator("#id_receipt_code").fill(code)
        page.locator("#id_secret").fill(secret)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("#status-code")).to_have_text(code)
        expect(page.locator("#status-now")).to_have_text("Diterima")
        expect(page.locator("#history")).to_contain_text("Diterima")
        expect(page.locator("#messages li")).to_have_count(1)
        expect(page.locator("#messages li.msg-officer")).to_contain_text(question)
        answer = "Diunggah Senin malam di grup Facebook Warga Tenggarong."
        page.locator("#id_body").fill(answer)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("#messages li")).to_have_count(2)
        expect(page.locator("#messages li.msg-reporter")).to_contain_text(answer)

        # Opened again with a GET: reload() would send the question form a second time, because
        # the detail page answers the POST itself instead of redirecting (see the report).
        officer.goto(f"/laporan/{code}/")
        messages = officer.locator("#messages li")
        expect(messages).to_have_count(2)
        expect(messages.nth(0)).to_contain_text(question)
        expect(messages.nth(1)).to_contain_text(answer)
    finally:
        context.close()


def test_custodian_reveals_an_identified_reporter_with_a_reason(
    page: Page, browser: Browser, live_server: Any
) -> None:
    from netral.core.models import AuditEntry

    _fill_report(page, _values(identified=True), identified=True)
    _submit(page)
    code, _secret = _receipt(page)

    context, custodian = _officer(browser, live_server, "kustodian.kukar")
    try:
        custodian.goto(f"/laporan/{code}/")
        expect(custodian.locator("h1")).to_contain_text(code)
        reporter = custodian.locator("#reporter")
        expect(reporter).to_contain_text(f"nik: {MASKED_NIK}")
        expect(reporter).not_to_contain_text(NIK)
        expect(reporter).not_to_contain_text("64*")
        expect(reporter).not_to_contain_text("Siti Aminah")
        expect(custodian.locator("#revealed")).to_have_count(0)

        reason = "Klarifikasi identitas pelapor untuk kajian awal"
        custodian.locator("#reason").fill(reason)
        custodian.get_by_role("button", name="Buka identitas").click()
        revealed = custodian.locator("#revealed")
        expect(revealed).to_contain_text(f"nik: {NIK}")
        expect(revealed).to_contain_text("name: Siti Aminah")
        expect(revealed).to_contain_text("siti@example.org")
    finally:
        context.close()

    entry = AuditEntry.objects.select_related("actor").get(
        action="intake.identity.reveal", reason=reason
    )
    assert entry.actor is not None
    assert entry.actor.username == "kustodian.kukar"
    # The audit entry names the revealed fields, never their values.
    assert NIK not in str(entry.after), entry.after


def test_the_administrator_appoints_a_custodian_but_cannot_reveal(
    page: Page, browser: Browser, live_server: Any
) -> None:
    from netral.core.models import AuditEntry

    _fill_report(page, _values(identified=True), identified=True)
    _submit(page)
    code, _secret = _receipt(page)

    context, admin = _officer(browser, live_server, "admin")
    try:
        admin.get_by_role("navigation", name="Utama").get_by_role("link", name="Laporan").click()
        admin.get_by_role("link", name=code).click()
        expect(admin.locator("h1")).to_contain_text(code)
        expect(admin.locator("#custodian-note")).to_contain_text("Nanda Pratiwi")
        expect(admin.get_by_role("button", name="Buka identitas")).to_have_count(0)
        expect(admin.locator("#reporter")).not_to_contain_text(NIK)

        admin.locator("#nav-custodians").click()
        admin.locator("input[name=q]").fill("BAWASLU-64")
        admin.get_by_role("button", name="Tampilkan").click()
        row = admin.locator('[id="office-BAWASLU-64"]')
        expect(row).to_contain_text("tidak seorang pun dapat membuka")
        form = admin.locator("#appoint-form")
        form.locator("#office").fill("BAWASLU-64")
        form.locator("#username").fill("bawaslu.kaltim")
        form.locator("#reason").fill("SK Ketua Bawaslu Provinsi Nomor 12 Tahun 2026")
        form.get_by_role("button", name="Tunjuk").click()
        expect(admin.locator(".messages")).to_contain_text("kini menjadi kustodian identitas")
        expect(row).to_contain_text("bawaslu.kaltim")
    finally:
        context.close()
    entry = AuditEntry.objects.select_related("actor").get(action="custodian.appoint")
    assert entry.actor is not None
    assert entry.actor.username == "admin"
    assert not AuditEntry.objects.filter(action="intake.identity.reveal").exists()


def test_a_nik_with_an_unknown_region_code_is_accepted_with_a_warning(
    page: Page, browser: Browser, live_server: Any
) -> None:
    """Regions were split and renumbered over time: an old code is a warning, not an error."""
    old_code_nik = "9901014506900001"  # 99.01.01 is no district in today's list
    _fill_report(page, _values(identified=True) | {"reporter_nik": old_code_nik}, identified=True)
    _submit(page)
    code, _secret = _receipt(page)
    expect(page.locator("main")).to_contain_text("Kode wilayah 99.01.01 pada NIK ini")
    expect(page.locator("main")).not_to_contain_text(old_code_nik)

    context, officer = _officer(browser, live_server, "bawaslu.kukar")
    try:
        officer.goto(f"/laporan/{code}/")
        reporter = officer.locator("#reporter")
        # The doubt, not the district (six of the NIK's digits): the officer cannot reveal.
        expect(reporter).to_contain_text("Kode wilayah NIK ini tidak ada dalam daftar")
        expect(reporter).not_to_contain_text("99.01.01")
        expect(reporter).not_to_contain_text(old_code_nik)
    finally:
        context.close()


def test_a_bad_nip_keeps_every_other_value_and_the_photo(page: Page, tmp_path: Path) -> None:
    from netral.intake.models import Evidence, Report

    photo, photo_bytes = _photo(tmp_path)
    values = _values(identified=True, nip="12345")
    _fill_report(page, values, identified=True, photo=photo)
    _submit(page)

    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#f-accused_nip .errorlist")).to_have_text(NIP_ERROR)
    expect(page.locator(".field.invalid")).to_have_count(1)
    for name, value in values.items():
        expect(page.locator(f"#id_{name}")).to_have_value(value)
    expect(page.locator("input[name=identified][value='1']")).to_be_checked()
    expect(page.locator("#id_statement_true")).to_be_checked()
    expect(page.locator("#pending-files")).to_contain_text(photo.name)
    assert not Report.objects.exists()

    page.locator("#id_accused_nip").fill("")
    _submit(page)  # without choosing the photo again
    code, _secret = _receipt(page)

    report = Report.objects.get()
    assert report.receipt_code == code
    assert report.accused_nip == ""
    assert not report.anonymous
    evidence = report.evidence.get()
    assert evidence.original_name == photo.name
    assert evidence.sha256 == hashlib.sha256(photo_bytes).hexdigest()
    assert Evidence.objects.count() == 1  # nothing stored twice, nothing left behind


def test_the_same_form_sent_twice_makes_one_report(page: Page, tmp_path: Path) -> None:
    from netral.intake.models import Evidence, Report
    from netral.intake.services import report_for_receipt

    photo, _photo_bytes = _photo(tmp_path)
    _fill_report(page, _values(), photo=photo)
    # First tap: the server receives and stores the report, but the answer is not shown.
    status, first_code = page.locator("form.report-form").evaluate(SEND_IN_BACKGROUND)
    assert status == 200, status
    assert RECEIPT_CODE.fullmatch(first_code), first_code
    # Second tap on the same page (same one-time submission token).
    _submit(page)
    code, secret = _receipt(page)
    expect(page.locator("main [role=status]")).to_have_text(ALREADY_SENT)

    assert code == first_code
    assert Report.objects.count() == 1
    report = Report.objects.get()
    assert report.receipt_code == code
    assert report_for_receipt(code, secret) == report  # the secret shown again still works
    assert report.evidence.count() == 1
    assert Evidence.objects.count() == 1


def test_the_form_works_on_a_360_px_phone(page: Page) -> None:
    from netral.intake.models import Report

    page.set_viewport_size({"width": 360, "height": 740})

    def assert_no_horizontal_scroll() -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page is {width} px wide on a 360 px screen"

    _fill_report(page, _values())
    assert_no_horizontal_scroll()
    submit = page.locator("#send-report")
    submit.scroll_into_view_if_needed()
    expect(submit).to_be_in_viewport()
    _submit(page)
    code, _secret = _receipt(page)
    assert_no_horizontal_scroll()
    report = Report.objects.get()
    assert report.receipt_code == code
    assert report.anonymous
