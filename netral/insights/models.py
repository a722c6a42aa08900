"""Exports run as background jobs: progress, a file in storage, a link that expires."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", _("PDF summary")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    source = models.CharField(_("list"), max_length=30)
    params = models.JSONField(default=dict)
    format = models.CharField(max_length=4, choices=Format.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Refreshed while a worker runs the job (netral.core.leases); a stale one means it died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "-id"], name="export_owner_idx")]

    def __str__(self) -> str:
        return f"{self.source}.{self.format} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0


class WeeklySummary(models.Model):
    """One office's weekly summary PDF: made once per ISO week, kept, e-mailed to the head."""

    office = models.ForeignKey("registry.Office", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    week = models.PositiveSmallIntegerField()
    document = models.FileField(upload_to="summaries/%Y/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "week"], name="summary_once_a_week")
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.year}-W{self.week:02d}"


class CaseStat(models.Model):
    """Counts of cases per election and regency/city (the rollup dashboards read nationally):
    one row per (election, regency, dimension, key). Recounted for a partition after every
    change of its cases, and nightly."""

    election_id = models.BigIntegerField(null=True)
    # Dimensions: state, month, violation, imposed, recommended, flag, and the follow-up of
    # recommendations per PPK (fu_received, fu_in_time, fu_late, fu_open; key = PPK id).
    province_code = models.CharField(max_length=2)
    regency_code = models.CharField(max_length=5)
    dimension = models.CharField(max_length=12)
    key = models.CharField(max_length=40)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        # Both read indexes hold the count too (covering) and are ordered as the dashboard
        # groups: every dimension by key nationally, or within one province, without a sort.
        indexes = [
            models.Index(
                fields=["dimension", "province_code", "key", "n"], name="stat_province_sum_idx"
            ),
            models.Index(
                fields=["dimension", "key", "province_code", "n"], name="stat_key_sum_idx"
            ),
            models.Index(fields=["election_id", "regency_code"], name="stat_partition_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.election_id}/{self.regency_code} {self.dimension}={self.key}: {self.n}"


class RollupDay(models.Model):
    """The day the whole rollup was last recounted (one row). Overdue counts depend on the date:
    they come from the rollup only when it was recounted today, otherwise they are counted live
    (a case becomes overdue only at midnight or when it changes, and every change recounts its
    partition, so a rollup recounted today is exact all day)."""

    day = models.DateField()

    def __str__(self) -> str:
        return f"rollup of {self.day}"
