"""Recording commitments: pacts (ceremony or personal), pledges, events and circulars."""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from netral.commitments.models import (
    Circular,
    EventAttendance,
    EventMaterial,
    Pact,
    PactText,
    PledgeAttendance,
    PledgeCeremony,
    PledgeText,
    SocialisationEvent,
)
from netral.commitments.queries import agencies_in
from netral.commitments.tallies import refresh_after_commit
from netral.core import audit
from netral.core.scope import Scope
from netral.regions.models import Region
from netral.registry.models import Agency, CivilServant, Office
from netral.registry.queries import ppk_on, resolve_nips
from netral.rules.models import Election

DATA = Path(__file__).resolve().parent / "data" / "texts.json"
# No 0/O, 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def stream_for(region: str | None) -> str:
    """The audit chain of commitments in ``region``'s province (see ``audit.stream_for``)."""
    return audit.stream_for("commitments", region=region)


@cache
def default_texts() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def new_code(length: int = 10) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def pact_text(election: Election, agency: Agency | None) -> PactText:
    """The text in force: the agency's latest version, else the election's, else the default."""
    for owner in (agency, None):
        text = PactText.objects.filter(election=election, agency=owner).order_by("-version").first()
        if text is not None:
            return text
    text, _created = PactText.objects.get_or_create(
        election=election, agency=None, version=1, defaults={"body": default_texts()["pact"]}
    )
    return text


@transaction.atomic
def publish_pact_text(
    *, election: Election, agency: Agency | None, body: str, actor: Any
) -> PactText:
    """A new version; earlier versions and the pacts signed under them stay as they were."""
    last = PactText.objects.filter(election=election, agency=agency).order_by("-version").first()
    text = PactText.objects.create(
        election=election,
        agency=agency,
        version=(last.version + 1) if last else 1,
        body=body.strip(),
        created_by=actor,
    )
    audit.record(
        action="commitments.pact_text",
        actor=actor,
        obj=text,
        after={"election": election.slug, "agency": agency.code if agency else None},
        stream=stream_for(agency.region_id if agency else None),
    )
    return text


# --- Pacts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    row: int
    nip: str
    reason: Promise | str


def unknown_nip(row: int, nip: str) -> RowProblem:
    return RowProblem(row, nip, _("No civil servant with this NIP is in the registry."))


@dataclass
class CeremonyResult:
    pacts: list[Pact] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def verification_url(code: str) -> str:
    return f"{settings.NETRAL_SITE_URL}{reverse('verify', args=[code])}"


def render_pact(pact: Pact) -> bytes:
    from weasyprint import HTML

    qr = segno.make(verification_url(pact.code), error="m").svg_data_uri(scale=3)
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "commitments/pact_pdf.html",
            {"pact": pact, "qr": qr, "url": verification_url(pact.code)},
        )
    return bytes(HTML(string=html).write_pdf())


def store_pact_pdf(pact_id: int) -> bool:
    """Render a signed pact's PDF and store it once; False when it was already stored.

    Runs in a task after the signature commits, never inside the signing transaction.
    """
    pact = Pact.objects.select_related("election", "agency", "unit", "text").get(pk=pact_id)
    if pact.document_sha256:
        return False
    pdf = render_pact(pact)
    digest = hashlib.sha256(pdf).hexdigest()
    file_field = pact.document.field
    stored = file_field.storage.save(
        file_field.generate_filename(pact, f"pakta-{pact.code}.pdf"), ContentFile(pdf)
    )
    with transaction.atomic():
        filled = Pact.objects.filter(pk=pact.pk, document_sha256="").update(
            document=stored, document_sha256=digest
        )
        if filled:
            audit.record(
                action="commitments.pact_document",
                obj=pact,
                evidence=[{"code": pact.code, "sha256": digest}],
                stream=stream_for(pact.agency.region_id),
            )
    if not filled:
        file_field.storage.delete(stored)  # another run stored it first
    return bool(filled)


def _render_after_commit(pact: Pact) -> None:
    from netral.commitments.tasks import render_pact_pdf

    pact_id = pact.pk
    transaction.on_commit(lambda: render_pact_pdf.enqueue(pact_id=pact_id))


def _before(agency: Agency, day: date) -> tuple[str, str]:
    ppk = ppk_on(agency.pk, day)
    if ppk is None:
        return "", ""
    return ppk.name, ppk.title


def _new_pact(
    *,
    election: Election,
    servant: CivilServant,
    signed_on: date,
    mode: str,
    actor: Any,
    before: tuple[str, str],
) -> Pact:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Pact.objects.create(
                    code=new_code(),
                    election=election,
                    agency=servant.agency,
                    civil_servant=servant,
                    name=servant.name,
                    nip=servant.nip,
                    position=servant.position.name if servant.position else "",
                    unit=servant.unit,
                    signed_on=signed_on,
                    before_name=before[0],
                    before_title=before[1],
                    mode=mode,
                    text=pact_text(election, servant.agency),
                    created_by=actor,
                )
        except IntegrityError:
            if Pact.objects.filter(election=election, civil_servant=servant).exists():
                raise
    raise RuntimeError("could not draw a unique pact code")


def ceremony_problems(
    *, election: Election | None, agency: Agency, nips: list[str], signed_on: date | None
) -> tuple[list[str], dict[str, CivilServant], list[RowProblem]]:
    """Check a ceremony's rows without saving: the NIPs as digits, their registry entries and
    every problem found. Runs on a form with errors too, so one submission shows them all."""
    problems: list[RowProblem] = []
    resolved = resolve_nips(
        ((0, n) for n in nips),
        CivilServant.objects.select_related("agency", "position", "unit"),
    )
    wanted = [nip for _row, nip, _servant in resolved]
    servants = {nip: servant for _row, nip, servant in resolved if servant is not None}
    signed = (
        set(Pact.objects.filter(election=election, nip__in=wanted).values_list("nip", flat=True))
        if election is not None
        else set()
    )
    seen: set[str] = set()
    # Rows are counted among the NIPs given (a blank line is no row).
    for row, (_given, nip, servant) in enumerate(resolved, start=1):
        if nip in seen:
            problems.append(RowProblem(row, nip, _("This NIP is listed twice.")))
        elif servant is None:
            problems.append(unknown_nip(row, nip))
        elif servant.agency_id != agency.pk:
            problems.append(RowProblem(row, nip, _("This civil servant is in another agency.")))
        elif not servant.is_active:
            problems.append(RowProblem(row, nip, _("This civil servant is not active.")))
        elif nip in signed:
            problems.append(
                RowProblem(
                    row, nip, _("This official has already signed a pact for this election.")
                )
            )
        seen.add(nip)
    if not wanted:
        problems.append(RowProblem(0, "", _("Enter at least one NIP.")))
    if signed_on is not None and signed_on > timezone.localdate():
        problems.append(RowProblem(0, "", _("The date cannot lie in the future.")))
    return wanted, servants, problems


def record_ceremony(
    *,
    election: Election,
    agency: Agency,
    nips: list[str],
    signed_on: date,
    actor: Any,
    scans: dict[str, bytes] | None = None,
) -> CeremonyResult:
    """Many officials sign at once before the PPK (or acting head) of ``agency`` on ``signed_on``.

    All or nothing: if any row has a problem, nothing is saved and every problem is returned,
    so the clerk fixes the list and sends it again with nothing lost.
    """
    result = CeremonyResult()
    wanted, servants, result.problems = ceremony_problems(
        election=election, agency=agency, nips=nips, signed_on=signed_on
    )
    if result.problems:
        return result
    before = _before(agency, signed_on)
    with transaction.atomic():
        for nip in wanted:
            pact = _new_pact(
                election=election,
                servant=servants[nip],
                signed_on=signed_on,
                mode=Pact.Mode.CEREMONY,
                actor=actor,
                before=before,
            )
            scan = (scans or {}).get(nip)
            if scan:
                pact.scan_sha256 = hashlib.sha256(scan).hexdigest()
                pact.scan.save(f"pakta-{pact.code}-scan.pdf", ContentFile(scan), save=False)
                pact.save(update_fields=["scan", "scan_sha256"])
            _render_after_commit(pact)
            result.pacts.append(pact)
        audit.record(
            action="commitments.pact_ceremony",
            actor=actor,
            object_type="registry.agency",
            object_id=str(agency.pk),
            after={
                "election": election.slug,
                "signed_on": signed_on,
                "pacts": [p.code for p in result.pacts],
            },
            # Each PDF's hash is recorded by its own entry once rendered.
            evidence=[{"code": p.code} for p in result.pacts],
            stream=stream_for(agency.region_id),
        )
        refresh_after_commit(election.pk, {agency.pk})
    return result


class SignatureRefused(Exception):
    def __init__(self, message: Promise | str) -> None:
        super().__init__(str(message))
        self.message = message


def sign_personally(*, user: Any, election: Election, token: str) -> Pact:
    """The official reads the text and confirms with a fresh code of their TOTP factor."""
    from django_otp import match_token

    servant = getattr(user, "civil_servant", None)
    if servant is None:
        raise SignatureRefused(_("Your account is not linked to a civil servant in the registry."))
    if match_token(user, token.strip()) is None:
        raise SignatureRefused(_("This code is not valid. Enter the current code of your app."))
    if Pact.objects.filter(election=election, civil_servant=servant).exists():
        raise SignatureRefused(_("You have already signed a pact for this election."))
    today = timezone.localdate()
    with transaction.atomic():
        pact = _new_pact(
            election=election,
            servant=servant,
            signed_on=today,
            mode=Pact.Mode.PERSONAL,
            actor=user,
            before=_before(servant.agency, today),
        )
        _render_after_commit(pact)
        audit.record(
            action="commitments.pact_personal",
            actor=user,
            obj=pact,
            after={"election": election.slug, "code": pact.code},
            evidence=[{"code": pact.code}],
            stream=stream_for(servant.agency.region_id),
        )
        refresh_after_commit(election.pk, {pact.agency_id})
    return pact


@transaction.atomic
def revoke_pact(*, pact: Pact, reason: str, actor: Any) -> Pact:
    pact = Pact.objects.select_for_update().get(pk=pact.pk)
    if pact.revoked_at is None:
        pact.revoked_at = timezone.now()
        pact.revoked_reason = reason.strip()
        pact.save(update_fields=["revoked_at", "revoked_reason"])
        audit.record(
            action="commitments.pact_revoke",
            actor=actor,
            obj=pact,
            reason=reason,
            stream=stream_for(pact.agency.region_id),
        )
        refresh_after_commit(pact.election_id, {pact.agency_id})
    return pact


# --- Pledges ------------------------------------------------------------------------------------


def pledge_text() -> PledgeText:
    text = PledgeText.objects.order_by("-version").first()
    if text is None:
        defaults = default_texts()
        text = PledgeText.objects.create(
            title=defaults["pledge_title"], points=defaults["pledge_points"]
        )
    return text


@transaction.atomic
def open_ceremony(
    *,
    election: Election,
    agency: Agency,
    held_on: date,
    place: str,
    led_by: str,
    actor: Any,
) -> PledgeCeremony:
    """A pledge ceremony; its check-in code works until the end of the ceremony's day."""
    ceremony = PledgeCeremony.objects.create(
        election=election,
        agency=agency,
        text=pledge_text(),
        held_on=held_on,
        place=place,
        led_by=led_by,
        checkin_code=new_code(6),
        checkin_until=timezone.make_aware(datetime.combine(held_on, time(23, 59, 59))),
        created_by=actor,
    )
    audit.record(
        action="commitments.ceremony",
        actor=actor,
        obj=ceremony,
        stream=stream_for(agency.region_id),
    )
    return ceremony


@dataclass
class AttendanceResult:
    added: int = 0
    already: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def record_attendance(
    *, ceremony: PledgeCeremony, nips: list[tuple[int, str]], method: str, actor: Any
) -> AttendanceResult:
    """Add civil servants of the ceremony's agency; every unknown or foreign NIP is reported with
    its row, the others are recorded (a second time changes nothing)."""
    result = AttendanceResult()
    resolved = resolve_nips(nips, CivilServant.objects.only("pk", "nip", "agency_id", "is_active"))
    present = set(
        PledgeAttendance.objects.filter(ceremony=ceremony).values_list(
            "civil_servant__nip", flat=True
        )
    )
    rows = []
    for row, nip, servant in resolved:
        if servant is None:
            result.problems.append(unknown_nip(row, nip))
        elif servant.agency_id != ceremony.agency_id:
            result.problems.append(
                RowProblem(row, nip, _("This civil servant is in another agency."))
            )
        elif nip in present:
            result.already += 1
        else:
            present.add(nip)
            rows.append(
                PledgeAttendance(
                    ceremony=ceremony,
                    election_id=ceremony.election_id,
                    civil_servant=servant,
                    agency_id=ceremony.agency_id,
                    method=method,
                )
            )
    with transaction.atomic():
        PledgeAttendance.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        result.added = len(rows)
        if rows:
            audit.record(
                action="commitments.attendance",
                actor=actor,
                obj=ceremony,
                after={"added": len(rows), "method": method},
                stream=stream_for(ceremony.agency.region_id),
            )
            refresh_after_commit(ceremony.election_id, {ceremony.agency_id})
    return result


def check_in(*, ceremony: PledgeCeremony, nip: str, code: str, now: datetime | None = None) -> str:
    """Self check-in at the ceremony: the NIP plus the code shown on site, while it is valid.
    Returns "" when recorded, else the reason."""
    now = now or timezone.now()
    if not ceremony.checkin_code or not secrets.compare_digest(
        code.strip().upper(), ceremony.checkin_code
    ):
        return str(_("This check-in code is not valid."))
    if ceremony.checkin_until is None or now > ceremony.checkin_until:
        return str(_("The check-in for this ceremony has closed."))
    result = record_attendance(
        ceremony=ceremony, nips=[(1, nip)], method=PledgeAttendance.Method.CHECKIN, actor=None
    )
    if result.problems:
        return str(result.problems[0].reason)
    return ""


# --- Events and circulars -------------------------------------------------------------------------


class CommitmentRefused(Exception):
    """A record the law or the data refuses, with the field it concerns (None: the whole form)."""

    def __init__(self, field: str | None, message: Promise | str) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


def jurisdiction_region(scope: Scope, code: str = "") -> Region | None:
    """The region an event or circular is recorded for; the one rule for the page and the API.

    A region named by ``code`` counts when the jurisdiction covers it (its own regions or the
    regions of its agencies). Without a code (the pages ask for none), the jurisdiction's own
    region: its first region code, else the region of its first agency that has one.
    """
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None:
            return None
        if scope.covers_region(region.code):
            return region
        if scope.agency_ids and agencies_in(region.code, scope).exists():
            return region
        return None
    codes = sorted(scope.region_codes)
    if codes:
        return Region.objects.filter(code=codes[0]).first()
    agency = Agency.objects.filter(pk__in=sorted(scope.agency_ids)).exclude(region=None).first()
    return agency.region if agency else None


@dataclass(frozen=True)
class Upload:
    """A file handed to a service: its original name and content."""

    name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _stored_files_go_with(instance_files: list[Any]) -> None:
    """Files written inside a transaction that rolled back are deleted (nothing stays on disk
    without its row)."""
    for file in instance_files:
        with contextlib.suppress(OSError):  # best effort: the row is gone either way
            file.delete(save=False)


def record_event(
    *,
    election: Election,
    region: Region,
    title: str,
    held_on: date,
    mode: str,
    actor: Any,
    place: str = "",
    link: str = "",
    speakers: str = "",
    bawaslu_office: Office | None = None,
    personnel_office: Office | None = None,
    target_agencies: Any = (),
    material: Upload | None = None,
) -> SocialisationEvent:
    """A socialisation event, its target agencies and material, and its audit entry: all or
    nothing."""
    written: list[Any] = []
    try:
        with transaction.atomic():
            event = SocialisationEvent.objects.create(
                election=election,
                region=region,
                title=title,
                held_on=held_on,
                mode=mode,
                place=place,
                link=link,
                speakers=speakers,
                bawaslu_office=bawaslu_office,
                personnel_office=personnel_office,
                created_by_id=getattr(actor, "pk", None),
            )
            if target_agencies:
                event.target_agencies.set(target_agencies)
            if material is not None:
                row = EventMaterial(
                    event=event, original_name=material.name[-255:], sha256=material.sha256
                )
                row.file.save(material.name, ContentFile(material.content), save=False)
                written.append(row.file)
                row.save()
            audit.record(
                action="commitments.event",
                actor=actor,
                obj=event,
                stream=stream_for(region.code),
            )
    except BaseException:
        _stored_files_go_with(written)
        raise
    return event


def record_event_attendance(
    *, event: SocialisationEvent, nips: list[tuple[int, str]], actor: Any
) -> tuple[int, list[RowProblem]]:
    """Add participants of any agency (each counted for their own agency in the registry); every
    unknown NIP is reported with its row. Returns how many were added and the problems."""
    problems = []
    rows = []
    for row, nip, servant in resolve_nips(
        nips, CivilServant.objects.only("pk", "nip", "agency_id")
    ):
        if servant is None:
            problems.append(unknown_nip(row, nip))
            continue
        rows.append(
            EventAttendance(
                event=event,
                election_id=event.election_id,
                civil_servant=servant,
                agency_id=servant.agency_id,
            )
        )
    with transaction.atomic():
        created = EventAttendance.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        if rows:
            audit.record(
                action="commitments.event_attendance",
                actor=actor,
                obj=event,
                after={"rows": len(rows)},
                stream=stream_for(event.region_id),
            )
            refresh_after_commit(event.election_id, {r.agency_id for r in rows})
    return len(created), problems


def record_circular(
    *,
    election: Election,
    region: Region,
    number: str,
    issued_on: date,
    issuer: str,
    title: str,
    document: Upload,
    actor: Any,
    addressees: str = "",
) -> Circular:
    """A circular, its PDF and its audit entry: all or nothing. A number already recorded for
    the region is refused (``CommitmentRefused`` on ``number``)."""
    duplicate = CommitmentRefused("number", _("A circular with this number is already recorded."))
    if Circular.objects.filter(region=region, number=number).exists():
        raise duplicate
    written: list[Any] = []
    try:
        with transaction.atomic():
            circular = Circular(
                election=election,
                region=region,
                number=number,
                issued_on=issued_on,
                issuer=issuer,
                title=title,
                addressees=addressees,
                sha256=document.sha256,
                created_by_id=getattr(actor, "pk", None),
            )
            circular.document.save(
                f"{number}.pdf".replace("/", "-"), ContentFile(document.content), save=False
            )
            written.append(circular.document)
            try:
                with transaction.atomic():
                    circular.save()
            except IntegrityError as exc:  # recorded by someone else a moment ago
                raise duplicate from exc
            audit.record(
                action="commitments.circular",
                actor=actor,
                obj=circular,
                stream=stream_for(region.code),
            )
    except BaseException:
        _stored_files_go_with(written)
        raise
    return circular


def record_missing_export(*, election: Election, agencies: int, region: str, actor: Any) -> None:
    """The download of the heads without a pact is audited (it lists officials by name)."""
    with transaction.atomic():
        audit.record(
            action="commitments.export_missing",
            actor=actor,
            object_type="rules.election",
            object_id=str(election.pk),
            after={"agencies": agencies},
            stream=stream_for(region),
        )
