from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from netral.core.models import AuditEntry
from netral.registry.models import Agency
from netral.registry.queries import ppk_on
from netral.registry.services import appoint_ppk

pytestmark = pytest.mark.django_db


def test_acting_regent_is_the_ppk_during_the_acting_period():
    sukamara = Agency.objects.get(code="KAB-62.08")
    before = ppk_on(sukamara.pk, date(2024, 9, 1))
    during = ppk_on(sukamara.pk, date(2024, 11, 27))
    after = ppk_on(sukamara.pk, date(2025, 3, 1))
    assert before is not None
    assert during is not None
    assert after is not None
    assert before.acting_kind == ""
    assert during.acting_kind == "Pj"
    assert during.title == "Pj Bupati Sukamara"
    assert after.acting_kind == ""


def test_interim_head_takes_precedence_over_the_elected_head_on_the_same_day():
    kukar = Agency.objects.get(code="KAB-64.02")
    during_campaign = ppk_on(kukar.pk, date(2024, 10, 1))
    assert during_campaign is not None
    assert during_campaign.acting_kind == "Pjs"
    after_campaign = ppk_on(kukar.pk, date(2024, 11, 24))
    assert after_campaign is not None
    assert after_campaign.title == "Bupati Kutai Kartanegara"


def test_who_is_the_ppk_is_one_query(django_assert_num_queries):
    kukar = Agency.objects.get(code="KAB-64.02")
    with django_assert_num_queries(1):
        ppk_on(kukar.pk, date(2024, 10, 1))


def test_no_ppk_before_any_appointment():
    assert ppk_on(Agency.objects.get(code="KOTA-64.71").pk, date(2000, 1, 1)) is None


def test_overlapping_appointment_of_the_same_kind_is_refused(personas):
    balikpapan = Agency.objects.get(code="KOTA-64.71")
    with pytest.raises(ValidationError) as excinfo:
        appoint_ppk(
            actor=personas["admin"],
            agency=balikpapan,
            name="Someone Else",
            title="Wali Kota Balikpapan",
            valid_from=date(2024, 1, 1),
        )
    assert "valid_from" in excinfo.value.message_dict


def test_acting_appointment_is_recorded_and_audited(personas):
    balikpapan = Agency.objects.get(code="KOTA-64.71")
    appointment = appoint_ppk(
        actor=personas["admin"],
        agency=balikpapan,
        name="Plt Example",
        title="Plt Wali Kota Balikpapan",
        acting_kind="Plt",
        valid_from=date(2026, 1, 5),
        valid_to=date(2026, 2, 5),
        reason="Wali Kota on leave",
    )
    assert ppk_on(balikpapan.pk, date(2026, 1, 10)) == appointment
    entry = AuditEntry.objects.get(
        object_type="registry.ppkappointment", object_id=str(appointment.pk)
    )
    assert entry.action == "ppk.appoint"
    assert entry.reason == "Wali Kota on leave"
    assert entry.actor == personas["admin"]
