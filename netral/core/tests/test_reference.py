"""Reference data memoised per process follows changes made anywhere."""

from __future__ import annotations

import pytest

from netral.core import reference
from netral.core.models import Revision
from netral.rules.models import ViolationType
from netral.rules.queries import violation_type_by_code, violation_types

pytestmark = pytest.mark.django_db


def test_a_save_in_this_process_is_seen_at_once(django_assert_num_queries):
    before = len(violation_types())
    with django_assert_num_queries(0):
        violation_types()  # memoised (rechecked only every few seconds)
    model = violation_types()[0]
    ViolationType.objects.create(
        code="new-act",
        name_id="Perbuatan baru",
        name_en="New act",
        position=999,
        citation=model.citation,
    )
    assert len(violation_types()) == before + 1
    assert violation_type_by_code("new-act") is not None


def test_another_process_change_is_seen_after_the_recheck_interval(settings):
    """Another process bumps the revision row; this one follows at its next recheck."""
    settings.NETRAL_REFERENCE_RECHECK_SECONDS = 3600
    first = violation_types()
    ViolationType.objects.filter(code=first[0].code).update(name_en="Renamed elsewhere")
    Revision.objects.update_or_create(name=reference.REVISION, defaults={"value": 12345})
    assert violation_types()[0].name_en == first[0].name_en  # within the interval: memo
    settings.NETRAL_REFERENCE_RECHECK_SECONDS = 0
    assert violation_types()[0].name_en == "Renamed elsewhere"


def test_bulk_loaders_bump_the_revision():
    from netral.rules.loader import load_rules

    before = Revision.objects.filter(name=reference.REVISION).values_list("value", flat=True)
    start = before.first() or 0
    load_rules()
    assert (before.first() or 0) != start


def test_a_memo_loaded_in_a_rolled_back_change_is_never_taken_for_current(settings):
    """The rolled-back bump and another process's next bump must not meet on one revision."""
    from django.db import transaction

    settings.NETRAL_REFERENCE_RECHECK_SECONDS = 0
    model = violation_types()[0]

    def rolled_back_change() -> None:
        with transaction.atomic():
            ViolationType.objects.create(
                code="phantom", name_id="Hantu", name_en="Phantom", position=998,
                citation=model.citation,
            )  # fmt: skip
            assert violation_type_by_code("phantom") is not None  # memo loaded inside
            raise RuntimeError

    with pytest.raises(RuntimeError):
        rolled_back_change()
    # Another process commits a change; this one keeps its memo.
    reference.bump_revision(reference.REVISION)
    assert violation_type_by_code("phantom") is None


def test_the_memo_hands_out_immutable_values_only():
    with pytest.raises(TypeError, match="not a list, dict or set"):
        reference.memo("test.mutable", lambda: [1, 2])
    with pytest.raises(TypeError):
        reference.memo("test.nested", lambda: ({"a": 1}, None))
    assert reference.memo("test.frozen", lambda: (("a", 1), frozenset({2}))) == (
        ("a", 1),
        frozenset({2}),
    )
    # What the apps memoise can be read by every thread but changed by none.
    from netral.regions.queries import provinces, zone_of

    zone_of("64")
    with pytest.raises(TypeError):
        provinces()[0] = ("00", "Nowhere")


def test_each_app_declares_the_reference_models_it_memoises():
    labels = {model._meta.label for model in reference.models()}
    assert labels == {
        "regions.Region",
        "registry.Agency",
        "registry.Office",
        "rules.DeadlineRule",
        "rules.Election",
        "rules.ViolationType",
    }


def test_agency_lookups_follow_a_change_of_the_reference_data():
    from netral.intake.services import agency_for_text
    from netral.registry.models import Agency

    agency = Agency.objects.filter(name__icontains="Kutai Kartanegara").order_by("pk").first()
    assert agency is not None
    assert agency_for_text(f"  {agency.name.upper()} ") == agency
    before = reference.generation()
    Agency.objects.filter(pk=agency.pk).update(name="Dinas Yang Lain Sama Sekali")
    reference.changed()  # what a bulk path calls after writing without signals
    assert reference.generation() != before
    assert agency_for_text(agency.name) != agency
