"""Demo cases in every stage, so each role finds work (and an overdue queue) on first sign-in.

They are made through the real services (the letters are real PDFs); dates lie in the past
relative to today, so deadlines and the overdue queue show what they would in practice.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from netral.accounts.models import User
from netral.accounts.queries import scope_for
from netral.cases import workflow
from netral.cases.events import case_changed
from netral.cases.models import Accused, Case, CaseEvent, State
from netral.cases.services import next_case_number, perform, start_deadline
from netral.regions.queries import region_codes, zone_of
from netral.registry.models import CivilServant, Office
from netral.rules.models import Election, Provision, ViolationType

# Where each demo case stops, and the violation it is about.
STOPS = [
    (State.REGISTERED, "partisan-photo"),
    (State.UNDER_STUDY, "online-campaign"),
    (State.FORWARDED, "social-engagement"),
    (State.RECOMMENDATION_ISSUED, "online-campaign"),
    (State.RECEIVED_BY_PPK, "banner"),
    (State.NOT_VIOLATION, "attend-declaration"),
]


def _actor(username: str) -> tuple[User, Any]:
    user = User.objects.get(username=username)
    return user, scope_for(user)


@transaction.atomic
def seed_cases() -> int:
    if Case.objects.filter(registration__demo=True).exists():
        return 0
    election = Election.objects.filter(kind="pilkada").order_by("-voting_day").first()
    office = Office.objects.get(code="BAWASLU-64.02")
    servants = list(CivilServant.objects.filter(agency__code="KAB-64.02").order_by("pk")[:20])
    today = timezone.localdate()
    made = 0
    for index, (stop, violation) in enumerate(STOPS):
        start = today - timedelta(days=40 - index * 3)
        servant = servants[index]
        province, regency = region_codes(office.region_id)
        case = Case(
            number=next_case_number(office, start.year),
            state=State.REGISTERED,
            holder=workflow.STATES[State.REGISTERED].holder,
            office=office,
            zone=zone_of(office.region_id).key,
            region_id=office.region_id,
            province_code=province,
            regency_code=regency,
            election=election,
            agency=servant.agency,
            accused_name=servant.name,
            act_date=start - timedelta(days=2),
            registration={"demo": True},
            registered_by=User.objects.get(username="bawaslu.kukar"),
            registered_at=timezone.make_aware(datetime.combine(start, time(9))),
            state_event=1,
        )
        case.due_date, case.deadline_rule = start_deadline(case, "bawaslu_follow_up", start)
        case.save()
        case_changed(case)
        Accused.objects.create(case=case, civil_servant=servant, name=servant.name, nip=servant.nip)
        case.violation_types.add(ViolationType.objects.get(code=violation))
        CaseEvent.objects.create(
            case=case,
            seq=1,
            transition="register",
            to_state=State.REGISTERED,
            actor=case.registered_by,
            at=timezone.now(),
            effective_on=start,
            due_date=case.due_date,
        )
        _walk(case, stop, start, violation)
        made += 1
    return made


def _walk(case: Case, stop: str, start: Any, violation: str) -> None:
    citations = list(
        Provision.objects.filter(violation_types__code=violation).values_list("pk", flat=True)
    )
    road: list[tuple[str, str, int, dict[str, Any]]] = [
        ("start_study", "bawaslu.kukar", 1, {}),
        (
            "forward",
            "bawaslu.kukar",
            3,
            {"violation_types": [violation], "summary": "Hasil kajian: unggahan terbukti."},
        ),
        ("start_verification", "analis.bkn", 4, {}),
        (
            "recommend",
            "analis.bkn",
            6,
            {
                "track": "discipline",
                "sanction": "heavy-demotion",
                "citations": citations,
                "override_reason": "Contoh data demo.",
            },
        ),
        ("receive", "bkpsdm.kukar", 7, {"received_on": (start + timedelta(days=7)).isoformat()}),
    ]
    if stop == State.NOT_VIOLATION:
        road[3] = ("not_proven", "analis.bkn", 5, {"reason": "Bukti tidak cukup."})
    for name, username, offset, inputs in road:
        case.refresh_from_db()
        if case.state == stop or case.state not in workflow.TRANSITIONS[name].sources:
            break
        user, scope = _actor(username)
        perform(
            case_id=case.pk,
            name=name,
            actor=user,
            scope=scope,
            version=case.version,
            inputs=inputs,
            day=start + timedelta(days=offset),
        )
