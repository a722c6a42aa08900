"""Resign to run: a civil servant who registers as a candidate must resign first.

A candidacy is flagged when the civil servant is still active after the candidate determination
of the election: not resigned, resigned only after it, or still marked active in the registry.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from netral.cases.models import CandidateRegistration
from netral.core import audit
from netral.core.scope import Jurisdiction, Scope
from netral.registry.models import CivilServant
from netral.rules.models import Election, ElectionStage

# A candidacy lies where the civil servant's agency does.
JURISDICTION = Jurisdiction(region="civil_servant__agency__region", agency="civil_servant__agency")


def determination_date(election: Election) -> date | None:
    stage = election.stages.filter(kind=ElectionStage.Kind.CANDIDATE_DETERMINATION).first()
    return stage.start if stage else None


@transaction.atomic
def record_candidacy(
    *,
    election: Election,
    civil_servant: CivilServant,
    registered_on: date,
    resigned_on: date | None,
    decree: str,
    actor: Any,
) -> CandidateRegistration:
    row, created = CandidateRegistration.objects.select_for_update().get_or_create(
        election=election,
        civil_servant=civil_servant,
        defaults={
            "registered_on": registered_on,
            "resigned_on": resigned_on,
            "resignation_decree": decree,
            "recorded_by": actor,
        },
    )
    before = None
    if not created:
        before = {"resigned_on": row.resigned_on, "decree": row.resignation_decree}
        row.registered_on = registered_on
        row.resigned_on = resigned_on
        row.resignation_decree = decree
        row.save()
    audit.record(
        action="cases.candidacy",
        actor=actor,
        obj=row,
        before=before,
        after={
            "election": election.slug,
            "nip": civil_servant.nip,
            "registered_on": registered_on,
            "resigned_on": resigned_on,
            "decree": decree,
        },
        stream=audit.stream_for("candidacy", region=civil_servant.agency.region_id),
    )
    return row


def candidacies(scope: Scope, election: Election) -> QuerySet[CandidateRegistration]:
    queryset = CandidateRegistration.objects.filter(election=election).select_related(
        "civil_servant__agency"
    )
    return scope.filter(queryset, JURISDICTION)


def still_active(
    queryset: QuerySet[CandidateRegistration], election: Election, on: date
) -> QuerySet[CandidateRegistration]:
    """Candidacies that break the resign-to-run rule on ``on`` (nothing before determination)."""
    determined = determination_date(election)
    if determined is None or on < determined:
        return queryset.none()
    return queryset.filter(
        Q(resigned_on__isnull=True)
        | Q(resigned_on__gt=determined)
        | Q(civil_servant__is_active=True)
    )
