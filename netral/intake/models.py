"""Public reports (laporan) and Bawaslu's own findings (temuan), up to the decision to register.

Reporter identities are encrypted (``netral.intake.crypto``); receipt secrets are stored as
HMAC-SHA256. Evidence originals are sealed with their SHA-256; the working copy has no metadata.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from netral.core.scope import Jurisdiction


class Report(models.Model):
    # Seen by the scopes that cover its region (netral.core.scope).
    jurisdiction: ClassVar[Jurisdiction] = Jurisdiction(region="region")

    class Kind(models.TextChoices):
        REPORT = "report", _("Public report (laporan)")
        FINDING = "finding", _("Bawaslu's own finding (temuan)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        INCOMPLETE = "incomplete", _("Waiting for completion")
        REGISTERED = "registered", _("Registered")
        REJECTED = "rejected", _("Not registered")
        MERGED = "merged", _("Merged into another report")

    receipt_code = models.CharField(_("receipt code"), max_length=20, unique=True)
    secret_digest = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.REPORT)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    # The office that handles it (routing) and the Bawaslu office's region, for scoping.
    office = models.ForeignKey(
        "registry.Office", on_delete=models.PROTECT, related_name="reports", null=True
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    election = models.ForeignKey(
        "rules.Election", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    violation_type = models.ForeignKey(
        "rules.ViolationType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The accused civil servant, as the reporter knows them, and the registry match if any.
    accused_name = models.CharField(_("name of the civil servant"), max_length=200)
    accused_nip = models.CharField(_("NIP"), max_length=18, blank=True)
    accused_agency_text = models.CharField(_("agency or unit"), max_length=200, blank=True)
    accused_position = models.CharField(_("position"), max_length=200, blank=True)
    accused_agency = models.ForeignKey(
        "registry.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accused = models.ForeignKey(
        "registry.CivilServant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    act_date = models.DateField(_("date of the act"))
    act_place = models.CharField(_("place of the act"), max_length=300, blank=True)
    act_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    learned_date = models.DateField(_("date you learnt of it"))
    description = models.TextField(_("what happened"))
    late = models.BooleanField(_("reported after the deadline"), default=False)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    # AES-GCM blob of {"name", "nik", "address", "phone", "email"}; never logged, never exported.
    reporter_identity = models.BinaryField(null=True, blank=True, editable=False)
    statement_true = models.BooleanField(_("declared true"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["region", "status", "-created_at"], name="report_scope_idx"),
            models.Index(fields=["accused_nip"], name="report_nip_idx"),
            models.Index(fields=["accused_agency", "act_date"], name="report_agency_act_idx"),
        ]

    def __str__(self) -> str:
        return self.receipt_code


class Progress(models.TextChoices):
    """What a reporter may learn of the case their report became: a stage, never more."""

    ADOPTED = "adopted", _("Taken up as Bawaslu's own finding")
    STUDY = "studying", _("Being studied by Bawaslu")
    FORWARDED = "forwarded", _("Forwarded to the reviewing agency")
    WITH_PPK = "with_ppk", _("With the disciplining official (PPK)")
    DECIDED = "decided", _("Decided by the disciplining official (PPK)")
    FOLLOW_UP = "follow_up", _("Follow-up reported by the PPK")
    NO_VIOLATION = "no_violation", _("Closed: no violation of ASN neutrality was found")
    NOT_PROVEN = "not_proven", _("Closed: the violation was not proven")
    SANCTIONED = "sanctioned", _("Closed: violation proven, sanction imposed")
    CLOSED = "closed", _("Closed")


# The stages after which nothing more happens: the reporter can no longer reply.
FINAL_STAGES = frozenset(
    {
        Progress.NO_VIOLATION,
        Progress.NOT_PROVEN,
        Progress.SANCTIONED,
        Progress.CLOSED,
        "rejected",
    }
)


class ReportEvent(models.Model):
    """One step of a report's history; ``public`` ones are shown to the reporter."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20)
    public = models.BooleanField(default=True)
    note = models.TextField(blank=True)
    # The level of the sanction imposed (a ``rules.Sanction.Level``), never its name.
    level = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.status}"

    @property
    def label(self) -> str:
        for choices in (Report.Status, Progress):
            if self.status in choices.values:
                return str(choices(self.status).label)
        return self.status

    @property
    def level_label(self) -> str:
        from netral.rules.models import Sanction

        if self.level in Sanction.Level.values:
            return str(Sanction.Level(self.level).label)
        return ""


class ReportMessage(models.Model):
    """The two-way channel between the officer and the reporter, through the receipt."""

    class Sender(models.TextChoices):
        OFFICER = "officer", _("Officer")
        REPORTER = "reporter", _("Reporter")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=8, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.sender}"


class Evidence(models.Model):
    """A file: the sealed original with its hash, and a working copy without metadata."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    # Uploads wait for their form or API submission under this token.
    upload_token = models.CharField(max_length=40, db_index=True)
    original = models.FileField(upload_to="evidence/originals/%Y/%m/")
    working = models.FileField(upload_to="evidence/working/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    working_sha256 = models.CharField(max_length=64, blank=True)
    metadata_removed = models.BooleanField(default=False)
    # Active content a PDF carries (/JavaScript, /Launch...): shown to officers as a warning; the
    # file is only ever downloaded, never opened in Netral's pages.
    active_content = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # The same file sent twice with one form (a retry, or chosen again) is kept once.
            models.UniqueConstraint(
                fields=["upload_token", "sha256"], name="evidence_once_per_upload"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"


class ReportLink(models.Model):
    class Platform(models.TextChoices):
        FACEBOOK = "facebook", "Facebook"
        INSTAGRAM = "instagram", "Instagram"
        X = "x", "X/Twitter"
        TIKTOK = "tiktok", "TikTok"
        YOUTUBE = "youtube", "YouTube"
        WHATSAPP = "whatsapp", "WhatsApp"
        OTHER = "other", _("Other website")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=1000)
    platform = models.CharField(max_length=10, choices=Platform.choices)

    class Meta:
        indexes = [models.Index(fields=["url"], name="report_link_url_idx")]

    def __str__(self) -> str:
        return self.url


class IdempotentSubmission(models.Model):
    """A retried or double-clicked submission returns the first answer instead of a new report."""

    key = models.CharField(max_length=100, unique=True)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    # The first answer, receipt secret included, encrypted like identities: a retry whose first
    # answer was lost gets the same receipt. Purged after a day.
    response = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
