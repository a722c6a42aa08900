"""Documents of a case: uploads given with a step, and the letters Netral numbers and writes.

A letter's number is reserved inside the step's transaction (``netral.cases.letters`` numbers it
from the office's locked sequence); its PDF is rendered after the commit by a task, so no
writer waits on WeasyPrint.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import filetype
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netral.cases.letters import issuing_office, letter_number
from netral.cases.models import Case, CaseDocument, CaseEvent
from netral.cases.tasks import render_letter


@dataclass
class Upload:
    """A document given with a transition (from a form or the API)."""

    kind: str
    name: str
    content: bytes


ACCEPTED_DOCUMENTS = {"application/pdf", "image/jpeg", "image/png"}
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def check_upload(upload: Upload) -> str | None:
    guess = filetype.guess(upload.content[:8192])
    if guess is None or guess.mime not in ACCEPTED_DOCUMENTS:
        return _("Upload a PDF, JPEG or PNG file.")
    if len(upload.content) > MAX_DOCUMENT_BYTES:
        return _("The file is larger than %(mb)d MB.") % {"mb": MAX_DOCUMENT_BYTES // 2**20}
    return None


def store_document(
    *,
    case: Case,
    event: CaseEvent | None,
    kind: str,
    name: str,
    content: bytes,
    actor: Any,
    number: str = "",
    generated: bool = False,
) -> CaseDocument:
    guess = filetype.guess(content[:8192])
    document = CaseDocument(
        case=case,
        event=event,
        kind=kind,
        number=number,
        original_name=name[:255],
        content_type=guess.mime if guess else "application/octet-stream",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        generated=generated,
        created_by=actor,
    )
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document


def write_letter(*, case: Case, event: CaseEvent, kind: str, actor: Any) -> CaseDocument:
    """Reserve the letter's number and its row now; render its PDF once the step commits."""
    day = event.effective_on or timezone.localdate()
    office = issuing_office(case, kind)
    number = letter_number(office, kind, day)
    document = CaseDocument.objects.create(
        case=case,
        event=event,
        kind=kind,
        number=number,
        original_name=f"{kind}-{case.number.replace('/', '-')}.pdf",
        content_type="application/pdf",
        size=0,
        sha256="",
        generated=True,
        created_by=actor,
    )
    transaction.on_commit(lambda: render_letter.enqueue(document_id=document.pk))
    return document
