"""Screening of social-media posts: per-election cue profiles, posts with explainable scores,
reviewers' decisions and the model learnt from them. Nothing here is public, and nothing is
decided automatically: a score only orders the review queue.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from netral.core.scope import Jurisdiction


class Profile(models.Model):
    """One version of an election's cue profile; a change is a new row, never an edit."""

    election = models.ForeignKey(
        "rules.Election", on_delete=models.PROTECT, related_name="+", verbose_name=_("election")
    )
    version = models.PositiveIntegerField(_("version"))
    # {"hashtags": [...], "pairs": [{"number", "names", "nicknames", "hashtags", "accounts",
    #   "parties", "slogans", "programmes"}]}
    data = models.JSONField(_("profile"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("screening profile")
        verbose_name_plural = _("screening profiles")
        ordering = ["election", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["election", "version"], name="profile_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.election_id} v{self.version}"


class ImportJob(models.Model):
    """A CSV export of a monitoring tool, imported by the worker with progress."""

    # Seen by the scopes that cover its region (netral.core.scope).
    jurisdiction: ClassVar[Jurisdiction] = Jurisdiction(region="region")

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Waiting for the column mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    election = models.ForeignKey("rules.Election", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=8, default="id")
    source = models.FileField(upload_to="screening/imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    # Canonical field -> the file's column header.
    mapping = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    flagged_rows = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["region", "-created_at"], name="screen_import_scope_idx")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))


class Verdict(models.TextChoices):
    PARTISAN = "partisan", _("Partisan")
    NOT_PARTISAN = "not_partisan", _("Not partisan")
    UNSURE = "unsure", _("Unsure")


class Post(models.Model):
    """A post to screen, with its current score and the cues that explain it."""

    # Seen by the scopes that cover its region (netral.core.scope).
    jurisdiction: ClassVar[Jurisdiction] = Jurisdiction(region="region")

    class Source(models.TextChoices):
        PASTED = "pasted", _("Pasted text")
        CSV = "csv", _("CSV import")
        SCREENSHOT = "screenshot", _("Screenshot (OCR)")
        EVIDENCE = "evidence", _("Report evidence")

    election = models.ForeignKey("rules.Election", on_delete=models.PROTECT, related_name="+")
    # The jurisdiction the post belongs to (the importing officer's); null: national only.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    import_job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, null=True, blank=True, related_name="posts"
    )
    # Identifies the same post imported again (platform, account, URL and text).
    digest = models.CharField(max_length=64)
    text = models.TextField(_("text"))
    author = models.CharField(_("author"), max_length=200, blank=True)
    account = models.CharField(_("account"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    platform = models.CharField(_("platform"), max_length=40, blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    screenshot = models.FileField(upload_to="screening/screenshots/%Y/%m/", blank=True)
    screenshot_sha256 = models.CharField(max_length=64, blank=True)
    # Scores: the cue layer's, the model's probability, and the rank that orders the queue.
    cue_score = models.FloatField(default=0)
    model_score = models.FloatField(null=True, blank=True)
    score = models.FloatField(default=0)
    flagged = models.BooleanField(default=False)
    cues = models.JSONField(default=list)
    profile_version = models.PositiveIntegerField(default=0)
    model_version = models.PositiveIntegerField(null=True, blank=True)
    # The latest decision (the history is in Decision); empty: not reviewed yet.
    verdict = models.CharField(max_length=12, choices=Verdict.choices, blank=True)
    civil_servant = models.ForeignKey(
        "registry.CivilServant", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finding = models.ForeignKey(
        "intake.Report", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The report whose evidence this post is (screened on arrival to help triage).
    report = models.ForeignKey(
        "intake.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["election", "digest"], name="post_once_per_election")
        ]
        indexes = [
            models.Index(fields=["election", "-score", "id"], name="post_queue_idx"),
            models.Index(fields=["region", "election", "verdict"], name="post_scope_idx"),
            models.Index(fields=["account"], name="post_account_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.text[:40]}"


class Decision(models.Model):
    """A reviewer's decision on a post; append-only, the latest one is the post's verdict."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="decisions")
    verdict = models.CharField(_("decision"), max_length=12, choices=Verdict.choices)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.post_id} {self.verdict}"


class Account(models.Model):
    """A social-media account known to belong to a civil servant in the registry."""

    platform = models.CharField(_("platform"), max_length=40, blank=True)
    handle = models.CharField(_("account"), max_length=200)
    civil_servant = models.ForeignKey(
        "registry.CivilServant", on_delete=models.CASCADE, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "handle"], name="account_once")]

    def __str__(self) -> str:
        return self.handle


class RankingModel(models.Model):
    """One trained version of an election's model: the weights of a linear classifier over
    hashed character n-grams (the vectoriser keeps no state, so weights are all it needs)."""

    election = models.ForeignKey("rules.Election", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    weights = models.BinaryField()
    intercept = models.FloatField()
    # Probability above which a post with no cue is flagged (top of the presumed negatives).
    threshold = models.FloatField()
    positives = models.PositiveIntegerField(default=0)
    negatives = models.PositiveIntegerField(default=0)
    presumed_negatives = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["election", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["election", "version"], name="model_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.election_id} model v{self.version}"
