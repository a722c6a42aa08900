"""Who hears about a case: the next party after each step, and the supervisors when it is late."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
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
        .valid_on(day)
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
    """Tell the next party that the case moved (after the transition committed): one
    notification per user and event, in each recipient's language. The title says what
    happened; the body adds who did it, what the recipient may do now and by when."""
    case = Case.objects.select_related("office").get(pk=case_id)
    event = CaseEvent.objects.select_related("actor").get(case_id=case_id, seq=seq)
    users = next_party(case) - {event.actor_id}
    if not users:
        return 0

    def render() -> tuple[str, str]:
        return event_message(case, event)

    return notify(users=users, key=f"case:{case_id}:{seq}", url=case_url(case), render=render)


def event_message(case: Case, event: CaseEvent) -> tuple[str, str]:
    """The subject and body of a case event's notification, in the active language."""
    from netral.regions.queries import zone_abbreviation, zone_of

    transition = workflow.TRANSITIONS.get(event.transition)
    values = {"number": case.number, "state": State(event.to_state).label}
    if transition is None or transition.target is not None:
        subject = _("Case %(number)s: %(state)s") % values
    else:
        subject = _("Case %(number)s: %(step)s") % {**values, "step": transition.label}
    zone = zone_of(case.office.region_id)
    at = timezone.localtime(event.at, zone)
    who = event.actor.get_full_name() or event.actor.username if event.actor else "Netral"
    lines = [
        _("%(who)s (%(office)s), %(at)s %(zone)s.")
        % {
            "who": who,
            "office": case.office.name,
            "at": at.strftime("%Y-%m-%d %H:%M"),
            "zone": zone_abbreviation(zone),
        }
    ]
    if event.reason:
        lines.append(_("Reason: %(reason)s") % {"reason": event.reason[:300]})
    steps = [str(t.label) for t in workflow.transitions_from(case.state) if t.target is not None]
    if steps:
        lines.append(_("Next: %(steps)s.") % {"steps": "; ".join(steps)})
    if case.due_date:
        lines.append(_("Due on %(date)s.") % {"date": case.due_date.isoformat()})
    return subject, "\n".join(lines)
