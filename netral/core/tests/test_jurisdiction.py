"""One jurisdiction model: a scope filters any model by what the model declares, and one
queryset method answers which rows were valid on a day."""

from __future__ import annotations

from datetime import date

import pytest

from netral.accounts.models import Membership
from netral.commitments.models import Circular, Pact
from netral.core.scope import Jurisdiction, Scope, jurisdiction_of
from netral.core.validity import valid_on_condition
from netral.registry.models import Agency, CivilServant, PPKAppointment
from netral.rules.models import ReviewingAgency

pytestmark = pytest.mark.django_db


def test_a_scope_filters_any_model_by_its_declared_jurisdiction():
    kukar = Agency.objects.get(code="KAB-64.02")
    province = Scope(region_codes=frozenset({"64"}))
    regency = Scope(region_codes=frozenset({"64.02"}))
    staff = Scope(agency_ids=frozenset({kukar.pk}))
    for scope in (province, regency, staff):
        agencies = scope.filter(Agency.objects.all())
        assert kukar in agencies
        assert all(scope.covers(region=a.region_id, agency_id=a.pk) for a in agencies)
        servants = scope.filter(CivilServant.objects.all())
        assert (
            servants.filter(agency=kukar).count()
            == CivilServant.objects.filter(agency=kukar).count()
        )
    # Another province's agency lies outside, in every form of the same rule.
    other = Agency.objects.exclude(region=None).exclude(region__code__startswith="64").first()
    assert other is not None
    assert other not in province.filter(Agency.objects.all())
    assert not province.covers(region=other.region_id, agency_id=other.pk)
    # An agency is seen by its region and as itself (the rule its lists always used).
    assert jurisdiction_of(Agency) == Jurisdiction(region="region", agency="id")
    assert Scope(national=True).filter(Agency.objects.all()).count() == Agency.objects.count()
    assert Scope().filter(Agency.objects.all()).count() == 0  # nothing granted, nothing seen
    assert jurisdiction_of(Pact) == Jurisdiction(region="agency__region", agency="agency")
    assert jurisdiction_of(Circular).agency is None
    with pytest.raises(TypeError):
        jurisdiction_of(Membership)


def test_stored_codes_are_used_for_provinces_and_regencies():
    cases_like = Jurisdiction(region="region", province="province_code", regency="regency_code")
    assert str(cases_like.in_region("64")) == str(
        Jurisdiction(region="x", province="province_code").in_region("64")
    )
    assert "regency_code" in str(cases_like.in_region("64.02"))
    below = str(cases_like.in_region("64.02.01"))
    assert "region__code__startswith" in below or "region_id__lt" in below


def test_a_region_covers_itself_and_the_regions_under_it_only():
    """'64.02' covers 64.02 and 64.02.x, never 64.020 or 64.1 (the range and the prefix agree)."""
    from netral.regions.models import Region

    codes = set(
        Region.objects.filter(Jurisdiction(region="parent").in_region("64.02")).values_list(
            "parent_id", flat=True
        )
    )
    assert codes
    assert all(c == "64.02" or c.startswith("64.02.") for c in codes)
    agencies = Agency.objects.filter(Agency.jurisdiction.in_region("64"))
    assert agencies.exists()
    assert all(a.region_id == "64" or a.region_id.startswith("64.") for a in agencies)
    assert set(agencies) == {
        a for a in Agency.objects.exclude(region=None) if a.region_id.split(".")[0] == "64"
    }


def test_valid_on_is_one_rule_for_every_model_with_a_validity_period():
    kukar = Agency.objects.get(code="KAB-64.02")
    PPKAppointment.objects.filter(agency=kukar).delete()
    head = PPKAppointment.objects.create(
        agency=kukar, name="Bupati", title="Bupati", valid_from=date(2021, 2, 26)
    )
    acting = PPKAppointment.objects.create(
        agency=kukar,
        name="Plt",
        title="Plt Bupati",
        valid_from=date(2024, 9, 25),
        valid_to=date(2024, 11, 23),
        acting_kind="Plt",
    )
    on = PPKAppointment.objects.filter(agency=kukar)
    assert list(on.valid_on(date(2024, 9, 24))) == [head]
    assert set(on.valid_on(date(2024, 9, 25))) == {head, acting}  # both days included
    assert set(on.valid_on(date(2024, 11, 23))) == {head, acting}
    assert list(on.valid_on(date(2024, 11, 24))) == [head]
    assert list(on.valid_on(date(2021, 2, 25))) == []
    # A required start is not tested for emptiness; an optional one is.
    assert "valid_from__isnull" not in str(valid_on_condition(PPKAppointment, date(2024, 1, 1)))
    assert "valid_from__isnull" in str(valid_on_condition(Membership, date(2024, 1, 1)))
    # The reviewing agency switches from KASN to BKN on 4 September 2024.
    before = ReviewingAgency.objects.valid_on(date(2024, 9, 3)).values_list("code", flat=True)
    after = ReviewingAgency.objects.valid_on(date(2024, 9, 4)).values_list("code", flat=True)
    assert set(before) != set(after)
