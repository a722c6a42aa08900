"""Letters Netral writes: numbered per office with its pattern, rendered to PDF by WeasyPrint."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from netral.cases.models import Case, CaseDocument, CaseEvent, LetterSequence
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


def write_letter(*, case: Case, event: CaseEvent, kind: str, actor: Any) -> CaseDocument:
    from netral.cases.services import store_document

    day = event.effective_on or timezone.localdate()
    office = issuing_office(case, kind)
    number = letter_number(office, kind, day)
    context = {
        "case": case,
        "event": event,
        "office": office,
        "number": number,
        "day": day,
        "accused": list(case.accused.select_related("civil_servant__position")),
        "violation_types": list(case.violation_types.prefetch_related("provisions__regulation")),
        "inputs": event.inputs,
        "citations": _citations(event),
    }
    pdf = render_pdf(f"cases/letters/{kind}.html", context)
    name = f"{kind}-{case.number.replace('/', '-')}.pdf"
    return store_document(
        case=case,
        event=event,
        kind=kind,
        name=name,
        content=pdf,
        actor=actor,
        number=number,
        generated=True,
    )


def _citations(event: CaseEvent) -> list[str]:
    from netral.rules.models import Provision

    ids = event.inputs.get("citations") or []
    return [str(p) for p in Provision.objects.filter(pk__in=ids).select_related("regulation")]
