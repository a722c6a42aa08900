"""Screenshots read by OCR: Debian's ``tesseract-ocr`` with the Indonesian model (``ind``).

The image is checked by its bytes (PNG or JPEG only), scaled up when small and read with the
Indonesian model.
"""

from __future__ import annotations

import io
import os

import filetype
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

ACCEPTED = {"image/png", "image/jpeg"}
MAX_BYTES = 10 * 1024 * 1024
TIMEOUT_SECONDS = 30
MIN_WIDTH = 600


class ScreenshotRejected(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_image(data: bytes) -> None:
    if not data:
        raise ScreenshotRejected(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ScreenshotRejected(_("The screenshot is larger than 10 MB."))
    guess = filetype.guess(data[:8192])
    if guess is None or guess.mime not in ACCEPTED:
        raise ScreenshotRejected(_("Send the screenshot as a PNG or JPEG image."))


def read_text(data: bytes) -> str:
    """The text of a screenshot (raises ``ScreenshotRejected`` when it cannot be read)."""
    import pytesseract

    check_image(data)
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened) or opened
            image = image.convert("L")
    except (OSError, ValueError) as exc:
        raise ScreenshotRejected(_("The image cannot be read; it may be damaged.")) from exc
    if image.width < MIN_WIDTH:  # small text reads better enlarged
        factor = MIN_WIDTH / image.width
        size = (MIN_WIDTH, max(1, int(image.height * factor)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    # One core per image: a busy server runs several readings side by side.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        text = pytesseract.image_to_string(
            image, lang="ind", config="--psm 6", timeout=TIMEOUT_SECONDS
        )
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, RuntimeError) as exc:
        raise ScreenshotRejected(
            _("The screenshot could not be read by OCR on this server. Type the text instead.")
        ) from exc
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    if not text:
        raise ScreenshotRejected(_("No text could be read in this screenshot."))
    return text
