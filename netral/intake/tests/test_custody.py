from __future__ import annotations

import hashlib
import io

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from netral.intake import crypto
from netral.intake.evidence import EvidenceRejected, store_upload
from netral.intake.links import normalise_link

pytestmark = pytest.mark.django_db

KEY_A = "a:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
KEY_B = "b:" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="


def test_identity_round_trip_is_bound_to_its_report():
    ring = crypto.parse_keys(KEY_A)
    blob = crypto.encrypt({"nik": "6402011203900001"}, bound_to="NTR-AAAA-BBBB", ring=ring)
    assert b"6402011203900001" not in blob
    assert crypto.decrypt(blob, bound_to="NTR-AAAA-BBBB", ring=ring) == {"nik": "6402011203900001"}
    with pytest.raises(InvalidTag):
        crypto.decrypt(blob, bound_to="NTR-CCCC-DDDD", ring=ring)


def test_key_rotation_keeps_old_blobs_readable():
    old = crypto.encrypt({"name": "Ani"}, bound_to="r", ring=crypto.parse_keys(KEY_A))
    rotated = crypto.parse_keys(f"{KEY_B},{KEY_A}")
    assert crypto.decrypt(old, bound_to="r", ring=rotated) == {"name": "Ani"}
    assert crypto.key_id_of(crypto.encrypt({}, bound_to="r", ring=rotated)) == "b"
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_keys("short:QUJD")


def test_photo_metadata_is_removed_from_the_working_copy_and_kept_sealed(photo):
    evidence = store_upload(SimpleUploadedFile("foto.jpg", photo), upload_token="t" * 20)
    assert evidence.content_type == "image/jpeg"
    assert evidence.sha256 == hashlib.sha256(photo).hexdigest()
    with evidence.original.open("rb") as original:
        kept = original.read()
    assert kept == photo
    assert Image.open(io.BytesIO(kept)).getexif().get_ifd(0x8825)  # GPS still in the original
    with evidence.working.open("rb") as working:
        clean = working.read()
    assert evidence.metadata_removed
    assert evidence.working_sha256 == hashlib.sha256(clean).hexdigest()
    cleaned = Image.open(io.BytesIO(clean))
    assert len(cleaned.getexif()) == 0
    assert b"Phone X" not in clean
    assert cleaned.size == (64, 48)


def test_type_is_sniffed_from_the_bytes_not_the_name():
    with pytest.raises(EvidenceRejected, match="tidak diterima"):
        store_upload(
            SimpleUploadedFile("foto.jpg", b"MZ\x90\x00 not a photo"), upload_token="t" * 20
        )
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    evidence = store_upload(SimpleUploadedFile("scan.bin", pdf), upload_token="t" * 20)
    assert evidence.content_type == "application/pdf"
    assert not evidence.metadata_removed


def test_declared_size_over_the_limit_is_refused_before_reading():
    class Huge(SimpleUploadedFile):
        def chunks(self, chunk_size=None):
            raise AssertionError("must not be read")

    upload = Huge("film.mp4", b"x")
    upload.size = 500 * 1024 * 1024
    with pytest.raises(EvidenceRejected) as excinfo:
        store_upload(upload, upload_token="t" * 20)
    assert excinfo.value.too_large


@pytest.mark.parametrize(
    ("raw", "url", "platform"),
    [
        ("https://www.instagram.com/p/abc/?igshid=xyz", "https://instagram.com/p/abc", "instagram"),
        (
            "m.facebook.com/story.php?id=1&fbclid=2",
            "https://facebook.com/story.php?id=1",
            "facebook",
        ),
        ("https://x.com/someone/status/1?s=20", "https://x.com/someone/status/1?s=20", "x"),
        ("https://vm.tiktok.com/ZS123/", "https://vm.tiktok.com/ZS123", "tiktok"),
        ("youtu.be/abc?si=track", "https://youtu.be/abc", "youtube"),
        ("https://wa.me/62812", "https://wa.me/62812", "whatsapp"),
        ("http://example.org/a?utm_source=x", "https://example.org/a", "other"),
    ],
)
def test_links_are_normalised_and_their_platform_named(raw, url, platform):
    assert normalise_link(raw) == (url, platform)


def test_the_same_file_twice_in_one_form_is_kept_once(photo):
    first = store_upload(SimpleUploadedFile("a.jpg", photo), upload_token="t" * 20)
    again = store_upload(SimpleUploadedFile("a-again.jpg", photo), upload_token="t" * 20)
    assert again.pk == first.pk
    other_form = store_upload(SimpleUploadedFile("a.jpg", photo), upload_token="u" * 20)
    assert other_form.pk != first.pk
