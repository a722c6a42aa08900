"""The case's forms start from what the file already says, and reports and cases link both ways."""

from __future__ import annotations

from typing import Any

import pytest

from netral.cases import workflow
from netral.cases.forms import TransitionForm
from netral.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_cases() -> None:
    from netral.demo.cases import seed_cases

    seed_cases()


def test_the_decision_starts_from_the_recommended_sanction(demo_cases: None) -> None:
    case = Case.objects.filter(recommended_sanction__isnull=False).first()
    assert case is not None
    form = TransitionForm(workflow.TRANSITIONS["decide"], case)
    assert form["sanction"].value() == case.recommended_sanction.code  # type: ignore[union-attr]
    assert f'value="{case.recommended_sanction.code}" selected' in str(form["sanction"])  # type: ignore[union-attr]


def _registered(client: Any, form_data: dict[str, str], as_user: Any) -> tuple[str, Case]:
    from netral.cases.tests.test_registration import ALL, _identified
    from netral.intake.tests.test_reporting import _receipt

    code, _secret = _receipt(client.post("/lapor/", _identified(form_data)).content.decode())
    response = as_user("bawaslu.kukar").post(
        f"/laporan/{code}/registrasi/", {"action": "register", **ALL}
    )
    assert response.status_code == 302
    return code, Case.objects.get(sources__report__receipt_code=code)


def test_forwarding_pre_ticks_the_reports_violation_type(
    client: Any, form_data: dict[str, str], as_user: Any
) -> None:
    _code, case = _registered(client, form_data, as_user)
    form = TransitionForm(workflow.TRANSITIONS["forward"], case)
    assert form["violation_types"].value() == ["online-campaign"]
    assert 'value="online-campaign" checked' in str(form["violation_types"]) or (
        "checked" in str(form["violation_types"])
    )


def test_a_registered_report_links_to_its_case(
    client: Any, form_data: dict[str, str], as_user: Any
) -> None:
    code, case = _registered(client, form_data, as_user)
    officer = as_user("bawaslu.kukar")
    html = officer.get(f"/laporan/{code}/").content.decode()
    assert f'href="/perkara/{case.pk}/"' in html
    assert f"/laporan/{code}/" in officer.get(f"/perkara/{case.pk}/").content.decode()


def test_a_nip_that_finds_another_person_is_shown_and_needs_confirming(
    client: Any, form_data: dict[str, str], as_user: Any
) -> None:
    from netral.cases.tests.test_registration import ALL, _identified
    from netral.intake.tests.test_reporting import _receipt
    from netral.registry.models import CivilServant

    servant = CivilServant.objects.filter(agency__code="KAB-64.02").order_by("pk").first()
    assert servant is not None
    data = _identified(
        form_data,
        accused_nip=servant.nip,
        accused_name="Siti Aminah",
        accused_position="Camat Tenggarong",
    )
    code, _secret = _receipt(client.post("/lapor/", data).content.decode())
    officer = as_user("bawaslu.kukar")
    html = officer.get(f"/laporan/{code}/registrasi/").content.decode()
    assert "Siti Aminah" in html
    assert servant.name in html
    assert 'name="confirm_match"' in html
    # Not confirmed: the case keeps the reported person, without the registry match.
    officer.post(f"/laporan/{code}/registrasi/", {"action": "register", **ALL})
    accused = Case.objects.get(sources__report__receipt_code=code).accused.get()
    assert accused.name == "Siti Aminah"
    assert accused.civil_servant_id is None
