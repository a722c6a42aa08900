"""A case from Kutai Kartanegara in any state, without going through the forms."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from django.utils import timezone

from netral.accounts.queries import scope_for
from netral.cases import workflow
from netral.cases.models import Accused, Case, CaseEvent
from netral.cases.services import start_deadline
from netral.regions.queries import zone_of
from netral.registry.models import Agency, CivilServant, Office
from netral.rules.models import Election, ViolationType


def make_case(
    *,
    registered_on: date = date(2024, 10, 14),
    state: str = Case.State.REGISTERED,
    office: str = "BAWASLU-64.02",
    region: str = "64.02",
    agency: str | None = "KAB-64.02",
    election: str = "pilkada-2024",
    act_date: date = date(2024, 10, 10),
    number: str | None = None,
) -> Case:
    agency_row = Agency.objects.get(code=agency) if agency else None
    servant = CivilServant.objects.filter(agency=agency_row).order_by("pk").first()
    parts = region.split(".")
    office_row = Office.objects.get(code=office)
    case = Case.objects.create(
        number=number or f"T/{Case.objects.count() + 1:05d}",
        state=state,
        holder=workflow.STATES[state].holder,
        office=office_row,
        zone=zone_of(office_row.region_id).key,
        region_id=region,
        province_code=parts[0],
        regency_code=".".join(parts[:2]) if len(parts) > 1 else "",
        election=Election.objects.get(slug=election),
        agency=agency_row,
        accused_name=servant.name if servant else "Budi Santoso",
        act_date=act_date,
        registered_at=timezone.make_aware(datetime.combine(registered_on, time(9))),
        state_event=1,
    )
    if state == Case.State.REGISTERED:
        case.due_date, case.deadline_rule = start_deadline(case, "bawaslu_follow_up", registered_on)
        case.save()
    Accused.objects.create(
        case=case,
        civil_servant=servant,
        name=case.accused_name,
        nip=servant.nip if servant else "",
    )
    case.violation_types.add(ViolationType.objects.get(code="online-campaign"))
    CaseEvent.objects.create(
        case=case,
        seq=1,
        transition="register",
        to_state=state,
        at=timezone.now(),
        effective_on=registered_on,
    )
    return case


@pytest.fixture
def case_factory(db: Any) -> Any:
    return make_case


@pytest.fixture
def scopes(personas: dict[str, Any]) -> Any:
    """``scopes("analis.bkn")`` -> (user, scope)."""

    def get(username: str) -> tuple[Any, Any]:
        user = personas[username]
        return user, scope_for(user)

    return get
