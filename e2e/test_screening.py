"""Screening in the browser: an officer types the election's profile, imports a CSV export,
reviews the queue with highlighted cues, uploads a screenshot that OCR reads, and turns a post
into a finding that appears among the reports."""

from __future__ import annotations

import io
import shutil

import pytest
from playwright.sync_api import FilePayload, Page, expect

from e2e.conftest import log_in

pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract-ocr is not installed"
)

CSV = (
    "konten;akun;tautan;waktu\n"
    "Selamat pagi rekan kerja, rapat jam 9;@pegawai1;https://x.com/p/1;2024-10-01 08:00\n"
    "Ayo coblos nomor urut 1! #RahmadSutrisno;@guru_tenggarong;https://x.com/p/2;2024-10-02 09:00\n"
    "Harga cabai naik lagi minggu ini;@pegawai3;https://x.com/p/3;2024-10-03 10:00\n"
)


def _screenshot() -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=26)
    image = Image.new("RGB", (900, 170), "white")
    draw = ImageDraw.Draw(image)
    draw.text((24, 24), "Budi Santoso @budi_asn", fill="black", font=font)
    draw.text((24, 80), "Pokoknya coblos 2, Kaltim Sejahtera Merata!", fill="black", font=font)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_an_officer_screens_posts_and_makes_a_finding(page: Page) -> None:
    log_in(page, "bawaslu.kaltim")
    page.locator("header nav a[href='/penapisan/']").click()
    page.locator("#pemilihan").select_option("pilkada-2024")
    page.locator("#election-filter button[type=submit]").click()

    # The profile: election hashtags and the first pair, then the second pair.
    page.locator("#edit-profile").click()
    page.locator("#id_hashtags").fill("#PilkadaKaltim2024")
    page.locator("#id_pair-0-number").fill("1")
    page.locator("#id_pair-0-names").fill("Rahmad Hidayat\nSutrisno Wibowo")
    page.locator("#id_pair-0-nicknames").fill("Bang Rahmad\nRahTris")
    page.locator("#id_pair-0-hashtags").fill("#RahmadSutrisno")
    page.locator("#profile-form button[type=submit]").click()
    expect(page.locator("#profile-status")).to_contain_text("1")
    page.locator("#edit-profile").click()
    page.locator("#id_pair-1-number").fill("2")
    page.locator("#id_pair-1-names").fill("Agus Salim Nugroho\nDewi Lestari Handayani")
    page.locator("#id_pair-1-slogans").fill("Kaltim Sejahtera Merata")
    page.locator("#profile-form button[type=submit]").click()
    expect(page.locator("#profile-status")).to_contain_text("2")

    # A CSV export: uploaded, its columns mapped, imported.
    page.locator("#import-link").click()
    page.locator("#id_file").set_input_files(
        files=FilePayload(name="ekspor.csv", mimeType="text/csv", buffer=CSV.encode())
    )
    page.locator("#import-form button[type=submit]").click()
    page.locator("#id_text").select_option("konten")
    page.locator("#id_account").select_option("akun")
    page.locator("#id_url").select_option("tautan")
    page.locator("#id_date").select_option("waktu")
    page.locator("#mapping-form button[type=submit]").click()
    expect(page.locator("#progress")).to_have_attribute("data-status", "done")
    expect(page.locator("#job-summary")).to_contain_text("3")

    # The queue: the partisan post first, its cues highlighted.
    page.locator("#to-queue").click()
    first = page.locator("#queue li.post").first
    expect(first).to_contain_text("Ayo coblos nomor urut 1!")
    expect(first.locator("mark.cue")).not_to_have_count(0)
    expect(first.locator("mark.cue-pair_hashtag")).to_have_text("#RahmadSutrisno")

    # A screenshot read by OCR lands on its own page with its cues.
    page.locator("#screenshot-link").click()
    page.locator("#id_screenshot").set_input_files(
        files=FilePayload(name="tangkapan.png", mimeType="image/png", buffer=_screenshot())
    )
    page.locator("#id_account").fill("@budi_asn")
    page.locator("#screenshot-form button[type=submit]").click()
    expect(page.locator("#post-text")).to_contain_text("coblos 2")
    expect(page.locator("#post-text mark.cue").first).to_be_visible()

    # Decided partisan, then made a finding that the reports list shows.
    page.locator("input[name=verdict][value=partisan]").check()
    page.locator("#id_note").fill("Ajakan memilih pasangan nomor 2.")
    page.locator("#decision-form button[type=submit]").click()
    expect(page.locator("#verdict")).to_contain_text("Partisan")
    page.locator("#finding-form button[type=submit]").click()
    finding = page.locator("#finding a")
    expect(finding).to_be_visible()
    code = finding.inner_text()
    page.locator("header nav a[href='/laporan/']").click()
    expect(page.locator("main")).to_contain_text(code)
