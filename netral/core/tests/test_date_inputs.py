"""Every form with a date renders the date ISO in both languages: a browser discards any other
value of ``<input type="date">``, so a form shown again after an error would lose the date."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from django import forms
from django.utils import translation

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 6)


def _forms() -> list[tuple[str, Callable[..., forms.Form]]]:
    from netral.cases import workflow
    from netral.cases.forms import CandidacyForm, TransitionForm
    from netral.cases.models import Case
    from netral.commitments import forms as commitments
    from netral.intake.forms import FindingForm, ReportForm
    from netral.registry.models import Agency

    agencies = Agency.objects.all()
    steps: list[tuple[str, Callable[..., forms.Form]]] = [
        (
            f"step {t.name}",
            lambda t=t, **kw: TransitionForm(t, Case(version=1), **kw),
        )
        for t in workflow.TRANSITIONS.values()
        if any(spec.kind == "date" for spec in t.inputs)
    ]
    assert steps, "the workflow has steps that ask for a date"
    return [
        ("report", ReportForm),
        ("finding", FindingForm),
        ("candidacy", CandidacyForm),
        (
            "ceremony pacts",
            lambda **kw: commitments.CeremonyPactForm(agencies=agencies, heads=[], **kw),
        ),
        ("pledge", lambda **kw: commitments.PledgeCeremonyForm(agencies=agencies, **kw)),
        ("event", lambda **kw: commitments.EventForm(agencies=agencies, **kw)),
        ("circular", commitments.CircularForm),
        *steps,
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_date_input_carries_an_iso_value(language: str) -> None:
    checked = 0
    with translation.override(language):
        for name, build in _forms():
            probe = build()
            dates = [n for n, f in probe.fields.items() if isinstance(f, forms.DateField)]
            assert dates, f"{name} has no date field"
            form = build(initial=dict.fromkeys(dates, DAY))
            for field in dates:
                html = str(form[field])
                assert 'type="date"' in html, (name, field, html)
                assert re.search(r'value="2026-12-06"', html), (language, name, field, html)
                checked += 1
    assert checked >= 10
