"""Letters never block a step: the number is reserved in the step, the PDF is rendered after."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from netral.cases import letters
from netral.cases.letters import render_letter_document
from netral.cases.models import CaseDocument, State
from netral.cases.services import perform
from netral.cases.tests.test_workflow import walk_to
from netral.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_letter_has_its_number_at_once_and_its_pdf_after_the_commit(
    case_factory, scopes, as_user, monkeypatch, django_capture_on_commit_callbacks
):
    case = walk_to(case_factory(), scopes, State.UNDER_STUDY)
    rendered: list[str] = []
    real_render = letters.render_pdf

    def counting_render(template: str, context: dict) -> bytes:
        rendered.append(template)
        return real_render(template, context)

    monkeypatch.setattr(letters, "render_pdf", counting_render)
    user, scope = scopes("bawaslu.kukar")
    page_client = as_user("bawaslu.kukar")
    with django_capture_on_commit_callbacks(execute=True):
        perform(
            case_id=case.pk,
            name="forward",
            actor=user,
            scope=scope,
            version=case.version,
            inputs={"violation_types": ["online-campaign"], "summary": "Kajian."},
            day=date(2024, 10, 16),
        )
        # Inside the step: the row and its number exist, nothing was rendered.
        assert rendered == []
        letter = case.documents.get(kind=CaseDocument.Kind.FORWARDING_LETTER)
        assert letter.number == "0001/PN/BAWASLU-64.02/X/2024"
        assert letter.sha256 == ""
        assert not letter.file
        page = page_client.get(f"/perkara/{case.pk}/").content.decode()
        assert "Sedang disiapkan" in page
        assert f"/perkara/{case.pk}/dokumen/{letter.pk}/" not in page
        early = page_client.get(f"/perkara/{case.pk}/dokumen/{letter.pk}/", follow=True)
        assert "Surat ini sedang disiapkan" in early.content.decode()
        api = page_client.get(f"/api/v1/cases/{case.pk}").json()
        assert [d["ready"] for d in api["documents"] if d["kind"] == "forwarding_letter"] == [False]
        step_entry = AuditEntry.objects.get(action="case.forward", object_id=str(case.pk))
        assert step_entry.evidence == [{"kind": "forwarding_letter", "number": letter.number}]
    # After the commit, the task rendered it once, with its hash on the trail.
    assert rendered == ["cases/letters/forwarding_letter.html"]
    letter = CaseDocument.objects.get(pk=letter.pk)
    content = letter.file.open("rb").read()
    assert content.startswith(b"%PDF")
    assert letter.size == len(content)
    assert letter.sha256 == hashlib.sha256(content).hexdigest()
    entry = AuditEntry.objects.get(action="case.letter_rendered", object_id=str(case.pk))
    assert entry.evidence == [
        {"kind": "forwarding_letter", "sha256": letter.sha256, "number": letter.number}
    ]
    response = page_client.get(f"/perkara/{case.pk}/dokumen/{letter.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    # A second run (a retried task) changes nothing and writes nothing.
    assert render_letter_document(letter.pk) is False
    assert CaseDocument.objects.get(pk=letter.pk).sha256 == letter.sha256
    assert AuditEntry.objects.filter(action="case.letter_rendered").count() == 1


def test_letters_cite_the_law_by_its_documents_names(
    case_factory, scopes, monkeypatch, django_capture_on_commit_callbacks
):
    from django.template.loader import render_to_string

    texts: dict[str, str] = {}
    real_render = letters.render_pdf

    def keeping_the_text(template: str, context: dict) -> bytes:
        texts[template.rsplit("/", 1)[-1]] = render_to_string(template, context)
        return real_render(template, context)

    monkeypatch.setattr(letters, "render_pdf", keeping_the_text)
    with django_capture_on_commit_callbacks(execute=True):
        walk_to(case_factory(), scopes, State.RECOMMENDATION_ISSUED)
    forwarding = texts["forwarding_letter.html"]
    recommendation = texts["recommendation_letter.html"]
    for text in (forwarding, recommendation):
        assert "Pasal Lampiran" not in text
        assert "dkk." not in text
        assert "SKB Netralitas ASN 2022, Lampiran" in text
    # The forwarding letter cites the decree once per act, then the article of PP 94/2021.
    assert forwarding.count("SKB Netralitas ASN 2022") == 1
    assert "PP 94/2021 Pasal 5 huruf n" in forwarding
