"""Who hears about a case: the next party after each step, and the supervisors when it is late."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from netral.accounts.models import Membership, Role
from netral.cases import workflow
from netral.cases.models import Case, CaseEvent, State
from netral.core.notify import notify
from netral.rules.calendar import region_chain


def _role_codes(capabilities: Iterable[str]) -> list[str]:
    """Roles holding any of ``capabilities`` (administrators' ``*`` excluded: not a party)."""
    wanted = set(capabilities)
    codes = []
    for role in Role.objects.filter(read_only=False):
        held = set(role.capabilities)
        if "*" in held:
            continue
        if held & wanted or any(f"{c.split('.', 1)[0]}.*" in held for c in wanted):
            codes.append(role.code)
    return codes


def party(case: Case, capabilities: Iterable[str], on: date | None = None) -> set[int]:
    """Users whose active membership holds one of ``capabilities`` and covers the case."""
    day = on or timezone.localdate()
    codes = _role_codes(capabilities)
    if not codes:
        return set()
    where = Q(role__scope=Role.Scope.NATIONAL) | Q(
        role__scope=Role.Scope.REGION, region__isnull=True
    )
    chain = region_chain(case.region_id)
    if chain:
        where |= Q(role__scope=Role.Scope.REGION, region_id__in=chain)
    if case.agency_id and case.state in workflow.PPK_VISIBLE_STATES:
        where |= Q(role__scope=Role.Scope.AGENCY, agency_id=case.agency_id)
    memberships = (
        Membership.objects.filter(role_id__in=codes, is_active=True, user__is_active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .filter(where)
    )
    return set(memberships.values_list("user_id", flat=True))


def next_party(case: Case) -> set[int]:
    capabilities = {
        t.capability for t in workflow.transitions_from(case.state) if t.target is not None
    }
    return party(case, capabilities)


def supervisors(case: Case) -> set[int]:
    """Told when the case is overdue: the escalation roles of the state, the responsible office's
    head and the members of the office above it."""
    users = party(case, workflow.STATES[case.state].escalate_to)
    office = case.office
    if office.head_id:
        users.add(office.head_id)
    if office.parent_id:
        users |= set(
            Membership.objects.filter(office_id=office.parent_id, is_active=True).values_list(
                "user_id", flat=True
            )
        )
    return users


def case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def announce(case_id: int, seq: int) -> int:
    """Tell the next party that the case moved (after the transition committed)."""
    case = Case.objects.select_related("office").get(pk=case_id)
    event = CaseEvent.objects.select_related("actor").get(case_id=case_id, seq=seq)
    users = next_party(case) - {event.actor_id}
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Case %(number)s: %(state)s") % {
            "number": case.number,
            "state": State(case.state).label,
        }
        lines = [subject]
        if case.due_date:
            lines.append(_("Due on %(date)s.") % {"date": case.due_date.isoformat()})
        body = "\n".join(lines)
    return notify(
        users=users, key=f"case:{case_id}:{seq}", subject=subject, body=body, url=case_url(case)
    )
