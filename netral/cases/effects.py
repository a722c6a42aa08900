"""Reading a transition's inputs, and the effects a transition declares in the workflow table.

``clean_inputs`` turns raw values (a form or a JSON body) into typed values and per-field errors.
Each effect is a function ``(case, values, day, errors)`` that writes what its step changes onto
the locked case (never saved here) and adds per-field errors when the step may not be taken;
``netral.cases.workflow.TRANSITIONS`` names the effect of every step.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from netral.cases.choices import ADMINISTRATIVE_APPEAL, APPEAL_FILING, OBJECTION, TRACKS
from netral.cases.models import Case
from netral.core.inputs import is_id
from netral.regions.queries import region_codes, zone_of
from netral.registry.nip import digits_of
from netral.registry.queries import ppk_on
from netral.rules.classify import RaceNeeded, classify
from netral.rules.models import ElectionRace, Provision, Sanction, ViolationType
from netral.rules.queries import deadline_rule, due_date, reviewing_agency_on

if TYPE_CHECKING:
    from netral.cases.workflow import Transition

MAX_TEXT = 5000


def _as_list(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, list | tuple):
        return [str(v).strip() for v in raw if str(v).strip()]
    text = str(raw).replace(",", "\n")
    return [part.strip() for part in text.splitlines() if part.strip()]


def _date(raw: Any) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return parse_date(str(raw).strip())
    except ValueError:
        return None


def clean_inputs(
    transition: Transition, case: Case, raw: dict[str, Any], day: date
) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in transition.inputs:
        value = raw.get(spec.name)
        empty = value is None or value == "" or value == [] or value == ()
        if empty:
            if spec.required:
                errors[spec.name] = _("“%(field)s” is required.") % {"field": spec.label}
            else:
                values[spec.name] = None if spec.kind not in ("text",) else ""
            continue
        if spec.kind == "text":
            text = str(value).strip()
            if not text and spec.required:
                errors[spec.name] = _("“%(field)s” is required.") % {"field": spec.label}
            elif len(text) > MAX_TEXT:
                errors[spec.name] = _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}
            values[spec.name] = text
        elif spec.kind == "date":
            parsed = _date(value)
            if parsed is None:
                errors[spec.name] = _("Write the date as YYYY-MM-DD.")
            elif parsed > day:
                errors[spec.name] = _("The date cannot lie in the future.")
            values[spec.name] = parsed
        elif spec.kind == "dates":
            parsed_dates = [_date(v) for v in _as_list(value)]
            if any(d is None for d in parsed_dates):
                errors[spec.name] = _("Write each date as YYYY-MM-DD, one per line.")
            elif parsed_dates != sorted(parsed_dates):  # type: ignore[type-var]
                errors[spec.name] = _("List the dates oldest first.")
            values[spec.name] = parsed_dates
        elif spec.kind == "choice":
            if str(value) not in {code for code, _label in spec.choices}:
                errors[spec.name] = _("Choose one of the options.")
            values[spec.name] = str(value)
        elif spec.kind == "sanction":
            sanction = Sanction.objects.filter(code=str(value)).valid_on(day).first()
            if sanction is None:
                errors[spec.name] = _("No sanction with this code is in force.")
            values[spec.name] = sanction
        elif spec.kind == "provisions":
            ids = _as_list(value)
            if not all(is_id(i) for i in ids):
                errors[spec.name] = _("Choose provisions from the list.")
                continue
            provisions = list(Provision.objects.filter(pk__in=[int(i) for i in ids]))
            if len(provisions) != len(set(ids)):
                errors[spec.name] = _("Some of these provisions do not exist.")
            values[spec.name] = provisions
        elif spec.kind == "race":
            race = (
                next(
                    (r for r in case.election.races.all() if r.code == str(value)),
                    None,
                )
                if case.election is not None
                else None
            )
            if race is None:
                errors[spec.name] = _("Choose one of the election's races.")
            values[spec.name] = race
        elif spec.kind == "office":
            from netral.registry.models import Office

            office = Office.objects.filter(code=str(value), kind=Office.Kind.BAWASLU).first()
            if office is None:
                errors[spec.name] = _("Choose a Bawaslu office from the list.")
            elif office.pk == case.office_id:
                errors[spec.name] = _("The case is already with this office.")
            values[spec.name] = office
        elif spec.kind == "violation_types":
            codes = _as_list(value)
            types = list(ViolationType.objects.filter(code__in=codes).valid_on(day))
            unknown = sorted(set(codes) - {t.code for t in types})
            if unknown:
                errors[spec.name] = _("Unknown violation types: %(codes)s.") % {
                    "codes": ", ".join(unknown)
                }
            values[spec.name] = types
    return values, errors


def plain(values: dict[str, Any]) -> dict[str, Any]:
    """The inputs as JSON for the timeline: rule rows by code (or pk), dates as ISO."""

    def one(value: Any) -> Any:
        if isinstance(value, ViolationType | Sanction | ElectionRace):
            return value.code
        if isinstance(value, Model):
            return value.pk
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list):
            return [one(v) for v in value]
        return value

    return {key: one(value) for key, value in values.items()}


def identify(case: Case, values: dict[str, Any], errors: dict[str, str]) -> None:
    """Match the reported person (or add one) with a registry entry; the case takes its agency."""
    from netral.cases.models import Accused
    from netral.registry.models import CivilServant

    nip = digits_of(values["nip"])
    servant = CivilServant.objects.select_related("agency", "position").filter(nip=nip).first()
    if servant is None:
        errors["nip"] = _("No civil servant with this NIP is in the registry.")
        return
    matched = case.accused.filter(civil_servant__isnull=False)
    if matched.filter(civil_servant=servant).exists():
        errors["nip"] = _("This civil servant is already in the case.")
        return
    if case.agency_id and servant.agency_id != case.agency_id and matched.exists():
        errors["nip"] = _(
            "All civil servants of a case answer to one PPK: open a separate case for another "
            "agency."
        )
        return
    accused = case.accused.filter(civil_servant__isnull=True).order_by("id").first()
    if accused is None:
        accused = Accused(case=case)
    accused.civil_servant = servant
    accused.name = servant.name
    accused.nip = servant.nip
    accused.position = servant.position.name if servant.position else accused.position
    accused.save()
    case.agency = servant.agency
    names = list(case.accused.order_by("id").values_list("name", flat=True))
    extra = len(names) - 1
    case.accused_name = names[0] if not extra else f"{names[0]} (+{extra})"
    values["matched"] = servant.nip


def transfer(case: Case, office: Any) -> None:
    """The case, and the reports it came from, go to another Bawaslu office; its number, due
    date and the reporters' receipts stay as they are."""
    from netral.intake.services import follow_case_office

    case.office = office
    # Its deadlines now end in the new office's day (WIB, WITA or WIT).
    case.zone = zone_of(office.region_id).key
    case.region_id = office.region_id
    case.province_code, case.regency_code = region_codes(office.region_id)
    follow_case_office(
        report_ids=list(case.sources.values_list("report_id", flat=True)), office=office
    )


def issuing_office_exists(case: Case) -> bool:
    from netral.registry.models import Office

    assert case.reviewing_agency is not None
    return Office.objects.filter(
        kind=Office.Kind.REVIEWING, code__iexact=case.reviewing_agency.code
    ).exists()


def suggestion(case: Case, day: date) -> tuple[str, set[int], list[str], dict[str, int]]:
    """What the classifier suggests for the case's acts: track, sanction ids, reasons, versions.

    Raises ``RaceNeeded`` when the act lies between two races' determinations and the case
    has no race."""
    act_date = case.act_date or case.forwarded_on or day
    tracks: list[str] = []
    options: dict[str, set[int]] = {"ethics": set(), "discipline": set()}
    reasons: list[str] = []
    versions: dict[str, int] = {}
    if case.election is None:
        return "", set(), reasons, versions
    for violation_type in case.violation_types.all():
        result = classify(
            violation_type=violation_type,
            act_date=act_date,
            election=case.election,
            race=case.race,
        )
        tracks.append(result.track)
        reasons.extend(result.reasons)
        versions.update(result.versions)
        for track in ("ethics", "discipline"):
            if track == result.track:
                options[track].update(o.sanction_id for o in result.options)
    track = "discipline" if "discipline" in tracks else ("ethics" if tracks else "")
    return track, options.get(track, set()), reasons, versions


def _take_race(case: Case, values: dict[str, Any], day: date, errors: dict[str, str]) -> None:
    """Record the race given; without one, ask for it when the track depends on it."""
    race = values.get("race")
    if race is not None:
        case.race = race
        case.rule_versions[f"rules.electionrace:{race.pk}"] = race.version
        return
    try:
        suggestion(case, day)
    except RaceNeeded as exc:
        errors["race"] = str(exc)


def _is_dismissal(sanction: Sanction | None) -> bool:
    return sanction is not None and (
        sanction.level == Sanction.Level.DISMISSAL or sanction.code.endswith("dismissal")
    )


def _route_problem(route: str, sanction: Sanction | None) -> str | None:
    """An objection answers sanctions other than dismissal; an administrative appeal answers a
    dismissal (PNS) or a contract termination (PPPK, whose heavy sanction may be one)."""
    if route == OBJECTION and _is_dismissal(sanction):
        return _("A dismissal is appealed to BPASN (banding administratif), not by objection.")
    if (
        route == ADMINISTRATIVE_APPEAL
        and sanction is not None
        and not _is_dismissal(sanction)
        and not (sanction.employment_type == "PPPK" and sanction.level == Sanction.Level.HEAVY)
    ):
        return _(
            "An administrative appeal to BPASN is only against a dismissal or a PPPK contract "
            "termination; use an objection (keberatan)."
        )
    return None


def suggestion_detail(case: Case, day: date) -> dict[str, Any]:
    """The classifier's suggestion as the recommend step shows and pre-selects it: the track,
    the sanction options (codes and labels, in the law's order), the reasons, the citations
    and the provisions behind them."""
    track, allowed, reasons, _versions = suggestion(case, day)
    sanctions = list(
        Sanction.objects.filter(pk__in=allowed)
        .select_related("provision__regulation")
        .order_by("track", "position")
    )
    provisions: list[Provision] = []
    for violation_type in case.violation_types.prefetch_related("provisions__regulation"):
        provisions.extend(violation_type.provisions.all())
    provisions.extend(s.provision for s in sanctions if s.provision is not None)
    citations: list[str] = []
    for violation_type in case.violation_types.all():
        if violation_type.citation and violation_type.citation not in citations:
            citations.append(violation_type.citation)
    for provision in provisions:
        if str(provision) not in citations:
            citations.append(str(provision))
    return {
        "track": track,
        "track_label": dict(TRACKS).get(track, ""),
        "sanctions": [
            {"code": s.code, "label": f"{s.get_level_display()} · {s.text('name')}"}
            for s in sanctions
        ],
        "reasons": reasons,
        "citations": citations,
        "provision_ids": sorted({p.pk for p in provisions}),
    }


def nothing(case: Case, values: dict[str, Any], day: date, errors: dict[str, str]) -> None:
    """The step changes nothing on the case beyond its state: its event records the inputs."""


def match_accused(case: Case, values: dict[str, Any], day: date, errors: dict[str, str]) -> None:
    """The NIP given matches a registry entry (see ``identify``)."""
    identify(case, values, errors)


def pass_to_office(case: Case, values: dict[str, Any], day: date, errors: dict[str, str]) -> None:
    """The case goes to the Bawaslu office given (see ``transfer``)."""
    transfer(case, values["office"])


def forward(case: Case, values: dict[str, Any], day: date, errors: dict[str, str]) -> None:
    """The reviewing agency in force takes the case with the violation types found (and the
    race, when the track depends on it)."""
    agency = reviewing_agency_on(day)
    if agency is None:
        errors["reviewing_agency"] = _("No reviewing agency is in force on this date.")
        return
    case.reviewing_agency = agency
    case.rule_versions[f"rules.reviewingagency:{agency.pk}"] = agency.version
    case.forwarded_on = day
    case.violation_types.set(values["violation_types"])
    for violation_type in values["violation_types"]:
        case.rule_versions[f"rules.violationtype:{violation_type.pk}"] = violation_type.version
    _take_race(case, values, day, errors)


def recommend(case: Case, values: dict[str, Any], day: date, errors: dict[str, str]) -> None:
    """The recommended sanction, checked against the classifier (departing needs a reason), to
    the PPK in office on that day; the letter's signing office must exist."""
    sanction: Sanction = values["sanction"]
    if sanction.track != values["track"]:
        errors["sanction"] = _("This sanction belongs to the other track.")
        return
    _take_race(case, values, day, errors)
    if errors:
        return
    track, allowed, _reasons, versions = suggestion(case, day)
    departs = bool(track) and (values["track"] != track or sanction.pk not in allowed)
    if departs and not values.get("override_reason"):
        errors["override_reason"] = _(
            "The classifier suggests another track or sanction: give your reason."
        )
        return
    if case.reviewing_agency is not None and not issuing_office_exists(case):
        errors["reviewing_agency"] = _(
            "No office of %(agency)s is registered to sign the letter; add it first."
        ) % {"agency": case.reviewing_agency}
        return
    assert case.agency_id is not None
    ppk = ppk_on(case.agency_id, day)
    if ppk is None:
        errors["ppk"] = _("No PPK is recorded for %(agency)s on this date.") % {
            "agency": case.agency
        }
        return
    case.ppk = ppk
    case.track = values["track"]
    case.recommended_sanction = sanction
    case.recommended_on = day
    case.rule_versions.update(versions)
    case.rule_versions[f"rules.sanction:{sanction.pk}"] = sanction.version
    values["suggested_track"] = track
    values["departs_from_suggestion"] = departs


def receive(case: Case, values: dict[str, Any], day: date, errors: dict[str, str]) -> None:
    """The day the PPK received the recommendation (not before it was issued)."""
    received: date = values["received_on"]
    if case.recommended_on and received < case.recommended_on:
        errors["received_on"] = _("The recommendation cannot be received before it was issued.")
    case.ppk_received_on = received


def decide(case: Case, values: dict[str, Any], day: date, errors: dict[str, str]) -> None:
    """The PPK's decision and the sanction imposed, after the hearing and the receipt."""
    if values["hearing_on"] > values["decision_date"]:
        errors["hearing_on"] = _("The hearing must come before the decision.")
    if case.ppk_received_on and values["decision_date"] < case.ppk_received_on:
        errors["decision_date"] = _("The decision cannot predate the recommendation's receipt.")
    case.decided_on = values["decision_date"]
    case.imposed_sanction = values["sanction"]


def follow_up_reported(
    case: Case, values: dict[str, Any], day: date, errors: dict[str, str]
) -> None:
    """The date of the PPK's follow-up letter."""
    case.followed_up_on = values["report_date"]


def close(case: Case, values: dict[str, Any], day: date, errors: dict[str, str]) -> None:
    """The case is closed on the step's day."""
    case.closed_on = day


def file_appeal(case: Case, values: dict[str, Any], day: date, errors: dict[str, str]) -> None:
    """An appeal on the route the sanction allows, filed after the decision; whether it came
    late is recorded (never refused)."""
    filed: date = values["filed_on"]
    decided = case.decided_on or day
    if filed < decided:
        errors["filed_on"] = _("An appeal cannot be filed before the decision.")
        return
    route = values["route"]
    problem = _route_problem(route, case.imposed_sanction)
    if problem:
        errors["route"] = problem
        return
    rule = deadline_rule(
        APPEAL_FILING[route], case.election.kind if case.election else "any", decided
    )
    if rule is not None:
        values["appeal_due"] = due_date(rule, decided, case.region_id)
        values["late"] = filed > values["appeal_due"]
        case.rule_versions[f"rules.deadlinerule:{rule.pk}"] = rule.version


def decide_appeal(case: Case, values: dict[str, Any], day: date, errors: dict[str, str]) -> None:
    """The appeal's outcome: the sanction stays, changes or is annulled."""
    outcome = values["outcome"]
    if outcome == "changed" and values.get("sanction") is None:
        errors["sanction"] = _("Choose the sanction after the appeal.")
        return
    if outcome == "changed":
        case.imposed_sanction = values["sanction"]
    elif outcome == "annulled":
        case.imposed_sanction = None
    case.decided_on = values["decision_date"]


def count_warning(case: Case, values: dict[str, Any], day: date, errors: dict[str, str]) -> None:
    """One more warning sent to the late PPK."""
    case.warnings_sent += 1


def blocking_requested(
    case: Case, values: dict[str, Any], day: date, errors: dict[str, str]
) -> None:
    """The day blocking of personnel data services was requested."""
    case.blocking_requested_on = day
