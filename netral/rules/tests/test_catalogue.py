from __future__ import annotations

from datetime import date

import pytest

from netral.rules.loader import load_rules
from netral.rules.models import (
    Confidence,
    DeadlineRule,
    ElectionStage,
    ReviewingAgency,
    Sanction,
    SanctionOption,
    ViolationType,
)
from netral.rules.queries import deadline_rule, reviewing_agency_on

pytestmark = pytest.mark.django_db

CODES = [
    "banner", "online-campaign", "party-approach", "attend-declaration", "social-engagement",
    "partisan-photo", "campaign-participation", "spouse-campaign", "party-member",
    "partisan-activity", "campaign-team", "support-letter", "favouring-decision",
    "state-facilities", "other",
]  # fmt: skip


def test_catalogue_has_exactly_the_codes_of_domain():
    assert list(ViolationType.objects.values_list("code", flat=True)) == CODES


def test_every_rule_row_cites_its_source():
    for model in (ViolationType, Sanction, SanctionOption, DeadlineRule, ElectionStage,
                  ReviewingAgency):  # fmt: skip
        assert not model.objects.filter(citation="").exists(), model
    for violation in ViolationType.objects.prefetch_related("provisions"):
        assert violation.provisions.exists(), violation.code
        assert violation.sanction_options.exists(), violation.code


def test_sanction_levels_of_pp_94_2021():
    pns = Sanction.objects.filter(track="discipline", employment_type="PNS")
    assert set(pns.filter(level="light").values_list("code", flat=True)) == {
        "light-oral", "light-written", "light-dissatisfaction"
    }  # fmt: skip
    assert sorted(pns.filter(level="medium").values_list("duration_months", flat=True)) == [
        6,
        9,
        12,
    ]
    assert pns.filter(level="heavy").count() == 3
    assert Sanction.objects.filter(track="ethics", level="moral").count() == 2


def test_party_membership_means_dismissal_not_with_honour_only():
    party = ViolationType.objects.get(code="party-member")
    assert party.tracks == ["discipline"]
    assert list(party.sanction_options.values_list("sanction__code", flat=True)) == [
        "dismissal-not-honourable"
    ]


def test_unverified_rows_are_marked():
    pppk = SanctionOption.objects.filter(sanction__code__startswith="pppk-")
    assert pppk.exists()
    assert all(o.sanction.confidence == Confidence.CHECK for o in pppk)
    assert DeadlineRule.objects.get(step="appeal").unverified


def test_reviewing_agency_changes_on_4_september_2024():
    assert reviewing_agency_on(date(2024, 9, 3)).code == "kasn"
    assert reviewing_agency_on(date(2024, 9, 4)).code == "bkn"


def test_deadline_table_of_domain():
    report_pemilu = deadline_rule("report", "pemilu", date(2024, 1, 1))
    assert (report_pemilu.amount, report_pemilu.unit) == (7, "working_days")
    report_pilkada = deadline_rule("report", "pilkada", date(2024, 10, 1))
    assert (report_pilkada.amount, report_pilkada.unit) == (7, "calendar_days")
    follow_up = deadline_rule("ppk_follow_up", "pilkada", date(2024, 10, 1))
    assert (follow_up.amount, follow_up.unit, follow_up.election_kind) == (
        14,
        "working_days",
        "any",
    )
    pilkada = deadline_rule("bawaslu_follow_up", "pilkada", date(2024, 10, 1))
    assert (pilkada.amount, pilkada.extension_amount) == (3, 2)


def test_loading_again_creates_nothing():
    assert load_rules().created == 0
