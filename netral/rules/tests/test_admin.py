from __future__ import annotations

import pytest

from netral.rules.models import RuleVersion, ViolationType

pytestmark = pytest.mark.django_db


def test_admin_change_needs_a_reason_and_creates_a_version(as_user):
    client = as_user("admin")
    banner = ViolationType.objects.get(code="banner")
    url = f"/admin/rules/violationtype/{banner.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    data = {
        field: getattr(banner, field)
        for field in (
            "code", "position", "name_id", "name_en", "description_id", "description_en",
            "examples_id", "examples_en", "citation", "confidence",
        )
    }  # fmt: skip
    data.update({"allows_ethics": "on", "allows_discipline": "on", "name_id": "Spanduk calon"})
    data["provisions"] = [p.pk for p in banner.provisions.all()]
    data.update({"sanction_options-TOTAL_FORMS": "0", "sanction_options-INITIAL_FORMS": "0"})
    refused = client.post(url, data)
    assert refused.status_code == 200  # no reason given: the form is shown again
    banner.refresh_from_db()
    assert banner.version == 1
    data["change_reason"] = "SKB 2026 wording"
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    banner.refresh_from_db()
    assert (banner.version, banner.name_id) == (2, "Spanduk calon")
    assert (
        RuleVersion.objects.filter(model="rules.violationtype", object_id=str(banner.pk)).count()
        == 2
    )
    assert client.post(f"/admin/rules/violationtype/{banner.pk}/delete/").status_code == 403
