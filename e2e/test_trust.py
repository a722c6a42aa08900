"""The four points where users got a wrong result, walked in the browser: the right office
however the agency is typed (and a transfer between offices), the reporter's status after
every step in the office's time zone, the reviewing agency reading the file it judges and
following the classifier in one submit, and notifications a person can use."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, FilePayload, Page, expect

from e2e.conftest import log_in
from e2e.test_cases import PDF, _download_pdf, _expect_state, _step
from e2e.test_intake import _fill_report, _officer, _photo, _receipt, _submit, _values


def _report(page: Page, **changes: str) -> str:
    """A citizen sends a report with these values changed; its receipt code."""
    values = _values() | changes
    _fill_report(page, {k: v for k, v in values.items() if v != "-"})
    _submit(page)
    code, _secret = _receipt(page)
    return code


def test_reports_land_at_the_accused_office_however_the_agency_is_typed_and_move_on(
    page: Page, browser: Browser, live_server: Any
) -> None:
    from netral.core.models import AuditEntry
    from netral.intake.models import Report
    from netral.registry.models import CivilServant

    servant = CivilServant.objects.filter(agency__code="KAB-64.02").order_by("pk").first()
    assert servant is not None
    # The act happened in Samarinda; the agency typed as in the field report decides.
    typed = _report(
        page,
        accused_agency_text="Pemerintah Kabupaten Kutai Kartanegara - Dinas Pendidikan",
        act_region="64.72",
    )
    # Only the NIP: its agency in the registry decides.
    nip_only = _report(page, accused_agency_text="-", accused_nip=servant.nip, act_region="64.72")
    # Only the act's regency.
    place_only = _report(page, accused_agency_text="-", act_region="64.02")
    # Chosen from the suggestions while typing.
    _fill_report(page, _values() | {"accused_agency_text": "", "act_region": "64.72"})
    page.locator("#id_accused_agency_text").press_sequentially("pendidikan kutai")
    suggestion = page.locator("#agency-suggestions button", has_text="Kabupaten Kutai Kartanegara")
    expect(suggestion.first).to_contain_text("Dinas Pendidikan")
    suggestion.first.click()
    expect(page.locator("#id_accused_agency")).to_have_value("KAB-64.02")
    _submit(page)
    chosen, _secret = _receipt(page)

    codes = [typed, nip_only, place_only, chosen]
    offices = dict(Report.objects.values_list("receipt_code", "office__code"))
    assert [offices[c] for c in codes] == ["BAWASLU-64.02"] * 4

    bawaslu_context, bawaslu = _officer(browser, live_server, "bawaslu.kukar")
    bawaslu.locator("header nav a[href='/laporan/']").click()
    for code in codes:
        expect(bawaslu.get_by_role("link", name=code)).to_be_visible()
    # The act-only report is really Kaltim's business: passed on with a reason.
    bawaslu.get_by_role("link", name=place_only).click()
    bawaslu.locator("#transfer summary").click()
    bawaslu.locator("#transfer-office").select_option("BAWASLU-64")
    bawaslu.locator("#transfer-reason").fill("Terlapor pegawai provinsi.")
    bawaslu.locator("#transfer button[type=submit]").click()
    expect(bawaslu.locator(".messages")).to_contain_text("Bawaslu Provinsi Kalimantan Timur")
    entry = AuditEntry.objects.get(action="intake.transfer")
    assert entry.reason == "Terlapor pegawai provinsi."

    kaltim_context, kaltim = _officer(browser, live_server, "bawaslu.kaltim")
    kaltim.locator("#nav-notifications").click()
    item = kaltim.locator("#notifications li", has_text=place_only)
    expect(item).to_contain_text("Terlapor pegawai provinsi.")
    item.get_by_role("link").click()
    expect(kaltim.locator("#report-office")).to_have_text("Bawaslu Provinsi Kalimantan Timur")
    for context in (bawaslu_context, kaltim_context):
        context.close()


def test_the_reporter_is_told_the_truth_and_bkn_judges_the_file_it_sees(
    page: Page, browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    from netral.cases.models import Case

    photo, _data = _photo(tmp_path)
    values = _values(identified=True) | {"act_region": "64.02"}
    _fill_report(page, values, identified=True, photo=photo)
    _submit(page)
    code, secret = _receipt(page)
    expect(page.locator("#receipt-time")).to_contain_text("WITA")
    expect(page.locator("#receipt-url")).to_contain_text(f"/lapor/status/?kode={code}")

    reporter_context = browser.new_context(base_url=live_server.url)
    reporter = reporter_context.new_page()

    def check(stage: str, count: int) -> None:
        """The reporter opens the status page (the code typed in lower case, no dashes)."""
        reporter.goto("/lapor/status/")
        reporter.locator("#id_receipt_code").fill(code.replace("-", "").lower())
        reporter.locator("#id_secret").fill(secret)
        reporter.locator("main form button[type=submit]").click()
        expect(reporter.locator("#status-now")).to_have_text(stage)
        expect(reporter.locator("#history li")).to_have_count(count)
        expect(reporter.locator("#history li").last).to_contain_text("WITA")

    check("Diterima", 1)
    bawaslu_context, bawaslu = _officer(browser, live_server, "bawaslu.kukar")
    bawaslu.goto(f"/laporan/{code}/")
    bawaslu.locator("#registration-link").click()
    for box in bawaslu.locator("#register-form input[type=checkbox]").all():
        box.check()
    bawaslu.locator("#register-form button[type=submit]").click()
    case = Case.objects.get()
    check("Diregistrasi", 2)
    bawaslu.goto("/perkara/")
    bawaslu.get_by_role("link", name=case.number).click()
    _step(bawaslu, "start_study")
    check("Sedang dikaji Bawaslu", 3)
    _step(
        bawaslu,
        "forward",
        {"violation_types": ["online-campaign"], "summary": "Ajakan memilih terbukti."},
    )
    _expect_state(bawaslu, "Diteruskan ke instansi pemeriksa")
    check("Diteruskan ke instansi pemeriksa", 4)

    # BKN reads the file: the report, the photo, the study and the forwarding letter.
    analyst_context, analyst = _officer(browser, live_server, "analis.bkn")
    analyst.goto("/perkara/")
    analyst.get_by_role("link", name=case.number).click()
    expect(analyst.locator("#study")).to_contain_text("Ajakan memilih terbukti.")
    assert _download_pdf(analyst, "Surat penerusan", tmp_path).startswith(b"%PDF")
    analyst.get_by_role("link", name=code).click()
    expect(analyst.locator("h1")).to_contain_text(code)
    with analyst.expect_response(re.compile(r"/bukti/\d+/kerja/$")) as opened:
        analyst.locator("#evidence a").first.click()
    assert opened.value.status == 200
    analyst.go_back()
    analyst.go_back()
    _step(analyst, "start_verification")
    check("Diteruskan ke instansi pemeriksa", 4)  # the same stage: not listed twice
    # The suggestion is on the page and pre-selected: one submit follows it.
    analyst.locator("#step-recommend summary").click()
    expect(analyst.locator("#suggested-track")).to_have_text("Disiplin (PP 94/2021)")
    expect(analyst.locator("#suggested-sanctions li")).not_to_have_count(0)
    _step(analyst, "recommend")
    _expect_state(analyst, "Rekomendasi diterbitkan")
    check("Ditangani Pejabat Pembina Kepegawaian (PPK)", 5)

    today = timezone.localdate().isoformat()
    personnel_context, personnel = _officer(browser, live_server, "bkpsdm.kukar")
    personnel.goto(f"/perkara/{case.pk}/")
    _step(personnel, "receive", {"received_on": today})
    _step(personnel, "start_examination", {"summons_dates": today})
    check("Ditangani Pejabat Pembina Kepegawaian (PPK)", 5)
    ppk_context, ppk = _officer(browser, live_server, "ppk.kukar")
    ppk.goto(f"/perkara/{case.pk}/")
    _step(
        ppk,
        "decide",
        {
            "hearing_on": today,
            "decision_number": "800.1.6/123/BKPSDM",
            "decision_date": today,
            "sanction": "heavy-demotion",
            "document_examination_report": FilePayload(
                name="bap.pdf", mimeType="application/pdf", buffer=PDF
            ),
            "document_decision": FilePayload(
                name="sk.pdf", mimeType="application/pdf", buffer=PDF + b" "
            ),
        },
    )
    _expect_state(ppk, "Diputuskan")
    check("Diputus oleh Pejabat Pembina Kepegawaian (PPK)", 6)
    personnel.reload()
    _step(
        personnel,
        "report_follow_up",
        {"report_number": "800.1.6/130/BKPSDM", "report_date": today},
    )
    check("Tindak lanjut telah dilaporkan PPK", 7)
    expect(reporter.locator("textarea[name=body]")).to_be_visible()  # still open: may answer
    analyst.reload()
    _step(analyst, "close", {"note": "Selesai."})
    _expect_state(analyst, "Ditutup")
    check("Ditutup: pelanggaran terbukti, sanksi dijatuhkan", 8)
    expect(reporter.locator("#outcome")).to_contain_text("Tingkat sanksi: berat")
    expect(reporter.locator("main")).not_to_contain_text("Penurunan jabatan")
    expect(reporter.locator("#no-reply")).to_be_visible()
    expect(reporter.locator("textarea[name=body]")).to_have_count(0)
    for context in (
        reporter_context,
        bawaslu_context,
        analyst_context,
        personnel_context,
        ppk_context,
    ):
        context.close()


def test_one_notification_per_event_read_on_opening_in_english(
    page: Page, browser: Browser, live_server: Any
) -> None:
    from netral.cases.models import Case
    from netral.demo.cases import seed_cases

    seed_cases()
    case = Case.objects.filter(state="under_study", office__code="BAWASLU-64.02").first()
    assert case is not None
    log_in(page, "analis.bkn")
    page.locator("header").get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("header nav a[href='/perkara/']").click()  # the choice is now remembered

    bawaslu_context, bawaslu = _officer(browser, live_server, "bawaslu.kukar")
    bawaslu.goto(f"/perkara/{case.pk}/")
    _step(
        bawaslu,
        "forward",
        {"violation_types": ["online-campaign"], "summary": "Kajian selesai."},
    )
    _expect_state(bawaslu, "Diteruskan ke instansi pemeriksa")
    bawaslu_context.close()

    page.locator("#nav-notifications").click()
    items = page.locator("#notifications li", has_text=case.number)
    expect(items).to_have_count(1)
    item = items.first
    subject = f"Case {case.number}: Forwarded to the reviewing agency"
    expect(item.get_by_role("link")).to_have_text(subject)
    expect(item.locator("small")).to_contain_text("Next: Start the verification.")
    expect(item.locator("small")).not_to_contain_text(subject)
    expect(item).to_have_class("unread")
    item.get_by_role("link").click()
    expect(page.locator("#case-state")).to_have_text("Forwarded to the reviewing agency")
    page.locator("#nav-notifications").click()
    expect(page.locator("#notifications li", has_text=case.number)).not_to_have_class("unread")
