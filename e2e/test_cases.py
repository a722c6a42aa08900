"""One case in the browser, from a citizen's report in Kutai Kartanegara through Bawaslu Kukar,
the BKN analyst, the Kukar personnel office and its PPK to a closed case, with the letters."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, FilePayload, Page, expect

from e2e.test_intake import _fill_report, _officer, _receipt, _submit, _values

# The steps that cannot be undone and ask for confirmation.
CONFIRMED = {"dismiss", "not_proven", "request_blocking", "close"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _step(page: Page, name: str, fields: dict[str, Any] | None = None) -> None:
    """Open a step of the case page, fill its inputs (by field name) and take it."""
    block = page.locator(f"#step-{name}")
    expect(block).to_be_visible()
    if block.get_attribute("open") is None:
        block.locator("summary").click()
    for field, value in (fields or {}).items():
        key = f"{name}-{field}"
        if isinstance(value, dict):
            block.locator(f"#id_{key}").set_input_files(files=value)  # type: ignore[arg-type]
        elif isinstance(value, list):
            for item in value:
                block.locator(f"input[name='{key}'][value='{item}']").check()
        elif field in ("track", "outcome"):
            block.locator(f"input[name='{key}'][value='{value}']").check()
        elif field == "sanction":
            block.locator(f"#id_{key}").select_option(value)
        else:
            block.locator(f"#id_{key}").fill(str(value))
    block.locator("button[type=submit]").click()
    if name in CONFIRMED:
        # Irreversible: a page of its own asks once more (it works without JavaScript).
        expect(page.locator("#confirm-consequence")).to_be_visible()
        page.locator("#confirm-form button[type=submit]").click()


def _expect_state(page: Page, label: str) -> None:
    expect(page.locator("#case-state")).to_have_text(label)


def _download_pdf(page: Page, link_text: str, tmp_path: Path) -> bytes:
    with page.expect_download() as download:
        page.locator("#documents a", has_text=link_text).click()
    path = tmp_path / f"{link_text}.pdf"
    download.value.save_as(path)
    return path.read_bytes()


def test_a_kukar_report_walks_to_a_closed_case_with_its_letters(
    page: Page, browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    from netral.cases.models import Case, CaseDocument
    from netral.registry.models import CivilServant

    servant = CivilServant.objects.filter(agency__code="KAB-64.02").order_by("pk").first()
    assert servant is not None
    today = timezone.localdate().isoformat()

    # A citizen reports, with their identity, a civil servant of the Kukar government.
    _fill_report(page, _values(identified=True, nip=servant.nip), identified=True)
    _submit(page)
    code, secret = _receipt(page)

    # Bawaslu Kukar registers it, studies it and forwards it.
    bawaslu_context, bawaslu = _officer(browser, live_server, "bawaslu.kukar")
    bawaslu.goto(f"/laporan/{code}/registrasi/")
    for box in bawaslu.locator("#register-form input[type=checkbox]").all():
        box.check()
    bawaslu.locator("#register-form button[type=submit]").click()
    case = Case.objects.get()
    bawaslu.goto("/perkara/")
    bawaslu.get_by_role("link", name=case.number).click()
    _expect_state(bawaslu, "Diregistrasi")
    _step(bawaslu, "start_study")
    _expect_state(bawaslu, "Dalam kajian Bawaslu")
    _step(
        bawaslu,
        "forward",
        {
            "violation_types": ["online-campaign"],
            "summary": "Unggahan ajakan memilih calon bupati terbukti dari tangkapan layar.",
        },
    )
    _expect_state(bawaslu, "Diteruskan ke instansi pemeriksa")
    expect(bawaslu.locator("#case-reviewer")).to_contain_text("Badan Kepegawaian Negara")
    assert _download_pdf(bawaslu, "Surat penerusan", tmp_path).startswith(b"%PDF")

    # The BKN analyst verifies and recommends.
    analyst_context, analyst = _officer(browser, live_server, "analis.bkn")
    analyst.goto(f"/perkara/{case.pk}/")
    _step(analyst, "start_verification")
    _expect_state(analyst, "Dalam verifikasi instansi pemeriksa")
    first_citation = analyst.locator("input[name='recommend-citations']").first
    citation = first_citation.get_attribute("value")
    _step(
        analyst,
        "recommend",
        {"track": "discipline", "sanction": "heavy-demotion", "citations": [citation]},
    )
    _expect_state(analyst, "Rekomendasi diterbitkan")
    assert _download_pdf(analyst, "Surat rekomendasi", tmp_path).startswith(b"%PDF")

    # The Kukar personnel office and the PPK follow it up.
    personnel_context, personnel = _officer(browser, live_server, "bkpsdm.kukar")
    personnel.goto("/perkara/")
    personnel.get_by_role("link", name=case.number).click()
    _step(personnel, "receive", {"received_on": today})
    _expect_state(personnel, "Diterima PPK")
    _step(personnel, "start_examination", {"summons_dates": today})
    _expect_state(personnel, "Pemeriksaan")
    ppk_context, ppk = _officer(browser, live_server, "ppk.kukar")
    ppk.goto(f"/perkara/{case.pk}/")
    # The decision number is forgotten: the page says so and keeps both files.
    _step(
        ppk,
        "decide",
        {
            "hearing_on": today,
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
    expect(ppk.locator("#step-decide #held-document_examination_report")).to_contain_text("bap.pdf")
    expect(ppk.locator("#step-decide #held-document_decision")).to_contain_text("sk.pdf")
    _step(ppk, "decide", {"decision_number": "800.1.6/123/BKPSDM"})
    _expect_state(ppk, "Diputuskan")
    personnel.reload()
    _step(
        personnel,
        "report_follow_up",
        {"report_number": "800.1.6/130/BKPSDM", "report_date": today},
    )
    _expect_state(personnel, "Tindak lanjut dilaporkan")

    # The analyst closes it.
    analyst.reload()
    _step(analyst, "close", {"note": "Rekomendasi telah ditindaklanjuti."})
    _expect_state(analyst, "Ditutup")
    expect(analyst.locator("#timeline li")).to_have_count(10)
    kinds = set(CaseDocument.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {
        "forwarding_letter",
        "recommendation_letter",
        "examination_report",
        "decision",
    }

    # The reporter sees the stages, never the names or the sanction.
    page.goto("/lapor/status/")
    page.locator("#id_receipt_code").fill(code)
    page.locator("#id_secret").fill(secret)
    page.locator("main form button[type=submit]").click()
    history = page.locator("#history")
    expect(history).to_contain_text("Diteruskan ke instansi pemeriksa")
    expect(history).to_contain_text("Ditutup")
    expect(page.locator("main")).not_to_contain_text("Penurunan jabatan")
    for context in (bawaslu_context, analyst_context, personnel_context, ppk_context):
        context.close()


def test_a_stale_form_says_so_and_keeps_what_was_typed(
    page: Page, browser: Browser, live_server: Any
) -> None:
    from e2e.conftest import log_in
    from netral.demo.cases import seed_cases

    seed_cases()
    from netral.cases.models import Case

    case = Case.objects.get(state="under_study")
    log_in(page, "bawaslu.kukar")
    page.goto(f"/perkara/{case.pk}/")
    other_context, other = _officer(browser, live_server, "bawaslu.kaltim")
    other.goto(f"/perkara/{case.pk}/")
    _step(other, "request_study_info", {"request": "Mohon tangkapan layar asli."})
    _expect_state(other, "Meminta keterangan tambahan (kajian)")
    # The first officer's page is now stale: their forwarding is refused, nothing is lost.
    _step(page, "forward", {"violation_types": ["online-campaign"], "summary": "Kajian saya"})
    expect(page.locator("#step-error")).to_contain_text("Muat ulang")
    expect(page.locator("#id_forward-summary")).to_have_value("Kajian saya")
    _expect_state(page, "Meminta keterangan tambahan (kajian)")
    other_context.close()


def test_the_overdue_queue_and_the_follow_up_page(
    page: Page, browser: Browser, live_server: Any
) -> None:
    from e2e.conftest import log_in
    from netral.demo.cases import seed_cases

    seed_cases()
    log_in(page, "bawaslu.kukar")
    page.goto("/perkara/terlambat/")
    expect(page.locator("#overdue tbody tr")).not_to_have_count(0)
    expect(page.locator("#overdue")).to_contain_text("Bawaslu")
    context, analyst = _officer(browser, live_server, "analis.bkn")
    analyst.goto("/perkara/tindak-lanjut/")
    row = analyst.locator("#follow-up tbody tr", has_text=re.compile("Kutai Kartanegara"))
    expect(row.locator("td").nth(1)).to_have_text("2")  # two recommendations received
    context.close()


def test_forwarding_a_pemilu_case_asks_for_the_race_between_two_determinations(
    page: Page,
) -> None:
    """An act of 8 Nov 2023 lies between the DPR lists (3 Nov) and the presidential ticket
    (13 Nov): the forwarding form asks for the race, keeps what was typed, then records it."""
    from datetime import date

    from e2e.conftest import log_in
    from netral.cases.models import Case
    from netral.cases.tests.conftest import make_case

    case = make_case(
        election="pemilu-2024",
        act_date=date(2023, 11, 8),
        registered_on=date(2023, 11, 20),
        state=Case.State.UNDER_STUDY,
    )
    log_in(page, "bawaslu.kukar")
    page.goto("/perkara/")
    page.get_by_role("link", name=case.number).click()
    summary = "Unggahan ajakan memilih calon anggota DPR."
    _step(page, "forward", {"violation_types": ["online-campaign"], "summary": summary})
    block = page.locator("#step-forward")
    expect(block).to_contain_text("sebutkan kontestasinya")
    expect(block.locator("#id_forward-summary")).to_have_value(summary)
    block.locator("#id_forward-race").select_option("dpr")
    block.locator("button[type=submit]").click()
    _expect_state(page, "Diteruskan ke instansi pemeriksa")
    expect(page.locator("#case-race")).to_contain_text("DPR")


def test_a_checked_register_is_imported_without_picking_the_file_again(page: Page) -> None:
    """Past cases: the clerk checks a register first; the page keeps the file, so unticking
    "check only" and sending again imports it without choosing it a second time."""
    from e2e.conftest import log_in
    from netral.cases.models import Case

    register = (
        "nomor,kantor,nama,tahap,tanggal_registrasi\n"
        "E2E/1/2024,BAWASLU-64.02,Andi Saputra,registered,2024-08-01\n"
    )
    log_in(page, "analis.bkn")
    page.goto("/perkara/impor/")
    page.locator("#id_file").set_input_files(
        files=FilePayload(name="daftar.csv", mimeType="text/csv", buffer=register.encode())
    )
    expect(page.locator("input[name=dry_run]")).to_be_checked()
    page.locator("#import-form button[type=submit]").click()
    expect(page.locator("#import-result")).to_contain_text("1 baris: 1 sah")
    expect(page.locator("#held-file")).to_contain_text("daftar.csv")
    assert not Case.objects.filter(number="E2E/1/2024").exists()
    page.locator("input[name=dry_run]").uncheck()
    page.locator("#import-form button[type=submit]").click()
    expect(page.locator("#import-result")).to_contain_text("1 baris: 1 sah")
    expect(page.locator("#held-file")).to_have_count(0)
    assert Case.objects.filter(number="E2E/1/2024", imported=True).exists()
