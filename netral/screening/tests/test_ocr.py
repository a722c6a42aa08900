"""Screenshots read by Debian's tesseract with the Indonesian model."""

from __future__ import annotations

import io
import os
import shutil

import pytest
from PIL import Image, ImageDraw, ImageFont

from netral.screening.ocr import ScreenshotRejected, read_text

# Off Debian or without root, ``make test`` cannot install tesseract: skipped then, never in CI.
pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None and os.environ.get("CI") != "true",
    reason="tesseract-ocr is not installed (apt-get install tesseract-ocr tesseract-ocr-ind)",
)


def tweet_png(lines: list[str]) -> bytes:
    font = ImageFont.load_default(size=26)
    image = Image.new("RGB", (900, 60 + 50 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((20, 20 + 50 * n), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_a_screenshot_is_read():
    text = read_text(tweet_png(["Ayo coblos nomor urut 2", "#AgusDewi menang!"]))
    assert "coblos nomor urut 2" in text
    assert "#AgusDewi" in text


def test_only_images_are_accepted():
    with pytest.raises(ScreenshotRejected):
        read_text(b"%PDF-1.4 not an image")
    with pytest.raises(ScreenshotRejected):
        read_text(b"")
