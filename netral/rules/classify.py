"""The track classifier: which track, which sanctions, which citations, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from netral.rules.models import (
    Election,
    ElectionRace,
    ElectionStage,
    SanctionOption,
    Timing,
    Track,
    ViolationType,
)

NOT_A_VIOLATION = "none"


@dataclass
class Classification:
    track: str
    options: list[SanctionOption]
    citations: list[str]
    reasons: list[str]
    unverified: bool
    # Rule rows and the versions this classification was made under: "model:pk" -> version.
    versions: dict[str, int] = field(default_factory=dict)
    # False when the act is not a violation (on unpaid leave where the decree allows it).
    violation: bool = True
    race: ElectionRace | None = None


class RaceNeeded(ValueError):
    """The act lies between two races' candidate determinations and no race was given."""

    def __init__(self, message: str, races: list[ElectionRace]) -> None:
        super().__init__(message)
        self.races = races


def _day(value: date) -> str:
    return date_format(value, "j F Y")


@dataclass
class Determination:
    day: date
    label: str
    unverified: bool
    version_key: str
    version: int


def determination_for(
    election: Election, act_date: date, race: ElectionRace | None = None
) -> Determination | None:
    """The candidate determination that decides the timing of an act.

    With a race: its own. Without one, the election's races decide when the act lies before
    all or on or after all of their determinations; between two, ``RaceNeeded`` is raised.
    An election without races falls back on its candidate-determination stage."""
    if race is not None:
        return Determination(
            race.candidate_determination,
            f"{election} ({race})",
            race.unverified,
            f"rules.electionrace:{race.pk}",
            race.version,
        )
    races = [r for r in election.races.all() if r.in_force_on(act_date)]
    if races:
        days = sorted({r.candidate_determination for r in races})
        first, last = days[0], days[-1]
        if first <= act_date < last:
            raise RaceNeeded(
                _(
                    "The act (%(act)s) lies between the candidate determinations of the races of "
                    "%(election)s (%(first)s to %(last)s): name the race (%(races)s)."
                )
                % {
                    "act": _day(act_date),
                    "election": election,
                    "first": _day(first),
                    "last": _day(last),
                    "races": ", ".join(r.code for r in races),
                },
                races,
            )
        chosen = (
            races[0] if act_date < first else max(races, key=lambda r: r.candidate_determination)
        )
        return Determination(
            first if act_date < first else last,
            str(election),
            any(r.unverified for r in races),
            f"rules.electionrace:{chosen.pk}",
            chosen.version,
        )
    stage: ElectionStage | None = next(
        (s for s in election.stages.all() if s.kind == ElectionStage.Kind.CANDIDATE_DETERMINATION),
        None,
    )
    if stage is None:
        return None
    return Determination(
        stage.start,
        str(election),
        stage.unverified,
        f"rules.electionstage:{stage.pk}",
        stage.version,
    )


def classify(
    *,
    violation_type: ViolationType,
    act_date: date,
    election: Election,
    role: str = "",
    race: ElectionRace | None = None,
    on_unpaid_leave: bool | None = None,
) -> Classification:
    """Classify an act; raises ``RaceNeeded`` when the answer depends on an unnamed race."""
    reasons: list[str] = []
    versions = {
        f"rules.violationtype:{violation_type.pk}": violation_type.version,
        f"rules.election:{election.pk}": election.version,
    }
    if race is not None:
        versions[f"rules.electionrace:{race.pk}"] = race.version
    if on_unpaid_leave and violation_type.only_without_unpaid_leave:
        reasons.append(
            _(
                "Not a violation: the joint decree forbids this act only to a civil servant who "
                "is not on unpaid leave (CLTN), and this civil servant was on unpaid leave."
            )
        )
        return Classification(
            NOT_A_VIOLATION,
            [],
            [violation_type.citation],
            reasons,
            violation_type.unverified,
            versions,
            violation=False,
            race=race,
        )
    every_option = list(
        SanctionOption.objects.filter(violation_type=violation_type, withdrawn=False)
        .valid_on(act_date)
        .select_related("sanction", "sanction__provision__regulation")
        .order_by("position")
    )
    timed = any(o.timing != Timing.ANY for o in every_option)
    both = violation_type.allows_ethics and violation_type.allows_discipline
    determination = determination_for(election, act_date, race) if (both or timed) else None
    after: bool | None = None
    if determination is not None:
        versions[determination.version_key] = determination.version
        after = act_date >= determination.day
    values = {
        "act": _day(act_date),
        "election": determination.label if determination else election,
        "determined": _day(determination.day) if determination else "",
    }
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
    elif not after:
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
    if determination is not None and determination.unverified:
        reasons.append(_("The candidate determination date is unverified."))
    options = [o for o in every_option if o.track == track]
    if timed and after is not None:
        options = [
            o
            for o in options
            if o.timing == Timing.ANY or o.timing == (Timing.AFTER if after else Timing.BEFORE)
        ]
        if not both:
            key = (
                _(
                    "The act (%(act)s) is dated on or after the candidate determination of "
                    "%(election)s (%(determined)s): the level after the determination applies."
                )
                if after
                else _(
                    "The act (%(act)s) is dated before the candidate determination of "
                    "%(election)s (%(determined)s): the level before the determination applies."
                )
            )
            reasons.append(key % values)
    elif timed:
        reasons.append(_("The level depends on the date of the candidate determination; check it."))
    if role:
        for_role = [o for o in options if o.role in ("", role)]
        if for_role:
            options = for_role
            if any(o.role == role for o in options):
                reasons.append(_("The sanctions depend on the role: %(role)s.") % {"role": role})
    conditions = sorted(
        {o.text("condition") for o in options if o.condition_id and o.timing == Timing.ANY}
    )
    if len(conditions) > 1:
        reasons.append(
            _("The level depends on the circumstances: %(conditions)s.")
            % {"conditions": "; ".join(conditions)}
        )
    if violation_type.open_question_id:
        reasons.append(
            _("Unverified: %(question)s") % {"question": violation_type.text("open_question")}
        )
    if violation_type.only_without_unpaid_leave and on_unpaid_leave is None:
        reasons.append(
            _(
                "This act is a violation only when the civil servant was not on unpaid leave "
                "(CLTN): check it."
            )
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
    return Classification(track, options, citations, reasons, unverified, versions, race=race)
