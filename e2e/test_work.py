"""Each role's own work in the browser: the official reaches the pact from their home; the
personnel office records a ceremony with a wrong NIP and loses neither the date nor the scan."""

from __future__ import annotations

import re

from playwright.sync_api import FilePayload, Page, expect

from e2e.conftest import log_in, main_submit, unused_totp_code

SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_official_signs_the_pact_from_their_home(page: Page) -> None:
    log_in(page, "kadis.kukar")
    expect(page).to_have_url(re.compile(r"/tugas/$"))
    menu = page.locator("header nav a")
    # Only what this official may open: no officer lists that would answer 403.
    expect(menu.filter(has_text="Laporan")).to_have_count(0)
    expect(menu.filter(has_text="Perkara")).to_have_count(0)
    pact = page.locator("#my-pact")
    expect(pact).to_contain_text("belum ditandatangani")
    pact.get_by_role("link", name="Tandatangani pakta integritas saya").click()
    expect(page.locator("#pact-text")).to_be_visible()
    page.locator("#id_token").fill(unused_totp_code("kadis.kukar"))
    page.locator("#id_agree").check()
    main_submit(page).click()
    expect(page).to_have_url(re.compile(r"/komitmen/pakta/[A-Z0-9]+/$"))
    page.locator("header nav a[href='/tugas/']").click()
    expect(page.locator("#my-pact")).to_contain_text("Ditandatangani pada")


def test_a_ceremony_with_a_wrong_nip_keeps_the_date_and_the_scan(page: Page) -> None:
    from netral.commitments.models import Pact

    log_in(page, "bkpsdm.kukar")
    page.locator("header nav a", has_text="Komitmen").click()
    page.get_by_role("link", name="Catat upacara penandatanganan pakta").click()
    form = page.locator("#ceremony-form")
    form.locator("#id_election").select_option("pilkada-2024")
    form.locator("#id_signed_on").fill("")
    form.locator("#id_other_nips").fill("199001012015031999")
    form.locator("#id_scan").set_input_files(
        files=FilePayload(name="pakta-upacara.pdf", mimeType="application/pdf", buffer=SCAN)
    )
    form.locator("button[type=submit]").click()
    # One submission shows every error: the missing date and the unknown NIP together.
    expect(page.locator("#f-signed_on .errorlist")).to_be_visible()
    expect(page.locator("#pact-problems")).to_contain_text("199001012015031999")
    expect(page.locator("#held-scan")).to_contain_text("pakta-upacara.pdf")

    page.locator("#id_signed_on").fill("2024-09-30")
    page.locator("#ceremony-form button[type=submit]").click()
    expect(page.locator("#pact-problems")).to_contain_text("199001012015031999")
    # The date comes back as the browser can show it, and the scan is still kept.
    expect(page.locator("#id_signed_on")).to_have_value("2024-09-30")
    expect(page.locator("#held-scan")).to_contain_text("pakta-upacara.pdf")

    page.locator("#id_other_nips").fill("")
    page.locator("#ceremony-form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("pakta integritas tercatat")
    rows = page.locator("#recorded-pacts tbody tr")
    expect(rows.first).to_be_visible()
    expect(rows.first.get_by_role("link", name="PDF")).to_be_visible()
    recorded = Pact.objects.filter(agency__code="KAB-64.02", mode=Pact.Mode.CEREMONY)
    assert recorded.exists()
    assert all(p.scan_sha256 for p in recorded)
