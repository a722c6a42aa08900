"""Letters Netral writes: numbered per office with its pattern, rendered to PDF by WeasyPrint.

The number is reserved inside the step's transaction (which locks the office's letter sequence)
by ``netral.cases.services.documents.write_letter``; the PDF is rendered after the commit by a
task (``netral.cases.tasks.render_letter``), so no writer waits on WeasyPrint. Until then the
letter's row exists with its number and an empty file, and pages show it as being prepared.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from netral.cases.models import Case, CaseDocument, CaseEvent, LetterSequence
from netral.core import audit
from netral.registry.models import Office

KIND_CODES: dict[str, str] = {
    CaseDocument.Kind.FORWARDING_LETTER: "PN",
    CaseDocument.Kind.RECOMMENDATION_LETTER: "REK",
}
DEFAULT_PATTERN = "{seq:04d}/{kind}/{office}/{month_roman}/{year}"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def issuing_office(case: Case, kind: str) -> Office:
    """Bawaslu's office forwards; the reviewing agency in force recommends."""
    if kind == CaseDocument.Kind.RECOMMENDATION_LETTER and case.reviewing_agency is not None:
        office = Office.objects.filter(
            kind=Office.Kind.REVIEWING, code__iexact=case.reviewing_agency.code
        ).first()
        if office is not None:
            return office
    return case.office


def letter_number(office: Office, kind: str, day: date) -> str:
    """The next number from ``office.letter_pattern`` (the caller holds the transaction)."""
    sequence, _created = LetterSequence.objects.select_for_update().get_or_create(
        office=office, kind=kind, year=day.year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    values: dict[str, Any] = {
        "seq": sequence.last,
        "kind": KIND_CODES.get(kind, kind.upper()),
        "office": office.code,
        "month": day.month,
        "month_roman": ROMAN[day.month - 1],
        "year": day.year,
    }
    try:
        return office.letter_pattern.format(**values)
    except (KeyError, IndexError, ValueError):
        return DEFAULT_PATTERN.format(**values)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    # Official letters are in Indonesian, whatever the officer's interface language.
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template, context)
    return bytes(HTML(string=html).write_pdf())


def render_letter_document(document_id: int) -> bool:
    """Render a reserved letter and store its PDF once; False when it was already rendered.

    The file is written once: the row is filled only while it has no hash, so a second run (a
    retried task, a second worker) stores nothing and changes nothing.
    """
    document = CaseDocument.objects.select_related("case", "event").get(pk=document_id)
    if document.sha256 or document.event is None:
        return False
    case, event = document.case, document.event
    context = {
        "case": case,
        "event": event,
        "office": issuing_office(case, document.kind),
        "number": document.number,
        "day": event.effective_on,
        "accused": list(case.accused.select_related("civil_servant__position")),
        "violation_types": list(case.violation_types.prefetch_related("provisions__regulation")),
        "inputs": event.inputs,
        "citations": _citations(event),
    }
    pdf = render_pdf(f"cases/letters/{document.kind}.html", context)
    digest = hashlib.sha256(pdf).hexdigest()
    field = document.file.field
    stored = field.storage.save(
        field.generate_filename(document, document.original_name), ContentFile(pdf)
    )
    with transaction.atomic():
        filled = CaseDocument.objects.filter(pk=document.pk, sha256="").update(
            file=stored, size=len(pdf), sha256=digest
        )
        if filled:
            audit.record(
                action="case.letter_rendered",
                obj=case,
                evidence=[{"kind": document.kind, "sha256": digest, "number": document.number}],
                stream=f"office:{case.office_id}",
            )
    if not filled:
        field.storage.delete(stored)  # another run stored it first
    return bool(filled)


def _citations(event: CaseEvent) -> list[str]:
    from netral.rules.models import Provision

    ids = event.inputs.get("citations") or []
    return [str(p) for p in Provision.objects.filter(pk__in=ids).select_related("regulation")]
