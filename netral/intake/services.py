"""State changes of intake: submitting, routing, the two-way channel, revealing an identity."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from netral.accounts.queries import is_custodian_of
from netral.core import audit, events, reference
from netral.intake import crypto
from netral.intake.events import ReportSubmitted
from netral.intake.links import normalise_link
from netral.intake.models import (
    Evidence,
    IdempotentSubmission,
    Report,
    ReportEvent,
    ReportLink,
    ReportMessage,
)
from netral.intake.nik import unknown_nik_region
from netral.regions.queries import zone_of
from netral.registry.matching import recognise_agency
from netral.registry.models import Agency, CivilServant, Office
from netral.rules.calendar import OutOfRange
from netral.rules.models import Election
from netral.rules.queries import counter_for, deadline_rule

# Crockford base32 without I, L, O, U: easy to read aloud and to type on a phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
IDEMPOTENCY_WINDOW = timedelta(days=1)


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_receipt_code() -> str:
    return f"NTR-{_random(4)}-{_random(4)}"


def new_secret() -> str:
    return "-".join(_random(5) for _ in range(4))


def secret_digest(secret: str) -> str:
    normalised = secret.strip().upper().replace(" ", "")
    return hmac.new(settings.HMAC_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def stream_for(report: Report) -> str:
    return f"office:{report.office_id}" if report.office_id else "intake"


def _bawaslu_offices() -> tuple[Mapping[str, Office], Office | None]:
    """Bawaslu offices by region code, and the national one (reference data, memoised)."""

    def load() -> tuple[Mapping[str, Office], Office | None]:
        offices = list(Office.objects.filter(kind=Office.Kind.BAWASLU).order_by("pk"))
        by_region = MappingProxyType({o.region_id: o for o in offices if o.region_id})
        national = next((o for o in offices if o.level == Office.Level.NATIONAL), None)
        return by_region, national

    return reference.memo("intake.bawaslu_offices", load)


def bawaslu_office_for(region_code: str | None) -> Office | None:
    """The Bawaslu office of a region, or of the nearest region above that has one."""
    by_region, national = _bawaslu_offices()
    if region_code:
        parts = region_code.split(".")[:2]  # a district is handled by its regency or city
        for n in range(len(parts), 0, -1):
            office = by_region.get(".".join(parts[:n]))
            if office is not None:
                return office
    return national


def route(report: Report) -> Office | None:
    """The accused agency's region (central agencies: national), else the place of the act
    (its regency/city, else its province), else the national office."""
    if report.accused_agency_id is not None:
        agency = report.accused_agency
        assert agency is not None
        return bawaslu_office_for(agency.region_id)
    return bawaslu_office_for(report.act_region_id)


def identify_agency(report: Report) -> str:
    """Set the accused's agency by the routing order and say where it came from: the NIP's
    agency (when the NIP is in the registry), the agency chosen from the registry, an agency
    recognised in the typed name, or none (the place of the act decides)."""
    if report.accused_nip and report.accused_id is None:
        report.accused = CivilServant.objects.filter(nip=report.accused_nip).first()
    if report.accused is not None:
        report.accused_agency_id = report.accused.agency_id
        return "nip"
    if report.accused_agency_id is not None:
        return "chosen"
    recognised = agency_for_text(report.accused_agency_text)
    if recognised is not None:
        report.accused_agency = recognised
        return "text"
    return "act_region" if report.act_region_id else "national"


def is_late(*, act_date: date, learned_date: date, election: Election | None) -> bool:
    """Whether the report comes after the reporting deadline (shown, never refused)."""
    kind = election.kind if election else "pemilu"
    rule = deadline_rule("report", kind, learned_date)
    if rule is None:
        return False
    today = timezone.localdate()
    try:
        return counter_for(rule).add(learned_date, rule.amount) < today
    except OutOfRange:
        # Learned before the loaded calendar begins (years ago): long past any report deadline;
        # after it ends: not late yet.
        return learned_date < today


@dataclass(frozen=True)
class Submitted:
    report: Report
    secret: str
    created: bool


def submit_report(
    *,
    fields: dict[str, Any],
    identity: dict[str, str] | None,
    links: list[str],
    upload_tokens: list[str],
    idempotency_key: str,
    actor: Any = None,
) -> Submitted:
    """Create a report (or return the one this idempotency key already created).

    The usual submission is new, so nothing is looked up first: the key's row is inserted with
    the report, and a key already used breaks its unique constraint, which rolls the attempt
    back and answers with the first submission's receipt (an expired key is taken over, a
    receipt code drawn twice is drawn again).
    """
    for _attempt in range(2):
        secret, receipt_code = new_secret(), new_receipt_code()
        try:
            report = _create_report(
                fields=fields,
                identity=identity,
                links=links,
                upload_tokens=upload_tokens,
                idempotency_key=idempotency_key,
                receipt_code=receipt_code,
                secret=secret,
                actor=actor,
            )
        except IntegrityError:
            previous = _previous(idempotency_key)
            if previous is None:
                if Report.objects.filter(receipt_code=receipt_code).exists():
                    continue  # the random receipt code was taken: draw another
                raise  # another constraint: not a retry
            if previous.created_at >= timezone.now() - IDEMPOTENCY_WINDOW:
                answer = crypto.decrypt(bytes(previous.response), bound_to=idempotency_key)
                return Submitted(previous.report, answer["secret"], created=False)
            previous.delete()  # an expired key not yet purged: the new submission takes it
            continue
        return Submitted(report, secret, created=True)
    raise IntegrityError("no receipt code or idempotency key could be claimed")


def _previous(key: str) -> IdempotentSubmission | None:
    return IdempotentSubmission.objects.select_related("report").filter(key=key).first()


@transaction.atomic
def _create_report(
    *,
    fields: dict[str, Any],
    identity: dict[str, str] | None,
    links: list[str],
    upload_tokens: list[str],
    idempotency_key: str,
    receipt_code: str,
    secret: str,
    actor: Any,
) -> Report:
    report = Report(**fields)
    report.receipt_code = receipt_code
    report.secret_digest = secret_digest(secret)
    report.anonymous = not identity
    if identity:
        report.reporter_identity = crypto.encrypt(identity, bound_to=report.receipt_code)
    routed_by = identify_agency(report)
    report.late = is_late(
        act_date=report.act_date, learned_date=report.learned_date, election=report.election
    )
    report.office = route(report)
    report.region_id = report.office.region_id if report.office else None
    report.created_by = actor if getattr(actor, "is_authenticated", False) else None
    report.save()
    IdempotentSubmission.objects.create(
        key=idempotency_key,
        report=report,
        response=crypto.encrypt({"secret": secret}, bound_to=idempotency_key),
    )
    ReportLink.objects.bulk_create(
        ReportLink(report=report, url=url, platform=platform)
        for url, platform in (normalise_link(link) for link in links)
    )
    evidence: list[str] = []
    if upload_tokens:
        Evidence.objects.filter(upload_token__in=upload_tokens, report__isnull=True).update(
            report=report
        )
        evidence = list(report.evidence.values_list("sha256", flat=True))
    ReportEvent.objects.create(report=report, status=Report.Status.RECEIVED)
    audit.record(
        action=f"intake.{report.kind}.submit",
        actor=report.created_by,
        obj=report,
        after={
            "receipt_code": report.receipt_code,
            "office": report.office_id,
            "routed_by": routed_by,
            "violation_type": report.violation_type_id,
            "anonymous": report.anonymous,
            "late": report.late,
            "evidence": evidence,
        },
        stream=stream_for(report),
    )
    events.publish(ReportSubmitted(report_id=report.pk))
    return report


def normalise_receipt_code(code: str) -> str:
    """``ntr abcd1234``, ``NTRABCD1234`` or ``ntr-abcd-1234`` -> ``NTR-ABCD-1234``."""
    compact = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(compact) == 11 and compact.startswith("NTR"):
        return f"NTR-{compact[3:7]}-{compact[7:]}"
    return code.strip().upper()


def report_for_receipt(code: str, secret: str) -> Report | None:
    """The report of a receipt, or None; a wrong secret looks exactly like an unknown code."""
    report = Report.objects.filter(receipt_code=normalise_receipt_code(code)).first()
    expected = report.secret_digest if report is not None else "0" * 64
    valid = hmac.compare_digest(expected, secret_digest(secret))
    return report if report is not None and valid else None


@transaction.atomic
def ask_reporter(*, report: Report, officer: Any, question: str) -> ReportMessage:
    message = ReportMessage.objects.create(
        report=report, sender=ReportMessage.Sender.OFFICER, author=officer, body=question
    )
    audit.record(
        action="intake.ask",
        actor=officer,
        obj=report,
        after={"message": message.pk},
        stream=stream_for(report),
    )
    return message


class ReportClosed(ValueError):
    """The report is closed: the reporter can no longer reply or add evidence."""


@transaction.atomic
def reporter_reply(*, report: Report, body: str, upload_token: str = "") -> ReportMessage:
    from netral.intake.queries import is_final, public_stages

    if is_final(public_stages(report)):
        raise ReportClosed(report.receipt_code)
    message = ReportMessage.objects.create(
        report=report, sender=ReportMessage.Sender.REPORTER, body=body
    )
    added = []
    if upload_token:
        added = list(
            Evidence.objects.filter(upload_token=upload_token, report__isnull=True).values_list(
                "sha256", flat=True
            )
        )
        Evidence.objects.filter(upload_token=upload_token, report__isnull=True).update(
            report=report
        )
    audit.record(
        action="intake.reporter_reply",
        obj=report,
        after={"message": message.pk, "evidence": added},
        evidence=[{"sha256": h} for h in added],
        stream=stream_for(report),
    )
    return message


def _identity(report: Report) -> dict[str, str]:
    """The reporter's identity, decrypted (bound to the receipt code)."""
    return crypto.decrypt(bytes(report.reporter_identity or b""), bound_to=report.receipt_code)


IDENTITY_FIELDS = ("name", "nik", "address", "phone", "email")


def masked_identity(report: Report) -> dict[str, bool]:
    """What an officer who is not the custodian may know of a reporter: which fields are
    filled, never their length or any of their characters."""
    if not report.reporter_identity:
        return {}
    identity = _identity(report)
    keys = [*IDENTITY_FIELDS, *sorted(set(identity) - set(IDENTITY_FIELDS))]
    return {key: bool(identity.get(key)) for key in keys}


def identity_warnings(report: Report) -> list[str]:
    """Doubts about the reporter's identity for an officer, without revealing any of it: the
    region code itself (six of the NIK's digits, the reporter's district) is left out."""
    from django.utils.translation import gettext as _

    if not report.reporter_identity or not unknown_nik_region(_identity(report).get("nik", "")):
        return []
    return [
        _(
            "The region code of this NIK is not in today's list of districts (it may be an "
            "older code)."
        )
    ]


class RevealRefused(PermissionError):
    pass


@transaction.atomic
def reveal_identity(*, report: Report, custodian: Any, reason: str) -> dict[str, str]:
    """The whole identity, for the custodian of the office that handles the report, after a
    stated reason; every reveal is audited. Nobody else, an administrator included, may."""
    if not reason.strip():
        raise ValueError("a reason is required")
    if not is_custodian_of(custodian, report.office_id):
        raise RevealRefused("only the custodian of the responsible office reveals a reporter")
    identity = _identity(report)
    audit.record(
        action="intake.identity.reveal",
        actor=custodian,
        actor_role="custodian",
        obj=report,
        after={"fields": sorted(k for k, v in identity.items() if v)},
        reason=reason,
        stream=stream_for(report),
    )
    return identity


def already_submitted(idempotency_key: str) -> bool:
    """Whether this key already made a report within its window (a later one makes a new one)."""
    return IdempotentSubmission.objects.filter(
        key=idempotency_key, created_at__gte=timezone.now() - IDEMPOTENCY_WINDOW
    ).exists()


def purge_idempotency(now: Any = None) -> int:
    cutoff = (now or timezone.now()) - IDEMPOTENCY_WINDOW
    deleted, _ = IdempotentSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted


_AGENCY_LOOKUPS = 10_000


def agency_for_text(text: str) -> Agency | None:
    """The registry agency recognised in what the reporter typed (``registry.matching``:
    case, punctuation, abbreviations, a unit's name and word order do not matter). Answers
    are kept per generation of the reference data: the same names come back often."""
    key = " ".join(text.split())
    if not key:
        return None
    return _recognised(reference.generation(), key.casefold())


@functools.lru_cache(maxsize=_AGENCY_LOOKUPS)
def _recognised(generation: tuple[int, int], folded: str) -> Agency | None:
    # ``generation`` is part of the key only: a change to the reference data starts afresh.
    return recognise_agency(folded)


def set_status(
    *, report: Report, status: str, actor: Any, note: str = "", public: bool = True
) -> ReportEvent:
    """Change a report's status with a history entry (public ones reach the reporter)."""
    before = report.status
    report.status = status
    report.save(update_fields=["status", "updated_at"])
    event = ReportEvent.objects.create(report=report, status=status, public=public, note=note)
    audit.record(
        action=f"intake.status.{status}",
        actor=actor,
        obj=report,
        before={"status": before},
        after={"status": status},
        reason=note,
        stream=stream_for(report),
    )
    return event


@transaction.atomic
def request_completion(*, report: Report, officer: Any, missing: str) -> date:
    """Return the report to its reporter for completion, with the deadline of the rules."""
    # One completion rule per election kind; without an election, Pemilu's (as ``is_late``).
    kind = report.election.kind if report.election else "pemilu"
    # The office's own day (WIB, WITA or WIT).
    region = report.office.region_id if report.office is not None else None
    start = timezone.now().astimezone(zone_of(region)).date()
    rule = deadline_rule("completion", kind, start)
    due = counter_for(rule).add(start, rule.amount) if rule else start + timedelta(days=3)
    note = f"{missing} (batas / due: {due.isoformat()})"
    ReportMessage.objects.create(
        report=report, sender=ReportMessage.Sender.OFFICER, author=officer, body=note
    )
    set_status(report=report, status=Report.Status.INCOMPLETE, actor=officer, note=note)
    return due


@transaction.atomic
def reject_report(*, report: Report, officer: Any, reason: str) -> None:
    """Not registered; the reason is shown to the reporter."""
    set_status(report=report, status=Report.Status.REJECTED, actor=officer, note=reason)


@transaction.atomic
def adopt_as_finding(*, report: Report, officer: Any, reason: str) -> None:
    """An anonymous tip or a late report becomes Bawaslu's own finding (initial information)."""
    from netral.intake.models import Progress

    report.kind = Report.Kind.FINDING
    report.save(update_fields=["kind", "updated_at"])
    # The reason was written for the reporter ("the reporter sees it"): it reaches them.
    ReportEvent.objects.create(report=report, status=Progress.ADOPTED, public=True, note=reason)
    audit.record(
        action="intake.adopt_as_finding",
        actor=officer,
        obj=report,
        before={"kind": Report.Kind.REPORT},
        after={"kind": Report.Kind.FINDING},
        reason=reason,
        stream=stream_for(report),
    )


def mark_registered(*, report: Report, officer: Any, case_number: str) -> None:
    """Called by the case service: the reporter sees that the report became a case."""
    set_status(report=report, status=Report.Status.REGISTERED, actor=officer, note=case_number)


def record_progress(
    *, report: Report, progress: str, note: str = "", level: str = ""
) -> ReportEvent:
    """Called by the case service: the reporter sees the stage the case reached (and, when
    it closes without a violation, the public reason; with a sanction, its level)."""
    return ReportEvent.objects.create(
        report=report, status=progress, public=True, note=note, level=level
    )


@transaction.atomic
def merge_report(*, report: Report, into: Report, officer: Any) -> None:
    report.merged_into = into
    report.save(update_fields=["merged_into", "updated_at"])
    set_status(
        report=report,
        status=Report.Status.MERGED,
        actor=officer,
        note=into.receipt_code,
        public=True,
    )


def likely_duplicates(report: Report, window_days: int = 14) -> list[Report]:
    """Other reports about the same person and act: NIP, or name and agency; close dates;
    or the same evidence file or link."""
    from django.db.models import Q

    others = Report.objects.exclude(pk=report.pk).exclude(status=Report.Status.REJECTED)
    near = Q(
        act_date__gte=report.act_date - timedelta(days=window_days),
        act_date__lte=report.act_date + timedelta(days=window_days),
    )
    same_person = Q(accused_name__iexact=report.accused_name.strip())
    if report.accused_agency_id:
        same_person &= Q(accused_agency_id=report.accused_agency_id)
    if report.accused_nip:
        same_person |= Q(accused_nip=report.accused_nip)
    hashes = list(report.evidence.values_list("sha256", flat=True))
    urls = list(report.links.values_list("url", flat=True))
    condition = same_person & near
    if hashes:
        condition |= Q(evidence__sha256__in=hashes)
    if urls:
        condition |= Q(links__url__in=urls)
    return list(others.filter(condition).distinct().order_by("created_at")[:20])


class TransferRefused(ValueError):
    """Why a report may not be passed to that office (a message for the officer), and the
    input at fault."""

    def __init__(self, message: str, field: str = "office") -> None:
        super().__init__(message)
        self.field = field


def bawaslu_offices_for_transfer(current: Office | None) -> list[Office]:
    """The Bawaslu offices a report or case may be passed to (every one but its own)."""
    offices = Office.objects.filter(kind=Office.Kind.BAWASLU).select_related("region")
    if current is not None:
        offices = offices.exclude(pk=current.pk)
    return list(offices.order_by("region_id", "name"))


@transaction.atomic
def transfer_report(*, report: Report, office: Office, officer: Any, reason: str) -> Report:
    """Pass a report not yet registered to another Bawaslu office, with a reason.

    Audited in the stream of the office that gives it up; the receiving office's members are
    notified; the reporter's receipt (code, secret, history) stays as it is."""
    from django.utils.translation import gettext as _

    report = Report.objects.select_for_update().get(pk=report.pk)
    if not reason.strip():
        raise TransferRefused(_("State why the report goes to another office."), "reason")
    if report.status not in (Report.Status.RECEIVED, Report.Status.INCOMPLETE):
        raise TransferRefused(
            _(
                "Only a report not yet decided can be passed on; a registered one moves "
                "with its case."
            )
        )
    if office.kind != Office.Kind.BAWASLU or office.pk == report.office_id:
        raise TransferRefused(_("Choose another Bawaslu office."))
    before = {"office": report.office_id, "region": report.region_id}
    stream = stream_for(report)
    report.office = office
    report.region_id = office.region_id
    report.save(update_fields=["office", "region", "updated_at"])
    audit.record(
        action="intake.transfer",
        actor=officer,
        obj=report,
        before=before,
        after={"office": office.pk, "region": office.region_id},
        reason=reason,
        stream=stream,
    )
    transaction.on_commit(lambda: announce_transfer(report.pk, office.pk, reason))
    return report


def announce_transfer(report_id: int, office_id: int, reason: str) -> int:
    """Tell the members of the receiving office that a report was passed to them."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from netral.accounts.models import Membership
    from netral.core.notify import notify

    report = Report.objects.get(pk=report_id)
    users = set(
        Membership.objects.filter(
            office_id=office_id, is_active=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )

    def render() -> tuple[str, str]:
        subject = _("Report %(code)s was passed to your office") % {"code": report.receipt_code}
        body = _("Reason: %(reason)s") % {"reason": reason[:300]}
        return subject, body

    return notify(
        users=users,
        key=f"report:{report_id}:transfer:{office_id}:{report.updated_at:%Y%m%d%H%M%S%f}",
        url=reverse("reports:detail", args=[report.receipt_code]),
        render=render,
    )


def follow_case_office(*, report_ids: list[int], office: Office) -> int:
    """Called by the case service when a case goes to another office: its reports follow (the
    case's audit entry records the move)."""
    return Report.objects.filter(pk__in=report_ids).update(
        office=office, region_id=office.region_id, updated_at=timezone.now()
    )
