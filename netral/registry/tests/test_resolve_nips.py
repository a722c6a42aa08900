"""One resolution of NIP lists (pacts, pledge attendance, event attendance)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netral.registry.models import CivilServant
from netral.registry.queries import resolve_nips

pytestmark = pytest.mark.django_db


def test_a_nip_list_is_resolved_in_one_query_keeping_rows(personas):
    first, second = CivilServant.objects.order_by("pk")[:2]
    spaced = f"{first.nip[:8]} {first.nip[8:14]}.{first.nip[14:]}"  # as people type it
    entries = [(1, spaced), (2, ""), (3, "  "), (4, "199912312020121999"), (5, second.nip)]
    with CaptureQueriesContext(connection) as captured:
        resolved = resolve_nips(entries)
    assert len(captured.captured_queries) == 1
    assert resolved == [
        (1, first.nip, first),
        (4, "199912312020121999", None),
        (5, second.nip, second),
    ]


def test_the_caller_chooses_the_registry_entries(personas):
    servant = CivilServant.objects.filter(is_active=True).order_by("pk").first()
    [(_row, _nip, found)] = resolve_nips(
        [(7, servant.nip)], CivilServant.objects.filter(is_active=False)
    )
    assert found is None
    [(_row, _nip, found)] = resolve_nips(
        [(7, servant.nip)], CivilServant.objects.select_related("agency")
    )
    assert found == servant
    with CaptureQueriesContext(connection) as captured:
        assert found.agency.code
    assert not captured.captured_queries
