"""Files people open: PDF active content found, and downloads that cannot run in our origin."""

from __future__ import annotations

import re
import zlib
from typing import IO

from django.http import FileResponse

# PDF names that make a reader run or open something: scripts, launch actions, embedded files,
# forms that submit, actions on open. Names may hide behind #xx escapes (/J#61vaScript).
_ACTIVE = {b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/SubmitForm", b"/XFA"}
_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
INFLATE_BUDGET = 64 * 1024 * 1024  # bytes of decompressed streams looked at, at most


def _names(data: bytes) -> set[bytes]:
    found = set()
    for raw in _NAME.findall(data):
        name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
        if name in _ACTIVE:
            found.add(name)
    return found


def pdf_active_content(data: bytes) -> list[str]:
    """The active-content names a PDF carries (``/JavaScript``, ``/Launch``...), also inside
    compressed object streams; empty for a plain document."""
    found = _names(data)
    budget = INFLATE_BUDGET
    for match in _STREAM.finditer(data):
        if budget <= 0:
            break
        decompressor = zlib.decompressobj()
        try:
            inflated = decompressor.decompress(match.group(1), budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        found |= _names(inflated)
    return sorted(name.decode() for name in found)


def safe_download(
    handle: IO[bytes], *, filename: str, content_type: str | None = None, inline: bool = False
) -> FileResponse:
    """A file response that no browser runs in our origin: PDFs and anything but images are
    attachments, and a sandboxing CSP covers the file even when opened directly."""
    is_image = bool(content_type and content_type.startswith("image/"))
    response = FileResponse(
        handle,
        as_attachment=not (inline and is_image),
        filename=filename,
        content_type=content_type,
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
