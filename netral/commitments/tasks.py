"""Weekly reminders to agencies lagging in pacts or socialisation for an election under way."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from netral.accounts.models import Membership, Role
from netral.commitments.queries import coverage
from netral.core.notify import notify
from netral.rules.models import Election


def remind(today: date | None = None) -> int:
    """Tell each lagging agency's personnel officers what is missing; once per agency and week."""
    day = today or timezone.localdate()
    year, week, _weekday = day.isocalendar()
    roles = [r.code for r in Role.objects.all() if "commitments.manage" in set(r.capabilities)]
    sent = 0
    elections = Election.objects.filter(
        voting_day__gte=day, voting_day__lte=day + timedelta(days=365)
    )
    for election in elections:
        for row in coverage(election).agencies:
            if row.heads_signed >= row.heads and row.reached:
                continue
            users = Membership.objects.filter(
                role_id__in=roles, agency_id=row.agency_id, is_active=True
            ).values_list("user_id", flat=True)
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("%(agency)s: commitments missing for %(election)s") % {
                    "agency": row.name,
                    "election": election,
                }
                body = _(
                    "%(missing)d heads of unit have not signed the integrity pact; "
                    "socialisation reached the agency: %(reached)s."
                ) % {
                    "missing": row.heads - row.heads_signed,
                    "reached": _("yes") if row.reached else _("no"),
                }
            sent += notify(
                users=list(users),
                key=f"commitments:{election.pk}:{row.agency_id}:{year}-{week}",
                subject=subject,
                body=body,
                url=f"/komitmen/tanpa-pakta/?election={election.slug}&agency={row.agency_id}",
            )
    return sent


@task()
def remind_lagging_agencies() -> int:
    return remind()


@task()
def refresh_all_tallies() -> int:
    """Nightly safety net for the coverage tallies of every election with records."""
    from netral.commitments.models import CoverageTally, Pact, PledgeAttendance
    from netral.commitments.tallies import refresh_tallies

    elections = set(Pact.objects.values_list("election_id", flat=True).distinct())
    elections |= set(PledgeAttendance.objects.values_list("election_id", flat=True).distinct())
    elections |= set(CoverageTally.objects.values_list("election_id", flat=True).distinct())
    return sum(refresh_tallies(election_id) for election_id in elections)


@task()
def render_pact_pdf(pact_id: int) -> bool:
    """Render a signed pact's PDF after the signature committed."""
    from netral.commitments.services import store_pact_pdf

    return store_pact_pdf(pact_id)
