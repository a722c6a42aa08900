"""The case file: opened when Bawaslu registers a report or finding; moved by ``workflow``.

The states and transitions themselves are declared in ``netral.cases.workflow``; this module
only stores where a case is, what it carries, and its append-only history.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    UNDER_STUDY = "under_study", _("Under study by Bawaslu")
    STUDY_INFO_REQUESTED = "study_info_requested", _("More information requested (study)")
    NOT_VIOLATION = "not_violation", _("Closed: not a violation")
    FORWARDED = "forwarded", _("Forwarded to the reviewing agency")
    UNDER_VERIFICATION = "under_verification", _("Under verification by the reviewing agency")
    VERIFICATION_INFO_REQUESTED = (
        "verification_info_requested",
        _("More information requested (verification)"),
    )
    RECOMMENDATION_ISSUED = "recommendation_issued", _("Recommendation issued")
    RECEIVED_BY_PPK = "received_by_ppk", _("Received by the PPK")
    EXAMINATION = "examination", _("Examination")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appeal filed")
    FOLLOW_UP_REPORTED = "follow_up_reported", _("Follow-up reported")
    CLOSED = "closed", _("Closed")


class Holder(models.TextChoices):
    """Whose move it is: the party the deadline and the overdue queue belong to."""

    BAWASLU = "bawaslu", _("Bawaslu")
    REVIEWER = "reviewer", _("Reviewing agency")
    PPK = "ppk", _("PPK")
    NONE = "none", _("Nobody (closed)")


class Case(models.Model):
    State = State
    Holder = Holder

    number = models.CharField(_("case number"), max_length=40, unique=True)
    state = models.CharField(_("state"), max_length=30, choices=State.choices)
    holder = models.CharField(
        _("whose move"), max_length=8, choices=Holder.choices, default=Holder.BAWASLU
    )
    office = models.ForeignKey(
        "registry.Office", on_delete=models.PROTECT, related_name="cases", verbose_name=_("office")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The region's province and regency/city codes, so a jurisdiction is one index range.
    province_code = models.CharField(max_length=2, blank=True)
    regency_code = models.CharField(max_length=5, blank=True)
    election = models.ForeignKey(
        "rules.Election", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The race the act concerns (president, DPR, governor...): its candidate determination
    # decides the track when the election's races were determined on different days.
    race = models.ForeignKey(
        "rules.ElectionRace",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("race"),
    )
    # The working time zone of the office holding the case (IANA key): its deadlines end at
    # the end of the day there, and its reminders go out at 08:00 there.
    zone = models.CharField(
        _("time zone"), max_length=20, default="Asia/Jakarta", db_default="Asia/Jakarta"
    )
    violation_types = models.ManyToManyField("rules.ViolationType", blank=True, related_name="+")
    # The accused's agency: its PPK receives the recommendation. All accused share it.
    agency = models.ForeignKey(
        "registry.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    # Display summary of the accused ("A", "A and 2 others"); the rows are ``Accused``.
    accused_name = models.CharField(_("civil servant"), max_length=200)
    act_date = models.DateField(_("date of the act"), null=True, blank=True)
    # The checklist of formal and material requirements as the officer filled it in.
    registration = models.JSONField(default=dict)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    registered_at = models.DateTimeField()
    # The local date of registration: dashboards group and filter by it natively in SQL.
    registered_on = models.DateField(null=True, editable=False)
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    # Set along the way, kept for the follow-up statistics and the letters.
    reviewing_agency = models.ForeignKey(
        "rules.ReviewingAgency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ppk = models.ForeignKey(
        "registry.PPKAppointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("PPK"),
    )
    track = models.CharField(_("track"), max_length=10, blank=True)
    recommended_sanction = models.ForeignKey(
        "rules.Sanction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imposed_sanction = models.ForeignKey(
        "rules.Sanction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    forwarded_on = models.DateField(null=True, blank=True)
    recommended_on = models.DateField(null=True, blank=True)
    ppk_received_on = models.DateField(null=True, blank=True)
    ppk_due_date = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    followed_up_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    # Rule rows and their versions used on this case: "model:pk" -> version.
    rule_versions = models.JSONField(default=dict)

    # The deadline of the current state: set on entering it, cleared when it has none.
    due_date = models.DateField(_("due date"), null=True, blank=True)
    deadline_rule = models.ForeignKey(
        "rules.DeadlineRule", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overdue_since = models.DateField(null=True, blank=True)
    warnings_sent = models.PositiveSmallIntegerField(default=0)
    blocking_requested_on = models.DateField(null=True, blank=True)
    # Number of the event that entered the current state; reminders are keyed by it.
    state_event = models.PositiveIntegerField(default=0)
    imported = models.BooleanField(default=False)
    # Optimistic concurrency: every transition checks and increments it.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["province_code", "id"], name="case_province_idx"),
            models.Index(fields=["regency_code", "id"], name="case_regency_idx"),
            models.Index(fields=["agency", "id"], name="case_agency_idx"),
            models.Index(fields=["office", "id"], name="case_office_idx"),
            models.Index(fields=["holder", "due_date"], name="case_due_idx"),
            models.Index(fields=["office", "holder", "due_date"], name="case_office_due_idx"),
            models.Index(fields=["agency", "holder", "due_date"], name="case_agency_due_idx"),
            models.Index(fields=["election", "state"], name="case_election_idx"),
            models.Index(fields=["state", "id"], name="case_state_idx"),
            models.Index(fields=["registered_on"], name="case_registered_idx"),
            # Recommendations still open per PPK and deadline (the follow-up's "overdue" per
            # PPK): grouped in index order without reading the cases, in the country or a
            # province. Covering: SQLite, unlike PostgreSQL, reads the table to check a partial
            # index's condition (and a province) unless those columns are in the index.
            models.Index(
                fields=["ppk", "ppk_due_date", "province_code", "recommended_on", "decided_on"],
                name="case_ppk_open_idx",
                condition=models.Q(decided_on__isnull=True, recommended_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.registered_at is not None:
            self.registered_on = self.registered_at.astimezone(ZoneInfo(self.zone)).date()
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.holder != Holder.NONE

    def local_today(self, now: datetime | None = None) -> date:
        """Today in the zone of the office holding the case (its deadlines end there)."""
        from django.utils import timezone

        return (now or timezone.now()).astimezone(ZoneInfo(self.zone)).date()

    def is_overdue(self, now: datetime | None = None) -> bool:
        return bool(self.due_date and self.is_open and self.due_date < self.local_today(now))

    @property
    def zone_label(self) -> str:
        """WIB, WITA or WIT."""
        from netral.regions.queries import zone_abbreviation

        return zone_abbreviation(ZoneInfo(self.zone))

    @property
    def overdue(self) -> bool:
        """Past its due date as of now in the office's zone (the end of that working day)."""
        return self.is_overdue()


class Accused(models.Model):
    """A civil servant a case is about: a registry entry, or a person not yet matched."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="accused")
    civil_servant = models.ForeignKey(
        "registry.CivilServant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_roles",
    )
    name = models.CharField(_("name"), max_length=200)
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("accused civil servant")
        verbose_name_plural = _("accused civil servants")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class CaseReport(models.Model):
    """The reports and findings a case comes from; each reporter keeps their own receipt."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sources")
    report = models.OneToOneField(
        "intake.Report", on_delete=models.PROTECT, related_name="case_link"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.case_id} <- {self.report_id}"


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError(f"{type(self).__name__} rows are never deleted")


class CaseEvent(AppendOnly):
    """One step of the case's timeline: who moved it, when, why, with what and on what evidence."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    transition = models.CharField(max_length=40)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_roles = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    effective_on = models.DateField()
    reason = models.TextField(blank=True)
    inputs = models.JSONField(default=dict)
    due_date = models.DateField(null=True, blank=True)
    # Shown to the reporter through the receipt (a public-safe state name and, if any, reason).
    public_note = models.TextField(blank=True)

    class Meta:
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.transition}"


class CaseDocument(AppendOnly):
    """A letter Netral produced or a document someone uploaded; hashed and kept."""

    class Kind(models.TextChoices):
        FORWARDING_LETTER = "forwarding_letter", _("Forwarding letter")
        RECOMMENDATION_LETTER = "recommendation_letter", _("Recommendation letter")
        STUDY = "study", _("Study (kajian)")
        EXAMINATION_REPORT = "examination_report", _("Examination report")
        DECISION = "decision", _("Decision letter (SK)")
        FOLLOW_UP = "follow_up", _("Follow-up report")
        APPEAL = "appeal", _("Appeal")
        APPEAL_DECISION = "appeal_decision", _("Appeal decision")
        OTHER = "other", _("Other document")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    event = models.ForeignKey(
        CaseEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    number = models.CharField(_("letter number"), max_length=120, blank=True)
    file = models.FileField(upload_to="cases/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    generated = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.number or self.original_name}"


class LetterSequence(models.Model):
    """The last number an office gave to a kind of letter in a year."""

    office = models.ForeignKey("registry.Office", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "kind", "year"], name="letter_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.kind} {self.year}: {self.last}"


class CaseNumberSequence(models.Model):
    """The last case number an office gave in a year (no count(*) over a million rows)."""

    office = models.ForeignKey("registry.Office", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="case_number_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.year}: {self.last}"


class Reminder(models.Model):
    """A reminder, overdue mark or escalation already sent for one state entry: never twice."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("due in two working days")
        DUE_TODAY = "due_today", _("due today")
        ESCALATED = "escalated", _("overdue, escalated")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    state_event = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "state_event", "kind"], name="reminder_once_per_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.state_event} {self.kind}"


class CandidateRegistration(models.Model):
    """Resign to run: a civil servant registered as a candidate, and when they resigned."""

    election = models.ForeignKey("rules.Election", on_delete=models.PROTECT, related_name="+")
    civil_servant = models.ForeignKey(
        "registry.CivilServant", on_delete=models.PROTECT, related_name="candidacies"
    )
    registered_on = models.DateField(_("registered as candidate on"))
    resigned_on = models.DateField(_("resignation effective on"), null=True, blank=True)
    resignation_decree = models.CharField(_("resignation decree"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("candidate registration")
        verbose_name_plural = _("candidate registrations")
        constraints = [
            models.UniqueConstraint(fields=["election", "civil_servant"], name="candidacy_unique")
        ]

    def __str__(self) -> str:
        return f"{self.civil_servant_id} @ {self.election_id}"
