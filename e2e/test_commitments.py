"""Prevention in the browser: a 60-pact ceremony, a personal pact signed with TOTP whose PDF's
QR code opens the public verification, a pledge attendance file with one bad row, coverage."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from playwright.sync_api import FilePayload, Page, expect

from e2e.conftest import log_in, main_submit, unused_totp_code


def _sixty_heads() -> Any:
    """Kukar gets 60 heads of unit in all (the demo has a few): the size of a real ceremony."""
    from django.utils import timezone

    from netral.registry.models import Agency, CivilServant, Unit

    kukar = Agency.objects.get(code="KAB-64.02")
    existing = CivilServant.objects.filter(agency=kukar, is_head_of_unit=True).count()
    now = timezone.now()
    units = [
        Unit.objects.create(agency=kukar, code=f"64.02-E2E-{n:02d}", name=f"Bidang Uji {n:02d}")
        for n in range(60 - existing)
    ]
    CivilServant.objects.bulk_create(
        [
            CivilServant(
                nip=f"19800101200501{1000 + n:04d}"[:18],
                name=f"Kepala Bidang {n:02d}",
                name_key=f"kepala bidang {n:02d}",
                employment_type="PNS",
                birth_date=date(1980, 1, 1),
                sex="M",
                agency=kukar,
                unit=unit,
                is_head_of_unit=True,
                created_at=now,
                updated_at=now,
            )
            for n, unit in enumerate(units)
        ]
    )
    return kukar


def test_a_ceremony_of_sixty_pacts_is_recorded_in_one_action(page: Page) -> None:
    from netral.commitments.models import Pact

    kukar = _sixty_heads()
    log_in(page, "bkpsdm.kukar")
    page.goto(f"/komitmen/pakta/upacara/?election=pilkada-2024&agency={kukar.pk}")
    boxes = page.locator("input[name=heads]")
    expect(boxes).to_have_count(60)
    expect(page.locator("input[name=heads]:checked")).to_have_count(60)
    page.locator("#id_signed_on").fill("2024-09-30")
    page.locator("#id_scan").set_input_files(
        files=FilePayload(name="pakta.pdf", mimeType="application/pdf", buffer=b"%PDF-1.4 scan")
    )
    page.locator("#ceremony-form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("60 pakta integritas tercatat.")
    assert Pact.objects.filter(agency=kukar).count() == 60
    # Signed ones are no longer offered.
    expect(page.locator("input[name=heads]:checked")).to_have_count(0)


def test_a_personal_pact_signed_with_totp_has_a_qr_code_to_its_verification(
    page: Page, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    import pypdfium2  # type: ignore[import-untyped]
    import zxingcpp

    settings.NETRAL_SITE_URL = live_server.url
    log_in(page, "kadis.kukar")
    page.goto("/komitmen/pakta/tandatangani/?election=pilkada-2024")
    expect(page.locator("#pact-text")).to_contain_text("netralitas Aparatur Sipil Negara")
    page.locator("#id_election").select_option("pilkada-2024")
    # The sign-in used the current code; a code is accepted once, so a later one signs.
    page.locator("#id_token").fill(unused_totp_code("kadis.kukar"))
    page.locator("#id_agree").check()
    main_submit(page).click()
    expect(page).to_have_url(re.compile(r"/komitmen/pakta/[A-Z0-9]+/$"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh PDF").click()
    pdf_path = tmp_path / "pakta.pdf"
    download.value.save_as(pdf_path)
    document = pypdfium2.PdfDocument(pdf_path.read_bytes())
    image = document[0].render(scale=3).to_pil()
    document.close()
    codes = [result.text for result in zxingcpp.read_barcodes(image)]
    assert len(codes) == 1
    assert codes[0].startswith(f"{live_server.url}/verifikasi/")
    visitor = page.context.browser.new_page()  # type: ignore[union-attr]
    visitor.goto(codes[0])
    expect(visitor.locator("#pact-status")).to_have_text("Berlaku")
    expect(visitor.locator("#verified")).to_contain_text("Heru Santoso")
    expect(visitor.locator("#verified")).not_to_contain_text("197203141998031004")
    visitor.close()


def test_pledge_attendance_file_with_one_bad_row(page: Page) -> None:
    from netral.registry.models import CivilServant

    nips = list(
        CivilServant.objects.filter(agency__code="KAB-64.02")
        .order_by("pk")
        .values_list("nip", flat=True)[:5]
    )
    log_in(page, "bkpsdm.kukar")
    page.goto("/komitmen/ikrar/?election=pilkada-2024")
    page.locator("#id_agency").select_option(label="Pemerintah Kabupaten Kutai Kartanegara")
    page.locator("#id_held_on").fill("2024-10-01")
    page.locator("#id_place").fill("Halaman Kantor Bupati")
    page.locator("#id_led_by").fill("Sekretaris Daerah")
    page.locator("#ceremony-new button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Upacara ikrar")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["nip", "nama"])
    for nip in nips[:3]:
        sheet.append([nip, "x"])
    sheet.append(["12345", "salah"])  # row 5
    for nip in nips[3:]:
        sheet.append([nip, "x"])
    buffer = io.BytesIO()
    book.save(buffer)
    page.locator("#id_file").set_input_files(
        files=FilePayload(
            name="hadir.xlsx",
            mimeType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            buffer=buffer.getvalue(),
        )
    )
    page.locator("#attendance-form button[type=submit]").click()
    expect(page.locator("#attendance-result")).to_contain_text("5 ditambahkan")
    expect(page.locator("#attendance-problems")).to_contain_text("baris 5 · 12345")
    expect(page.locator("#attendance-count")).to_contain_text("5 ASN telah berikrar")


def test_coverage_shows_the_agencies_that_are_missing(page: Page) -> None:
    from netral.commitments import services
    from netral.registry.models import Agency, CivilServant
    from netral.rules.models import Election

    kukar = Agency.objects.get(code="KAB-64.02")
    heads = CivilServant.objects.filter(agency=kukar, is_head_of_unit=True)
    services.record_ceremony(
        election=Election.objects.get(slug="pilkada-2024"),
        agency=kukar,
        nips=list(heads.values_list("nip", flat=True)),
        signed_on=date(2024, 9, 30),
        actor=None,
    )
    log_in(page, "bawaslu.kaltim")
    page.goto("/komitmen/?election=pilkada-2024&region=64")
    table = page.locator("#coverage")
    expect(table.locator("tr.lagging")).to_have_count(3)  # none reached by socialisation yet
    expect(table.locator("tr", has_text="Kutai Kartanegara")).to_contain_text(
        f"{heads.count()} / {heads.count()}"
    )
    province = table.locator("tr", has_text="Provinsi Kalimantan Timur")
    expect(province).to_contain_text("belum terjangkau")
    province.locator("td").nth(1).get_by_role("link").click()
    expect(page.locator("#missing tbody tr")).not_to_have_count(0)
    expect(page.locator("#missing")).to_contain_text("PROV-64")
