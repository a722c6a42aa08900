"""The catalogue corrected against its sources (issue "The law, corrected")."""

from __future__ import annotations

from datetime import date

import pytest

from netral.core.models import AuditEntry
from netral.rules.corrections import MARKER
from netral.rules.loader import load_rules
from netral.rules.models import (
    DeadlineRule,
    ElectionRace,
    ReviewingAgency,
    RuleVersion,
    Sanction,
    SanctionOption,
    ViolationType,
)
from netral.rules.queries import deadline_rule, reviewing_agency_for, reviewing_agency_on

pytestmark = pytest.mark.django_db

REASON = "koreksi berdasarkan sumber"


def _levels(code: str, track: str = "discipline") -> set[str]:
    return set(
        SanctionOption.objects.filter(
            violation_type__code=code, track=track, withdrawn=False
        ).values_list("sanction__level", flat=True)
    )


def test_corrected_rows_of_the_catalogue():
    team = SanctionOption.objects.filter(violation_type__code="campaign-team", withdrawn=False)
    assert {(o.timing, o.sanction.level) for o in team} == {
        ("before", "medium"),
        ("after", "heavy"),
    }
    assert all(o.role == "" and o.confidence == "medium" for o in team)
    assert _levels("support-letter") == {"heavy"}
    party = ViolationType.objects.get(code="party-approach")
    assert (party.allows_ethics, party.allows_discipline) == (False, True)
    assert party.only_without_unpaid_leave
    assert _levels("party-approach") == {"medium"}
    spouse = ViolationType.objects.get(code="spouse-campaign")
    assert (spouse.allows_ethics, spouse.allows_discipline) == (True, False)
    assert spouse.only_without_unpaid_leave
    assert ViolationType.objects.get(code="campaign-participation").open_question_id
    dismissal = Sanction.objects.get(code="dismissal-not-honourable")
    assert "UU 20/2023 Pasal 52 ayat (3) huruf j" in dismissal.citation
    assert "ayat (4)" in dismissal.citation
    member = ViolationType.objects.get(code="party-member")
    cited = {str(p) for p in member.provisions.all()}
    assert "UU 20/2023 Pasal 52 ayat (3) huruf j" in cited
    assert "UU 20/2023 Pasal 52 ayat (4)" in cited
    other = {str(p) for p in ViolationType.objects.get(code="other").provisions.all()}
    assert {"UU 20/2023 Pasal 9 ayat (2)", "UU 20/2023 Pasal 24 ayat (1) huruf d"} <= other


def test_pilkada_follow_up_is_three_days_and_at_most_two_more():
    rule = deadline_rule("bawaslu_follow_up", "pilkada", date(2024, 10, 1))
    assert (rule.amount, rule.extension_amount, rule.unit) == (3, 2, "calendar_days")
    extended = deadline_rule("bawaslu_follow_up_extended", "pilkada", date(2024, 10, 1))
    assert extended.amount == 5
    assert deadline_rule("bawaslu_follow_up_extended", "pemilu", date(2024, 1, 2)).confidence == (
        "firm"
    )


def test_completion_has_one_row_per_election_kind():
    pilkada = deadline_rule("completion", "pilkada", date(2024, 10, 1))
    assert (pilkada.election_kind, pilkada.amount, pilkada.unit) == ("pilkada", 2, "calendar_days")
    assert "Perbawaslu 9/2024" in pilkada.citation
    assert pilkada.confidence == "medium"
    pemilu = deadline_rule("completion", "pemilu", date(2024, 1, 2))
    assert pemilu.election_kind == "pemilu"
    assert pemilu.unverified
    assert "Perbawaslu 7/2022" in pemilu.citation


def test_appeal_routes_of_pp_79_2021():
    objection = deadline_rule("appeal", "pilkada", date(2025, 1, 2))
    assert objection.unverified
    assert "PP 79/2021" in objection.citation
    appeal = deadline_rule("appeal_administrative", "pilkada", date(2025, 1, 2))
    assert (appeal.amount, appeal.unit, appeal.confidence) == (14, "working_days", "medium")
    assert "Pasal 11 ayat (3)" in appeal.citation
    answer = deadline_rule("appeal_administrative_answer", "pemilu", date(2025, 1, 2))
    assert answer.amount == 21
    assert "Pasal 13 ayat (2)" in answer.citation


def test_elections_carry_one_determination_per_race():
    races = {
        (r.election.slug, r.code): r.candidate_determination
        for r in ElectionRace.objects.select_related("election")
    }
    assert races[("pemilu-2024", "president")] == date(2023, 11, 13)
    for code in ("dpr", "dpd", "dprd"):
        assert races[("pemilu-2024", code)] == date(2023, 11, 3)
    assert races[("pilkada-2024", "governor")] == date(2024, 9, 22)
    assert all("PKPU 19/2023" in r.citation for r in ElectionRace.objects.filter(code="dpr"))


def test_reviewing_agency_after_the_switch_depends_on_whether_kasn_had_acted():
    assert reviewing_agency_on(date(2024, 9, 3)).code == "kasn"
    assert reviewing_agency_on(date(2024, 9, 4)).code == "bkn"
    # Forwarded before the switch and still open after it.
    acted = reviewing_agency_for(date(2024, 8, 1), date(2024, 8, 10), on=date(2024, 10, 1))
    assert acted.code == "menpanrb"
    untouched = reviewing_agency_for(date(2024, 8, 1), None, on=date(2024, 10, 1))
    assert untouched.code == "bkn"
    late_action = reviewing_agency_for(date(2024, 8, 1), date(2024, 9, 10), on=date(2024, 10, 1))
    assert late_action.code == "bkn"
    assert reviewing_agency_for(date(2024, 8, 1), None, on=date(2024, 8, 20)).code == "kasn"
    assert reviewing_agency_for(date(2024, 10, 1)).code == "bkn"


def _as_before_the_correction() -> None:
    """Turn the corrected rows back into what a database seeded before the correction held."""
    team = ViolationType.objects.get(code="campaign-team")
    for option in team.sanction_options.select_related("sanction"):
        role = "member" if option.sanction.level == "medium" else "leader"
        SanctionOption.objects.filter(pk=option.pk).update(
            role=role, timing="any", confidence="check", citation=option.sanction.citation
        )
    letter = ViolationType.objects.get(code="support-letter")
    for code in ("medium-tpp-6", "pppk-medium"):
        sanction = Sanction.objects.get(code=code)
        SanctionOption.objects.create(
            violation_type=letter,
            track="discipline",
            sanction=sanction,
            confidence="check",
            citation=sanction.citation,
        )
    ViolationType.objects.filter(code="party-approach").update(
        allows_ethics=True, only_without_unpaid_leave=False
    )
    SanctionOption.objects.create(
        violation_type=ViolationType.objects.get(code="party-approach"),
        track="ethics",
        sanction=Sanction.objects.get(code="moral-closed"),
        confidence="firm",
        citation="PP 42/2004 Pasal 15",
    )
    DeadlineRule.objects.filter(step="bawaslu_follow_up", election_kind="pilkada").update(
        extension_amount=5
    )
    DeadlineRule.objects.filter(step="completion", election_kind="pilkada").delete()
    DeadlineRule.objects.filter(step="completion").update(election_kind="any")
    ReviewingAgency.objects.filter(code="menpanrb").delete()
    ElectionRace.objects.all().delete()
    RuleVersion.objects.filter(model=MARKER).delete()


def test_a_database_seeded_before_gets_new_versions_with_the_reason():
    _as_before_the_correction()
    team_option = SanctionOption.objects.filter(violation_type__code="campaign-team").first()
    # A case used the old version of the option.
    case_versions = {f"rules.sanctionoption:{team_option.pk}": team_option.version}
    load_rules()
    team_option.refresh_from_db()
    assert team_option.version == case_versions[f"rules.sanctionoption:{team_option.pk}"] + 1
    assert team_option.role == ""
    assert team_option.timing in ("before", "after")
    assert "SKB Netralitas ASN 2022" in team_option.citation
    old = RuleVersion.objects.get(
        model="rules.sanctionoption", object_id=str(team_option.pk), version=1
    )
    assert old.data["role"] in ("member", "leader")
    new = RuleVersion.objects.get(
        model="rules.sanctionoption", object_id=str(team_option.pk), version=2
    )
    assert new.reason == REASON
    assert new.correction
    # Options no longer offered are withdrawn, not deleted.
    assert _levels("support-letter") == {"heavy"}
    withdrawn = SanctionOption.objects.filter(violation_type__code="support-letter", withdrawn=True)
    assert withdrawn.count() == 2
    assert not ViolationType.objects.get(code="party-approach").allows_ethics
    assert deadline_rule("bawaslu_follow_up", "pilkada", date(2024, 10, 1)).extension_amount == 2
    completion = DeadlineRule.objects.filter(step="completion")
    assert sorted(completion.values_list("election_kind", flat=True)) == ["pemilu", "pilkada"]
    assert ReviewingAgency.objects.filter(code="menpanrb").exists()
    assert ElectionRace.objects.count() == 6
    assert AuditEntry.objects.filter(action="rule.change", reason=REASON).exists()
    # Applied once: a second run changes nothing, and an administrator's later change stays.
    versions = RuleVersion.objects.count()
    load_rules()
    assert RuleVersion.objects.count() == versions


def test_a_fresh_database_records_the_correction_without_new_versions():
    markers = RuleVersion.objects.filter(model=MARKER)
    assert set(markers.values_list("object_id", flat=True)) == {
        "2026-12-koreksi-sumber",
        "2026-12-nama-dokumen",
    }
    assert (
        not RuleVersion.objects.filter(correction="2026-12-nama-dokumen")
        .exclude(model=MARKER)
        .exists()
    )
    assert not RuleVersion.objects.filter(reason=REASON).exclude(model=MARKER).exists()
