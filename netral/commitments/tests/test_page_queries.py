"""Every query the commitments pages run is counted (STYLE): an agency's pacts and a ceremony,
with an exact count that does not grow with their rows (no query per pact or attendee)."""

from __future__ import annotations

from datetime import date

import pytest

from netral.commitments import services
from netral.registry.models import Agency, CivilServant
from netral.rules.models import Election

pytestmark = pytest.mark.django_db

PACTS_PAGE_QUERIES = 10
CEREMONY_PAGE_QUERIES = 9


def _servants(agency, start: int, n: int) -> list[CivilServant]:
    return list(CivilServant.objects.filter(agency=agency).order_by("pk")[start : start + n])


def _counts(client, url, grow, django_assert_num_queries, expected: int) -> None:
    assert client.get(url).status_code == 200  # the session and the reference memo warmed
    for step in (0, 1):
        grow(step)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200


def test_the_pacts_of_an_agency_cost_the_same_queries_for_any_number(
    personas, as_user, django_assert_num_queries
):
    kukar = Agency.objects.get(code="KAB-64.02")
    pilkada = Election.objects.get(slug="pilkada-2024")

    def grow(step: int) -> None:
        servants = _servants(kukar, 12 * step, 12)
        assert len(servants) == 12
        result = services.record_ceremony(
            election=pilkada,
            agency=kukar,
            nips=[s.nip for s in servants],
            signed_on=date(2024, 9, 30),
            actor=personas["bkpsdm.kukar"],
        )
        assert not result.problems

    _counts(
        as_user("bkpsdm.kukar"),
        "/komitmen/pakta/instansi/KAB-64.02/?election=pilkada-2024",
        grow,
        django_assert_num_queries,
        PACTS_PAGE_QUERIES,
    )


def test_a_ceremony_page_costs_the_same_queries_for_any_attendance(
    personas, as_user, django_assert_num_queries
):
    kukar = Agency.objects.get(code="KAB-64.02")
    ceremony = services.open_ceremony(
        election=Election.objects.get(slug="pilkada-2024"),
        agency=kukar,
        held_on=date(2024, 10, 1),
        place="Halaman Kantor Bupati",
        led_by="Sekda",
        actor=personas["bkpsdm.kukar"],
    )

    def grow(step: int) -> None:
        servants = _servants(kukar, 12 * step, 12)
        result = services.record_attendance(
            ceremony=ceremony,
            nips=[(i, s.nip) for i, s in enumerate(servants, start=1)],
            method="list",
            actor=personas["bkpsdm.kukar"],
        )
        assert result.added == 12

    _counts(
        as_user("bkpsdm.kukar"),
        f"/komitmen/ikrar/{ceremony.pk}/",
        grow,
        django_assert_num_queries,
        CEREMONY_PAGE_QUERIES,
    )
