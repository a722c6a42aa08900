"""No raw codes in any language: the reporter's history, the officer's report history and the
case timeline show labels ("Diregistrasi", "Registered"), never "received" or "with_ppk", and a
step that leaves the state as it names it does not say "Diregistrasi → Diregistrasi"."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from netral.cases import workflow
from netral.cases.models import State
from netral.cases.tests.test_trust import _registered
from netral.cases.tests.test_workflow import walk_to
from netral.intake.models import Progress, Report

pytestmark = pytest.mark.django_db

CODES = (
    {s.value for s in State}
    | {p.value for p in Progress}
    | {s.value for s in Report.Status}
    | set(workflow.TRANSITIONS)
)
TAG = re.compile(r"<[^>]+>")


def _items(html: str, opening: str) -> list[str]:
    """The visible text of each item of the list that starts at ``opening``."""
    block = html.split(opening, 1)[1].split("</ol>", 1)[0]
    items = [item.split(">", 1)[1] for item in block.split("<li")[1:]]
    return [unescape(TAG.sub("", item)).strip() for item in items]


def _check(items: list[str], language: str, where: str) -> None:
    assert items, where
    for item in items:
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", item), (where, item)
        words = set(re.findall(r"[A-Za-z_]+", item))
        if language == "id":  # no English word that is a code, in any case
            assert not {w.lower() for w in words} & CODES, (where, item)
        else:  # English labels are sentences, never a bare lower-case code
            labels = re.split(r"[:·→]", item)[1:]
            assert not any(label.strip() in CODES for label in labels), (where, item)
        if "→" in item:
            before, after = item.split("→", 1)
            assert before.split("·")[-1].strip() != after.split("·")[0].strip(), (where, item)


def _english(client: Any) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def test_histories_show_labels_never_codes(client, form_data, as_user, scopes) -> None:
    case, code, secret = _registered(client, form_data, as_user)
    case = walk_to(case, scopes, State.EXAMINATION)
    officer = as_user("bawaslu.kukar")
    analyst = as_user("analis.bkn")
    for language in ("id", "en"):
        if language == "en":
            for who in (client, officer, analyst):
                _english(who)
        status = client.post("/lapor/status/", {"receipt_code": code, "secret": secret})
        reporter = _items(status.content.decode(), '<ol id="history">')
        assert len(reporter) >= 4
        _check(reporter, language, "status page")
        report = officer.get(f"/laporan/{code}/").content.decode()
        history = report.split("</h2>\n<ol>", 1)[-1]
        _check(_items("<ol>" + history, "<ol>"), language, "officer report page")
        page = analyst.get(f"/perkara/{case.pk}/").content.decode()
        timeline = _items(page, '<ol id="timeline">')
        _check(timeline, language, "case timeline")
        # Registering leads to the state of the same name: said once, not "X → X".
        registered = "Diregistrasi" if language == "id" else "Registered"
        assert timeline[0].count(registered) == 1, timeline[0]
        assert "→" in "".join(timeline)  # the other steps do name the state they lead to


def test_a_report_not_registered_reads_as_such_in_both_languages(
    client, form_data, as_user
) -> None:
    from netral.cases.tests.test_registration import _identified
    from netral.intake.tests.test_reporting import _receipt

    code, secret = _receipt(client.post("/lapor/", _identified(form_data)).content.decode())
    officer = as_user("bawaslu.kukar")
    officer.post(
        f"/laporan/{code}/registrasi/",
        {"action": "reject", "text": "Bukan pelanggaran netralitas.", "confirmed": "1"},
    )
    assert Report.objects.get(receipt_code=code).status == "rejected"
    for language in ("id", "en"):
        if language == "en":
            _english(client)
        html = client.post("/lapor/status/", {"receipt_code": code, "secret": secret})
        items = _items(html.content.decode(), '<ol id="history">')
        _check(items, language, "status page")
        assert any(
            ("Tidak diregistrasi" if language == "id" else "Not registered") in i for i in items
        )
