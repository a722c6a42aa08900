"""The track classifier: which track, which sanctions, which citations, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from netral.rules.models import (
    Election,
    ElectionStage,
    SanctionOption,
    Track,
    ViolationType,
    in_force,
)


@dataclass
class Classification:
    track: str
    options: list[SanctionOption]
    citations: list[str]
    reasons: list[str]
    unverified: bool
    # Rule rows and the versions this classification was made under: "model:pk" -> version.
    versions: dict[str, int] = field(default_factory=dict)


def _day(value: date) -> str:
    return date_format(value, "j F Y")


def classify(
    *, violation_type: ViolationType, act_date: date, election: Election, role: str = ""
) -> Classification:
    reasons: list[str] = []
    versions = {
        f"rules.violationtype:{violation_type.pk}": violation_type.version,
        f"rules.election:{election.pk}": election.version,
    }
    determination: ElectionStage | None = election.stages.filter(
        kind=ElectionStage.Kind.CANDIDATE_DETERMINATION
    ).first()
    if not violation_type.allows_ethics:
        track = Track.DISCIPLINE
        reasons.append(_("This act is punished on the discipline track only."))
    elif not violation_type.allows_discipline:
        track = Track.ETHICS
        reasons.append(_("This act is judged on the ethics track only."))
    elif determination is None:
        track = Track.DISCIPLINE
        reasons.append(
            _("No candidate determination date is recorded for %(election)s; check the track.")
            % {"election": election}
        )
    else:
        versions[f"rules.electionstage:{determination.pk}"] = determination.version
        values = {
            "act": _day(act_date),
            "election": election,
            "determined": _day(determination.start),
        }
        if act_date < determination.start:
            track = Track.ETHICS
            reasons.append(
                _(
                    "The act (%(act)s) is dated before the candidate determination of "
                    "%(election)s (%(determined)s): there were only prospective candidates, "
                    "so the ethics track applies."
                )
                % values
            )
        else:
            track = Track.DISCIPLINE
            reasons.append(
                _(
                    "The act (%(act)s) is dated on or after the candidate determination of "
                    "%(election)s (%(determined)s), so the discipline track applies."
                )
                % values
            )
        if determination.unverified:
            reasons.append(_("The candidate determination date is unverified."))
    options = list(
        SanctionOption.objects.filter(violation_type=violation_type, track=track)
        .filter(in_force(act_date))
        .select_related("sanction", "sanction__provision__regulation")
        .order_by("position")
    )
    if role:
        for_role = [o for o in options if o.role in ("", role)]
        if for_role:
            options = for_role
            if any(o.role == role for o in options):
                reasons.append(_("The sanctions depend on the role: %(role)s.") % {"role": role})
    conditions = sorted({o.text("condition") for o in options if o.condition_id})
    if len(conditions) > 1:
        reasons.append(
            _("The level depends on the circumstances: %(conditions)s.")
            % {"conditions": "; ".join(conditions)}
        )
    candidates = [violation_type.citation]
    candidates += [str(p) for p in violation_type.provisions.select_related("regulation")]
    candidates += [o.citation for o in options]
    citations: list[str] = []
    for text in candidates:
        if text and text not in citations:
            citations.append(text)
    unverified = violation_type.unverified or any(
        o.unverified or o.sanction.unverified for o in options
    )
    if unverified:
        reasons.append(_("Some of these rules are marked unverified; check them before use."))
    for option in options:
        versions[f"rules.sanctionoption:{option.pk}"] = option.version
    return Classification(track, options, citations, reasons, unverified, versions)
