from __future__ import annotations

from datetime import date

import pytest

from netral.core.models import AuditEntry
from netral.rules.classify import classify
from netral.rules.models import Election, RuleVersion, ViolationType
from netral.rules.services import save_rule

pytestmark = pytest.mark.django_db


def _classify(code, day, election="pilkada-2024", role=""):
    return classify(
        violation_type=ViolationType.objects.get(code=code),
        act_date=day,
        election=Election.objects.get(slug=election),
        role=role,
    )


def test_act_before_candidate_determination_goes_to_ethics():
    result = _classify("banner", date(2024, 9, 1))
    assert result.track == "ethics"
    assert [o.sanction.code for o in result.options] == ["moral-closed", "moral-open"]
    assert "before the candidate determination" in " ".join(result.reasons) or (
        "sebelum penetapan" in " ".join(result.reasons)
    )


def test_act_after_candidate_determination_goes_to_discipline():
    result = _classify("online-campaign", date(2024, 10, 1))
    assert result.track == "discipline"
    assert {o.sanction.level for o in result.options} == {"heavy"}
    assert any("SKB" in c for c in result.citations)
    assert any("PP 94/2021 Pasal 5 huruf n" in c for c in result.citations)


def test_discipline_only_acts_ignore_the_date():
    result = _classify("party-member", date(2023, 1, 1), election="pemilu-2024")
    assert result.track == "discipline"
    assert [o.sanction.code for o in result.options] == ["dismissal-not-honourable"]


def test_campaign_team_level_depends_on_the_timing_not_the_role():
    before = _classify("campaign-team", date(2024, 9, 21), role="leader")
    assert before.track == "discipline"
    assert {o.sanction.level for o in before.options} == {"medium"}
    after = _classify("campaign-team", date(2024, 9, 22), role="member")
    assert {o.sanction.level for o in after.options} == {"heavy"}


def test_classification_records_the_rule_versions_used():
    result = _classify("banner", date(2024, 10, 1))
    banner = ViolationType.objects.get(code="banner")
    assert result.versions[f"rules.violationtype:{banner.pk}"] == 1


def test_changing_a_rule_keeps_the_old_version(personas):
    banner = ViolationType.objects.get(code="banner")
    old_name = banner.name_id
    banner.name_id = "Memasang alat peraga kampanye"
    save_rule(obj=banner, actor=personas["admin"], reason="New wording of the 2026 decree")
    banner.refresh_from_db()
    assert banner.version == 2
    versions = RuleVersion.objects.filter(model="rules.violationtype", object_id=str(banner.pk))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].data["name_id"] == old_name
    assert versions[1].data["name_id"] == "Memasang alat peraga kampanye"
    entry = AuditEntry.objects.get(action="rule.change", object_id=str(banner.pk))
    assert entry.reason == "New wording of the 2026 decree"
    assert entry.before["name_id"] == old_name
