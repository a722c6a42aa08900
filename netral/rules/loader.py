"""Seed the law as data from ``data/catalogue.json`` and national days off from ``holidays``.

Only missing rows are created: rows changed through the admin (new versions) are never
overwritten by a later run, so a change in the law stays a data change. A correction of the
catalogue (its ``corrections`` list) is applied once to a database seeded before it: every row it
names that differs from the catalogue becomes a new version with the correction's reason (the
row's citation names the source), options no longer offered are withdrawn (kept for the cases
that used them), and missing rows are created. Existing cases keep the versions they recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

from django.db import transaction

from netral.core import reference
from netral.rules.calendar import days_off_changed
from netral.rules.models import (
    DeadlineRule,
    Election,
    ElectionRace,
    ElectionStage,
    Holiday,
    Provision,
    Regulation,
    ReviewingAgency,
    Sanction,
    SanctionOption,
    ViolationType,
)

CATALOGUE = Path(__file__).resolve().parent / "data" / "catalogue.json"


@dataclass
class LoadCounts:
    created: int = 0
    existing: int = 0


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _provision_key(spec: dict[str, Any]) -> dict[str, Any]:
    return {k: spec[k] for k in ("pasal", "ayat", "huruf", "angka")}


def violation_fields(spec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k not in ("code", "provisions", "options")}


def option_fields(spec: dict[str, Any], sanction: Sanction, position: int) -> dict[str, Any]:
    return {
        "track": spec["track"],
        "role": spec["role"],
        "condition_id": spec["condition_id"],
        "condition_en": spec["condition_en"],
        "confidence": spec["confidence"],
        "timing": spec.get("timing", "any"),
        "citation": spec.get("citation") or sanction.citation,
        "position": position,
    }


def stage_fields(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "start": _date(spec["start"]),
        "end": _date(spec["end"]),
        "citation": spec["citation"],
        "confidence": spec["confidence"],
    }


def race_fields(spec: dict[str, Any], position: int) -> dict[str, Any]:
    return {
        "name_id": spec["name_id"],
        "name_en": spec["name_en"],
        "candidate_determination": _date(spec["candidate_determination"]),
        "citation": spec["citation"],
        "confidence": spec["confidence"],
        "position": position,
    }


def deadline_fields(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "amount": spec["amount"],
        "unit": spec["unit"],
        "extension_amount": spec["extension_amount"],
        "citation": spec["citation"],
        "confidence": spec["confidence"],
        "note_id": spec["note_id"],
        "note_en": spec["note_en"],
    }


def agency_fields(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": spec["name"],
        "valid_to": _date(spec["valid_to"]),
        "files": spec.get("files", "all"),
        "citation": spec["citation"],
        "confidence": spec["confidence"],
    }


@transaction.atomic
def load_rules(path: Path = CATALOGUE) -> LoadCounts:
    data = json.loads(path.read_text(encoding="utf-8"))
    counts = LoadCounts()

    def tally(created: bool) -> None:
        if created:
            counts.created += 1
        else:
            counts.existing += 1

    regulations: dict[str, Regulation] = {}
    for spec in data["regulations"]:
        regulations[spec["code"]], created = Regulation.objects.get_or_create(
            code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"}
        )
        tally(created)
    provisions: dict[str, Provision] = {}
    for key, spec in data["provisions"].items():
        provisions[key], created = Provision.objects.get_or_create(
            regulation=regulations[spec["regulation"]],
            **_provision_key(spec),
            defaults={
                "summary_id": spec["summary_id"],
                "summary_en": spec["summary_en"],
                "confidence": spec["confidence"],
            },
        )
        tally(created)
    sanctions: dict[str, Sanction] = {}
    for spec in data["sanctions"]:
        fields = {k: v for k, v in spec.items() if k not in ("code", "provision")}
        fields["provision"] = provisions.get(spec["provision"]) if spec["provision"] else None
        fields["position"] = len(sanctions)
        sanctions[spec["code"]], created = Sanction.objects.get_or_create(
            code=spec["code"], defaults=fields
        )
        tally(created)
    # Corrections before the other rows: they turn old rows into the catalogue's (a deadline
    # row may change its election kind), so the seeding below finds them instead of adding
    # duplicates. They need the regulations, provisions and sanctions above.
    from netral.rules.corrections import apply_corrections

    apply_corrections(data, provisions, sanctions)
    for position, spec in enumerate(data["violation_types"]):
        fields = violation_fields(spec)
        violation, created = ViolationType.objects.get_or_create(
            code=spec["code"], defaults={**fields, "position": position}
        )
        tally(created)
        if created:
            violation.provisions.set([provisions[p] for p in spec["provisions"]])
            SanctionOption.objects.bulk_create(
                SanctionOption(
                    violation_type=violation,
                    sanction=sanctions[option["sanction"]],
                    **option_fields(option, sanctions[option["sanction"]], index),
                )
                for index, option in enumerate(spec["options"])
            )
    for spec in data["elections"]:
        election, created = Election.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "kind": spec["kind"],
                "name_id": spec["name_id"],
                "name_en": spec["name_en"],
                "voting_day": _date(spec["voting_day"]),
                "citation": spec["citation"],
                "confidence": spec["confidence"],
            },
        )
        tally(created)
        for stage in spec["stages"]:
            _stage, created = ElectionStage.objects.get_or_create(
                election=election, kind=stage["kind"], defaults=stage_fields(stage)
            )
            tally(created)
        for position, race in enumerate(spec.get("races", [])):
            _race, created = ElectionRace.objects.get_or_create(
                election=election, code=race["code"], defaults=race_fields(race, position)
            )
            tally(created)
    for spec in data["deadlines"]:
        _rule, created = DeadlineRule.objects.get_or_create(
            step=spec["step"],
            election_kind=spec["election_kind"],
            valid_from=None,
            defaults=deadline_fields(spec),
        )
        tally(created)
    for spec in data["reviewing_agencies"]:
        _agency, created = ReviewingAgency.objects.get_or_create(
            code=spec["code"], valid_from=_date(spec["valid_from"]), defaults=agency_fields(spec)
        )
        tally(created)
    reference.changed()  # bulk writes above (sanction options) send no signals
    return counts


@transaction.atomic
def load_holidays(first_year: int, last_year: int) -> LoadCounts:
    """Materialise Indonesia's national holidays, joint leave and election days as rows."""
    import holidays as holidays_package

    years = list(range(first_year, last_year + 1))
    categories = ("public", "government")
    local = holidays_package.country_holidays(
        "ID", years=years, categories=categories, language="id"
    )
    english = holidays_package.country_holidays(
        "ID", years=years, categories=categories, language="en_US"
    )
    source = f"holidays {version('holidays')} (ID; public, government)"
    existing = set(Holiday.objects.filter(date__year__in=years).values_list("date", flat=True))
    new = [
        Holiday(date=day, name_id=name[:200], name_en=english.get(day, name)[:200], source=source)
        for day, name in sorted(local.items())
        if day not in existing
    ]
    Holiday.objects.bulk_create(new)
    if new:
        days_off_changed()
    return LoadCounts(created=len(new), existing=len(existing))
