"""Applying a correction of the catalogue to a database seeded before it.

Each entry of the catalogue's ``corrections`` names the rows it corrects. Applied once (a marker
``RuleVersion`` keeps its key): every named row that differs from the catalogue is saved as a new
version through ``save_rule`` (audited, with the correction's reason; the row's citation names
the source), sanction options the catalogue no longer lists are withdrawn rather than deleted,
and rows the catalogue adds are created. A database seeded after the correction already holds
the corrected rows: nothing differs, and only the marker is written. Rows an administrator
changes later are never touched again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from netral.core import audit, reference
from netral.rules.models import (
    DeadlineRule,
    Election,
    ElectionRace,
    ElectionStage,
    Provision,
    Regulation,
    ReviewingAgency,
    RuleRow,
    RuleVersion,
    Sanction,
    SanctionOption,
    ViolationType,
)
from netral.rules.services import RULES_STREAM, save_rule

MARKER = "rules.correction"


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class _Correction:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.key: str = spec["key"]
        self.reason: str = spec["reason"]
        self.changed = 0

    def save(self, obj: RuleRow, fields: dict[str, Any], after_save: Any = None) -> bool:
        """Give ``obj`` the catalogue's ``fields`` as a new version when anything differs."""
        differs = obj.pk is None or any(getattr(obj, k) != v for k, v in fields.items())
        if not differs and after_save is None:
            return False
        for name, value in fields.items():
            setattr(obj, name, value)
        save_rule(
            obj=obj,
            actor=None,
            reason=self.reason,
            correction=self.key,
            after_save=after_save,
        )
        self.changed += 1
        return True


def _violation_type(
    fix: _Correction,
    spec: dict[str, Any],
    provisions: dict[str, Provision],
    sanctions: dict[str, Sanction],
) -> None:
    from netral.rules.loader import option_fields, violation_fields

    violation = ViolationType.objects.filter(code=spec["code"]).first()
    if violation is None:
        return  # seeded from the corrected catalogue right after
    fields = violation_fields(spec)
    wanted = {provisions[p].pk for p in spec["provisions"]}
    links_differ = set(violation.provisions.values_list("pk", flat=True)) != wanted
    fix.save(
        violation,
        fields,
        after_save=(lambda: violation.provisions.set(sorted(wanted))) if links_differ else None,
    )
    current = {
        (o.track, o.sanction.code): o
        for o in violation.sanction_options.filter(withdrawn=False).select_related("sanction")
    }
    for index, option in enumerate(spec["options"]):
        sanction = sanctions[option["sanction"]]
        row = current.pop((option["track"], sanction.code), None)
        if row is None:
            row = SanctionOption(violation_type=violation, sanction=sanction)
        fix.save(row, option_fields(option, sanction, index))
    for row in current.values():  # no longer offered: kept for the cases that used them
        fix.save(row, {"withdrawn": True})


def _election(fix: _Correction, spec: dict[str, Any]) -> None:
    from netral.rules.loader import race_fields, stage_fields

    election = Election.objects.filter(slug=spec["slug"]).first()
    if election is None:
        return
    for stage in spec["stages"]:
        row = ElectionStage.objects.filter(election=election, kind=stage["kind"]).first()
        fix.save(row or ElectionStage(election=election, kind=stage["kind"]), stage_fields(stage))
    for position, race in enumerate(spec.get("races", [])):
        found = ElectionRace.objects.filter(election=election, code=race["code"]).first()
        fix.save(
            found or ElectionRace(election=election, code=race["code"]),
            race_fields(race, position),
        )


def _deadline(fix: _Correction, spec: dict[str, Any]) -> None:
    from netral.rules.loader import deadline_fields

    kinds = [spec["election_kind"]] + ([spec["was"]] if spec.get("was") else [])
    rule = None
    for kind in kinds:
        rule = DeadlineRule.objects.filter(
            step=spec["step"], election_kind=kind, valid_from__isnull=True
        ).first()
        if rule is not None:
            break
    if rule is None:
        rule = DeadlineRule(step=spec["step"], valid_from=None)
    fix.save(rule, {**deadline_fields(spec), "election_kind": spec["election_kind"]})


def _agency(fix: _Correction, spec: dict[str, Any]) -> None:
    from netral.rules.loader import agency_fields

    valid_from = _date(spec["valid_from"])
    agency = ReviewingAgency.objects.filter(code=spec["code"], valid_from=valid_from).first()
    fix.save(
        agency or ReviewingAgency(code=spec["code"], valid_from=valid_from), agency_fields(spec)
    )


def _provision(fix: _Correction, key: str, spec: dict[str, Any], provision: Provision) -> None:
    """Provisions carry no versions: a change is an audited update of the row."""
    fields = {k: spec[k] for k in ("summary_id", "summary_en", "confidence")}
    before = {k: getattr(provision, k) for k in fields}
    if before == fields:
        return
    Provision.objects.filter(pk=provision.pk).update(**fields)
    audit.record(
        action="rule.change",
        obj=provision,
        before=before,
        after=fields,
        reason=fix.reason,
        stream=RULES_STREAM,
    )
    fix.changed += 1


def _regulation(fix: _Correction, spec: dict[str, Any]) -> None:
    """Regulations carry no versions either: their name and titles change as an audited update."""
    regulation = Regulation.objects.filter(code=spec["code"]).first()
    if regulation is None:
        return
    fields = {k: spec.get(k, "") for k in ("short_name", "title", "title_en")}
    before = {k: getattr(regulation, k) for k in fields}
    if before == fields:
        return
    Regulation.objects.filter(pk=regulation.pk).update(**fields)
    audit.record(
        action="rule.change",
        obj=regulation,
        before=before,
        after=fields,
        reason=fix.reason,
        stream=RULES_STREAM,
    )
    fix.changed += 1


def apply_corrections(
    data: dict[str, Any], provisions: dict[str, Provision], sanctions: dict[str, Sanction]
) -> int:
    """Apply every correction of the catalogue not applied yet; returns the rows changed."""
    from netral.rules.loader import CATALOGUE

    changed = 0
    seeded = ViolationType.objects.exists()
    for spec in data.get("corrections", []):
        if RuleVersion.objects.filter(model=MARKER, object_id=spec["key"]).exists():
            continue
        fix = _Correction(spec)
        if seeded:
            for code in spec.get("regulations", []):
                _regulation(fix, next(r for r in data["regulations"] if r["code"] == code))
            for key in spec.get("provisions", []):
                _provision(fix, key, data["provisions"][key], provisions[key])
            for code in spec.get("sanctions", []):
                sanction_spec = next(s for s in data["sanctions"] if s["code"] == code)
                provision = sanction_spec["provision"]
                fix.save(
                    sanctions[code],
                    {
                        "citation": sanction_spec["citation"],
                        "confidence": sanction_spec["confidence"],
                        "provision": provisions[provision] if provision else None,
                    },
                )
            for code in spec.get("violation_types", []):
                _violation_type(
                    fix,
                    next(v for v in data["violation_types"] if v["code"] == code),
                    provisions,
                    sanctions,
                )
            for slug in spec.get("elections", []):
                _election(fix, next(e for e in data["elections"] if e["slug"] == slug))
            for step, kind in spec.get("deadlines", []):
                _deadline(
                    fix,
                    next(
                        d
                        for d in data["deadlines"]
                        if d["step"] == step and d["election_kind"] == kind
                    ),
                )
            for code in spec.get("reviewing_agencies", []):
                for agency_spec in (a for a in data["reviewing_agencies"] if a["code"] == code):
                    _agency(fix, agency_spec)
        RuleVersion.objects.create(
            model=MARKER,
            object_id=spec["key"],
            version=1,
            data={"catalogue": CATALOGUE.name, "rows_changed": fix.changed},
            reason=fix.reason,
            correction=spec["key"],
        )
        changed += fix.changed
    if changed:
        reference.changed()
    return changed
