"""The deadline watch: reminders before and on the due date, overdue marks and escalation.

Runs hourly in the worker, zone by zone: a deadline ends with the day in the zone of the office
holding the case (WIB, WITA or WIT), so a case is marked overdue just after that office's
midnight, and its reminders and escalations go out from 08:00 there. Each reminder is stored
once per case and state entry (``Reminder``'s unique key), so running it twice, or in two
workers, sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from netral.cases import workflow
from netral.cases.letters import render_letter_document
from netral.cases.models import Case, Holder, Reminder, State
from netral.cases.notifications import case_url, party, supervisors
from netral.cases.queries import ZONES
from netral.core.notify import notify
from netral.rules.calendar import OutOfRange, calendar_for

# Cases due further away than this many calendar days cannot be two working days away.
LOOKAHEAD_DAYS = 14
# Reminders and escalations go out from this hour of the office's own day.
REMINDER_HOUR = 8


def _claim(case: Case, kind: str) -> bool:
    try:
        with transaction.atomic():
            Reminder.objects.create(case=case, state_event=case.state_event, kind=kind)
    except IntegrityError:
        return False
    return True


def _holders(case: Case) -> set[int]:
    capabilities = {
        t.capability for t in workflow.transitions_from(case.state) if t.target is not None
    }
    return party(case, capabilities)


def _message(case: Case, kind: str) -> tuple[str, str]:
    """The reminder's subject and body, in the active language (each recipient's)."""
    values = {
        "number": case.number,
        "state": State(case.state).label,
        # The deadline ends at 23:59 in the office's zone (WIB, WITA or WIT).
        "date": f"{case.due_date.isoformat()} 23:59 {case.zone_label}" if case.due_date else "",
        "office": case.office.name,
    }
    if kind == Reminder.Kind.DUE_SOON:
        subject = _("Case %(number)s is due on %(date)s") % values
    elif kind == Reminder.Kind.DUE_TODAY:
        subject = _("Case %(number)s is due today") % values
    else:
        subject = _("Case %(number)s is overdue since %(date)s") % values
    body = _("The case is “%(state)s”; the responsible office is %(office)s.") % values
    return subject, body


def _renderer(case: Case, kind: str) -> Callable[[], tuple[str, str]]:
    return lambda: _message(case, kind)


def watch(today: date | None = None, *, now: datetime | None = None) -> dict[str, int]:
    """One pass over the open deadlines; returns how many reminders of each kind were sent.

    ``today`` (tests, a manual run) is one day for every zone, with reminders sent at once;
    otherwise each zone is watched on its own day, sending from 08:00 there."""
    counts = dict.fromkeys(Reminder.Kind.values, 0)
    moment = now or timezone.now()
    for zone in ZONES:
        if today is not None:
            day, send = today, True
        else:
            local = moment.astimezone(ZoneInfo(zone))
            day, send = local.date(), local.hour >= REMINDER_HOUR
        _watch_zone(zone, day, send, counts)
    return counts


def _watch_zone(zone: str, today: date, send: bool, counts: dict[str, int]) -> None:
    open_cases = Case.objects.filter(zone=zone, due_date__isnull=False).exclude(holder=Holder.NONE)
    # Overdue: marked just after the office's midnight, escalated once per state entry.
    Case.objects.filter(
        pk__in=open_cases.filter(due_date__lt=today, overdue_since__isnull=True).values("pk")
    ).update(overdue_since=today)
    if not send:
        return
    overdue = open_cases.filter(due_date__lt=today).select_related("office")
    for case in overdue.iterator(chunk_size=500):
        if _claim(case, Reminder.Kind.ESCALATED):
            users = supervisors(case) | _holders(case)
            key = f"case:{case.pk}:{case.state_event}:escalated"
            notify(users=users, key=key, url=case_url(case), render=_renderer(case, "escalated"))
            counts[Reminder.Kind.ESCALATED] += 1
    upcoming = open_cases.filter(
        due_date__gte=today, due_date__lte=today + timedelta(days=LOOKAHEAD_DAYS)
    ).select_related("office")
    for case in upcoming.iterator(chunk_size=500):
        assert case.due_date is not None
        if case.due_date == today:
            kind = Reminder.Kind.DUE_TODAY
        else:
            try:
                soon = calendar_for(case.region_id).add(today, 2)
            except OutOfRange:
                continue
            if case.due_date > soon:
                continue
            kind = Reminder.Kind.DUE_SOON
        if _claim(case, kind):
            key = f"case:{case.pk}:{case.state_event}:{kind}"
            notify(users=_holders(case), key=key, url=case_url(case), render=_renderer(case, kind))
            counts[kind] += 1


@task()
def watch_deadlines() -> dict[str, int]:
    """The periodic entry point (``NETRAL_PERIODIC_TASKS``)."""
    return watch()


@task()
def render_letter(document_id: int) -> bool:
    """Render a letter whose number the step reserved (see ``netral.cases.letters``)."""
    return render_letter_document(document_id)
