"""Importing past cases (for example a reviewing agency's register) from XLSX or CSV.

Every row is either imported whole or reported with its row, column, value and reason; nothing
is dropped silently. Imported cases carry ``imported=True``, a first timeline event with the row
as given, an audit entry, and, when still open, the due date of their current state counted
from the date that started it, so late ones land in the overdue queue at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from netral.cases import workflow
from netral.cases.events import case_changed
from netral.cases.models import Accused, Case, CaseEvent, State
from netral.cases.services.transitions import start_deadline
from netral.core import audit
from netral.core.tabular import ImportFileError, RowIssue, map_header, read_rows
from netral.regions.queries import region_codes, zone_of
from netral.registry.models import Agency, CivilServant, Office
from netral.registry.queries import ppk_on
from netral.rules.models import Election, Sanction, ViolationType
from netral.rules.queries import reviewing_agency_for

COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("number", "nomor", "nomor_perkara", "no"),
    "office": ("office", "kantor", "kode_kantor"),
    "election": ("election", "pemilihan"),
    "name": ("name", "nama", "nama_asn"),
    "nip": ("nip",),
    "agency": ("agency", "instansi", "kode_instansi"),
    "position": ("position", "jabatan"),
    "violation_types": ("violation_types", "jenis_pelanggaran", "pelanggaran"),
    "state": ("state", "tahap", "status"),
    "act_date": ("act_date", "tanggal_perbuatan"),
    "registered_on": ("registered_on", "tanggal_registrasi"),
    "forwarded_on": ("forwarded_on", "tanggal_diteruskan"),
    "recommended_on": ("recommended_on", "tanggal_rekomendasi"),
    "track": ("track", "jalur"),
    "recommended_sanction": ("recommended_sanction", "sanksi_rekomendasi"),
    "ppk_received_on": ("ppk_received_on", "tanggal_diterima_ppk"),
    "decided_on": ("decided_on", "tanggal_keputusan"),
    "imposed_sanction": ("imposed_sanction", "sanksi_dijatuhkan"),
    "followed_up_on": ("followed_up_on", "tanggal_tindak_lanjut"),
    "closed_on": ("closed_on", "tanggal_ditutup"),
}
REQUIRED = ("number", "office", "name", "state", "registered_on")
DATES = (
    "act_date",
    "registered_on",
    "forwarded_on",
    "recommended_on",
    "ppk_received_on",
    "decided_on",
    "followed_up_on",
    "closed_on",
)
# The date a state must have (it cannot be reached without it).
NEEDS: dict[str, tuple[str, ...]] = {
    State.FORWARDED: ("forwarded_on",),
    State.UNDER_VERIFICATION: ("forwarded_on",),
    State.VERIFICATION_INFO_REQUESTED: ("forwarded_on",),
    State.RECOMMENDATION_ISSUED: ("forwarded_on", "recommended_on"),
    State.RECEIVED_BY_PPK: ("forwarded_on", "recommended_on", "ppk_received_on"),
    State.EXAMINATION: ("forwarded_on", "recommended_on", "ppk_received_on"),
    State.DECIDED: ("forwarded_on", "recommended_on", "decided_on"),
    State.APPEALED: ("forwarded_on", "recommended_on", "decided_on"),
    State.FOLLOW_UP_REPORTED: ("forwarded_on", "recommended_on", "decided_on", "followed_up_on"),
    State.NOT_VIOLATION: ("closed_on",),
    State.CLOSED: ("closed_on",),
}
# For an open case: the deadline step its current state runs and the date it counts from.
DEADLINE_OF: dict[str, tuple[str, str]] = {
    State.REGISTERED: ("bawaslu_follow_up", "registered_on"),
    State.UNDER_STUDY: ("bawaslu_follow_up", "registered_on"),
    State.STUDY_INFO_REQUESTED: ("bawaslu_follow_up_extended", "registered_on"),
    State.FORWARDED: ("review", "forwarded_on"),
    State.UNDER_VERIFICATION: ("review", "forwarded_on"),
    State.VERIFICATION_INFO_REQUESTED: ("review", "forwarded_on"),
    State.RECOMMENDATION_ISSUED: ("ppk_follow_up", "recommended_on"),
    State.RECEIVED_BY_PPK: ("ppk_follow_up", "ppk_received_on"),
    State.EXAMINATION: ("ppk_follow_up", "ppk_received_on"),
    State.DECIDED: ("ppk_follow_up", "ppk_received_on"),
}
MAX_ROWS = 100_000


@dataclass
class HistoryResult:
    total_rows: int = 0
    imported: int = 0
    rejected: int = 0
    issues: list[RowIssue] = field(default_factory=list)


class Lookups:
    """Everything rows refer to, loaded once per file."""

    def __init__(self) -> None:
        self.offices = {o.code.upper(): o for o in Office.objects.filter(kind=Office.Kind.BAWASLU)}
        self.elections = {e.slug: e for e in Election.objects.all()}
        self.agencies = {a.code.upper(): a for a in Agency.objects.all()}
        self.violations = {v.code: v for v in ViolationType.objects.all()}
        self.sanctions = {s.code: s for s in Sanction.objects.all()}
        self.numbers: set[str] = set()


@dataclass
class Row:
    values: dict[str, str]
    dates: dict[str, date | None]
    office: Office
    election: Election | None
    agency: Agency | None
    servant: CivilServant | None
    violations: list[ViolationType]
    recommended: Sanction | None
    imposed: Sanction | None


def _check(
    number: int, get: dict[str, str], lookups: Lookups, issues: list[RowIssue]
) -> Row | None:
    problems: list[RowIssue] = []

    def error(column: str, reason: Promise | str) -> None:
        problems.append(RowIssue(number, column, get.get(column, ""), reason, "error"))

    for column in REQUIRED:
        if not get.get(column):
            error(column, _("This column is required."))
    dates: dict[str, date | None] = {}
    for column in DATES:
        text = get.get(column, "")
        parsed = None
        if text:
            try:
                parsed = parse_date(text[:10])
            except ValueError:
                parsed = None
            if parsed is None:
                error(column, _("Write the date as YYYY-MM-DD."))
        dates[column] = parsed
    case_number = get.get("number", "")
    if case_number and (
        case_number in lookups.numbers or Case.objects.filter(number=case_number).exists()
    ):
        error("number", _("A case with this number exists already (in Netral or in the file)."))
    office = lookups.offices.get(get.get("office", "").upper())
    if get.get("office") and office is None:
        error("office", _("No Bawaslu office with this code."))
    election = None
    if get.get("election"):
        election = lookups.elections.get(get["election"])
        if election is None:
            error("election", _("No election with this slug."))
    state = get.get("state", "")
    if state and state not in State.values:
        error(
            "state",
            _("Unknown state; use one of: %(states)s.") % {"states": ", ".join(State.values)},
        )
    servant = None
    if get.get("nip"):
        servant = CivilServant.objects.filter(nip=get["nip"]).select_related("agency").first()
        if servant is None:
            error("nip", _("No civil servant with this NIP is in the registry."))
    agency = lookups.agencies.get(get.get("agency", "").upper()) if get.get("agency") else None
    if get.get("agency") and agency is None:
        error("agency", _("No agency with this code."))
    if servant is not None and agency is not None and servant.agency_id != agency.pk:
        error("agency", _("The civil servant with this NIP belongs to another agency."))
    agency = agency or (servant.agency if servant else None)
    violations = []
    for code in [c.strip() for c in get.get("violation_types", "").replace(",", ";").split(";")]:
        if not code:
            continue
        violation = lookups.violations.get(code)
        if violation is None:
            error("violation_types", _("Unknown violation type: %(code)s.") % {"code": code})
        else:
            violations.append(violation)
    sanctions: dict[str, Sanction | None] = {}
    for column in ("recommended_sanction", "imposed_sanction"):
        code = get.get(column, "")
        sanctions[column] = lookups.sanctions.get(code) if code else None
        if code and sanctions[column] is None:
            error(column, _("No sanction with this code."))
    if get.get("track") and get["track"] not in ("ethics", "discipline"):
        error("track", _("Write ethics or discipline."))
    if state in NEEDS:
        for column in NEEDS[state]:
            if (
                column in dates
                and dates[column] is None
                and not any(p.column == column for p in problems)
            ):
                error(column, _("A case in this state must have this date."))
    order = [c for c in DATES[1:] if dates.get(c)]
    for earlier, later in itertools.pairwise(order):
        first, second = dates[earlier], dates[later]
        if first and second and second < first and later != "closed_on":
            error(later, _("This date lies before %(column)s.") % {"column": earlier})
    today = timezone.localdate()
    for column, value in dates.items():
        if value and value > today:
            error(column, _("The date cannot lie in the future."))
    if state in (State.RECOMMENDATION_ISSUED, State.RECEIVED_BY_PPK) and agency is None:
        error("agency", _("A recommended case needs the accused's agency (code or NIP)."))
    if problems:
        issues.extend(problems)
        return None
    assert office is not None
    lookups.numbers.add(case_number)
    return Row(
        values=get,
        dates=dates,
        office=office,
        election=election,
        agency=agency,
        servant=servant,
        violations=violations,
        recommended=sanctions["recommended_sanction"],
        imposed=sanctions["imposed_sanction"],
    )


def _create(row: Row, actor: Any) -> Case:
    get, dates = row.values, row.dates
    state = get["state"]
    registered_on = dates["registered_on"]
    assert registered_on is not None
    province, regency = region_codes(row.office.region_id)
    case = Case(
        number=get["number"],
        state=state,
        holder=workflow.STATES[state].holder,
        office=row.office,
        zone=zone_of(row.office.region_id).key,
        region_id=row.office.region_id,
        province_code=province,
        regency_code=regency,
        election=row.election,
        agency=row.agency,
        accused_name=(row.servant.name if row.servant else get["name"])[:200],
        act_date=dates["act_date"],
        registration={"imported": True},
        registered_by=actor,
        registered_at=timezone.make_aware(datetime.combine(registered_on, time(9))),
        forwarded_on=dates["forwarded_on"],
        recommended_on=dates["recommended_on"],
        ppk_received_on=dates["ppk_received_on"],
        decided_on=dates["decided_on"],
        followed_up_on=dates["followed_up_on"],
        closed_on=dates["closed_on"],
        track=get.get("track", ""),
        recommended_sanction=row.recommended,
        imposed_sanction=row.imposed,
        imported=True,
        state_event=1,
    )
    if case.forwarded_on:
        # SE MenPANRB 4/2024: a file still open when KASN ended goes to BKN, or its follow-up to
        # MenPANRB when KASN had already acted on it (recommended); a file closed before: KASN's.
        case.reviewing_agency = reviewing_agency_for(
            case.forwarded_on, case.recommended_on, case.closed_on or timezone.localdate()
        )
    if case.recommended_on and row.agency is not None:
        case.ppk = ppk_on(row.agency.pk, case.recommended_on)
    if state in DEADLINE_OF and not workflow.STATES[state].terminal:
        step, start_column = DEADLINE_OF[state]
        start = dates.get(start_column) or registered_on
        case.due_date, case.deadline_rule = start_deadline(case, step, start)
        if step == "ppk_follow_up":
            case.ppk_due_date = case.due_date
    elif case.recommended_on:
        start = case.ppk_received_on or case.recommended_on
        case.ppk_due_date, _rule = start_deadline(case, "ppk_follow_up", start)
    case.save()
    case_changed(case)
    case.violation_types.set(row.violations)
    Accused.objects.create(
        case=case,
        civil_servant=row.servant,
        name=case.accused_name,
        nip=row.servant.nip if row.servant else get.get("nip", ""),
        position=get.get("position", "")[:200],
    )
    CaseEvent.objects.create(
        case=case,
        seq=1,
        transition="import",
        to_state=state,
        actor=actor,
        at=timezone.now(),
        effective_on=registered_on,
        inputs={k: v for k, v in get.items() if v},
        due_date=case.due_date,
    )
    audit.record(
        action="case.import",
        actor=actor,
        obj=case,
        after={"state": state, "number": case.number},
        stream=audit.stream_for("cases", office_id=case.office_id),
    )
    return case


def import_history(
    path: Path, *, actor: Any, original_name: str = "", dry_run: bool = False
) -> HistoryResult:
    """Import every valid row; return the count and the issues of the others."""
    header, rows, _estimate = read_rows(path, original_name)
    mapping = map_header(header, COLUMNS, REQUIRED)
    lookups = Lookups()
    result = HistoryResult()
    for offset, raw in enumerate(rows):
        number = offset + 2
        if not any(raw):
            continue
        result.total_rows += 1
        if result.total_rows > MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(n)d rows; split it.") % {"n": MAX_ROWS}
            )
        get = {c: (raw[i] if i < len(raw) else "").strip() for c, i in mapping.items()}
        row = _check(number, get, lookups, result.issues)
        if row is None:
            result.rejected += 1
            continue
        if not dry_run:
            with transaction.atomic():
                _create(row, actor)
        result.imported += 1
    return result


def columns_help() -> Iterable[str]:
    return [aliases[1] if len(aliases) > 1 else aliases[0] for aliases in COLUMNS.values()]
