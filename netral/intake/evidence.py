"""Evidence custody: hash while streaming, sniff the type from the bytes, strip image metadata.

The original is kept sealed (never changed, hash recorded); the working copy of an image is
re-encoded without EXIF/GPS or other metadata. Limits are checked against the declared size
before reading, and again while streaming.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import warnings
from dataclasses import dataclass
from typing import IO

import filetype
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from netral.core.files import pdf_active_content
from netral.intake.models import Evidence

MB = 1024 * 1024
# Sniffed MIME type -> (kind, size limit in bytes)
ALLOWED: dict[str, tuple[str, int]] = {
    "image/jpeg": ("image", 15 * MB),
    "image/png": ("image", 15 * MB),
    "image/webp": ("image", 15 * MB),
    "image/gif": ("image", 15 * MB),
    "application/pdf": ("document", 20 * MB),
    "video/mp4": ("video", 100 * MB),
    "video/quicktime": ("video", 100 * MB),
    "video/webm": ("video", 100 * MB),
    "video/3gpp": ("video", 100 * MB),
    "audio/mpeg": ("audio", 30 * MB),
    "audio/ogg": ("audio", 30 * MB),
    "audio/x-wav": ("audio", 30 * MB),
    "audio/m4a": ("audio", 30 * MB),
    "audio/aac": ("audio", 30 * MB),
}
MAX_BYTES = max(limit for _kind, limit in ALLOWED.values())
MAX_FILES = 10


class EvidenceRejected(ValueError):
    def __init__(self, message: object, *, too_large: bool = False) -> None:
        super().__init__(str(message))
        self.message = message
        self.too_large = too_large


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    kind: str
    limit: int


def sniff(head: bytes) -> Sniffed:
    guess = filetype.guess(head)
    mime = guess.mime if guess else ""
    if mime not in ALLOWED:
        raise EvidenceRejected(
            _("This file type is not accepted. Send photos, videos, PDF or audio recordings.")
        )
    kind, limit = ALLOWED[mime]
    return Sniffed(mime, kind, limit)


def _too_large(limit: int) -> EvidenceRejected:
    return EvidenceRejected(
        _("The file is larger than %(mb)d MB.") % {"mb": limit // MB}, too_large=True
    )


_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}


# Largest image accepted, in pixels: 40 megapixels is more than any phone camera takes, and
# decoding it costs about 160 MB. A "decompression bomb" (a tiny PNG that claims 144 MP) is
# refused from its header, before a single pixel is decoded.
MAX_PIXELS = 40_000_000


def strip_image_metadata(data: IO[bytes], content_type: str) -> bytes:
    """Re-encode an image without EXIF, GPS, XMP, ICC or comments; orientation applied first.

    The dimensions are read from the header first: above ``MAX_PIXELS`` the image is refused
    without being decoded."""
    fmt = _FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning: the size is judged just below, against MAX_PIXELS.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(data)
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise EvidenceRejected(
                    _("The image is too large (%(mp)d megapixels; at most %(max)d).")
                    % {"mp": width * height // 1_000_000, "max": MAX_PIXELS // 1_000_000}
                )
            image.load()
            clean = (ImageOps.exif_transpose(image) or image).copy()
    except Image.DecompressionBombError as exc:
        raise EvidenceRejected(_("The image is too large.")) from exc
    clean.info.clear()  # everything Pillow would write back: exif, icc_profile, xmp, comment
    if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    out = io.BytesIO()
    if fmt in ("JPEG", "WEBP"):
        clean.save(out, format=fmt, quality=90)
    else:
        clean.save(out, format=fmt)
    return out.getvalue()


def store_upload(upload: UploadedFile, *, upload_token: str) -> Evidence:
    """Stream an upload to storage with its SHA-256; raise ``EvidenceRejected`` when refused."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise _too_large(MAX_BYTES)
    digest = hashlib.sha256()
    size = 0
    sniffed: Sniffed | None = None
    with tempfile.SpooledTemporaryFile(max_size=4 * MB) as spool:
        for chunk in upload.chunks(64 * 1024):
            if sniffed is None:
                sniffed = sniff(chunk[:8192])
                if upload.size is not None and upload.size > sniffed.limit:
                    raise _too_large(sniffed.limit)
            size += len(chunk)
            if size > (sniffed.limit if sniffed else MAX_BYTES):
                raise _too_large(sniffed.limit if sniffed else MAX_BYTES)
            digest.update(chunk)
            spool.write(chunk)
        if sniffed is None or size == 0:
            raise EvidenceRejected(_("The file is empty."))
        existing = Evidence.objects.filter(upload_token=upload_token, sha256=digest.hexdigest())
        if existing.exists():
            return existing.get()
        # Every check runs before anything is written to storage: a refused file leaves nothing.
        clean: bytes | None = None
        if sniffed.kind == "image":
            spool.seek(0)
            try:
                clean = strip_image_metadata(spool, sniffed.content_type)
            except (OSError, ValueError, SyntaxError) as exc:
                if isinstance(exc, EvidenceRejected):
                    raise
                raise EvidenceRejected(_("The image cannot be read; it may be damaged.")) from exc
        spool.seek(0)
        evidence = Evidence(
            upload_token=upload_token,
            original_name=(upload.name or "file")[-255:],
            content_type=sniffed.content_type,
            size=size,
            sha256=digest.hexdigest(),
        )
        name = f"{evidence.sha256[:16]}"
        evidence.original.save(name, File(spool), save=False)
        if clean is not None:
            evidence.working.save(name, ContentFile(clean), save=False)
            evidence.working_sha256 = hashlib.sha256(clean).hexdigest()
            evidence.metadata_removed = True
        else:
            evidence.working = evidence.original.name
            evidence.working_sha256 = evidence.sha256
        if sniffed.content_type == "application/pdf":
            spool.seek(0)
            evidence.active_content = ", ".join(pdf_active_content(spool.read()))[:200]
    try:
        with transaction.atomic():
            evidence.save()
    except IntegrityError:  # the same file stored by a concurrent retry: keep its files only
        _remove_files(evidence)
        return Evidence.objects.get(upload_token=upload_token, sha256=evidence.sha256)
    except BaseException:
        _remove_files(evidence)
        raise
    return evidence


def _remove_files(evidence: Evidence) -> None:
    names = {evidence.original.name, evidence.working.name} - {"", None}
    for name in names:
        evidence.original.storage.delete(str(name))


def has_working_copy(evidence: Evidence) -> bool:
    """Whether the evidence has a working copy of its own (an image stripped of metadata);
    otherwise the working copy names the sealed original itself."""
    return bool(evidence.working) and evidence.working.name != evidence.original.name
