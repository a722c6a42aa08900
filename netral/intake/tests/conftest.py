from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from PIL import Image


def jpeg_with_gps() -> bytes:
    """A small JPEG carrying EXIF with a GPS position and a camera model."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Phone X (camera model)"
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = (0.0, 30.0, 0.0)
    gps[3] = "E"
    gps[4] = (117.0, 9.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def photo() -> bytes:
    return jpeg_with_gps()


def recent(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


@pytest.fixture
def form_data() -> dict[str, str]:
    return {
        "violation_type": "online-campaign",
        "election": "pilkada-2024",
        "accused_name": "Budi Santoso",
        "accused_agency_text": "Pemerintah Kabupaten Kutai Kartanegara",
        "accused_position": "Guru",
        "accused_nip": "",
        "act_region": "64",
        "act_place": "Tenggarong",
        "act_date": recent(3),
        "learned_date": recent(2),
        "description": "Mengunggah poster calon bupati dengan ajakan memilih di Facebook.",
        "links": "https://www.facebook.com/budi/posts/1?fbclid=abc",
        "identified": "0",
        "statement_true": "on",
        "submission_token": "s" * 24,
        "upload_token": "u" * 24,
    }


@pytest.fixture
def today() -> date:
    return timezone.localdate()
