"""The tamper-evident audit trail and the rows that keep background work observable."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only and cannot be updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only and cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only and cannot be updated.")


class AuditStream(models.Model):
    """The head of one hash chain (one per office or stream), locked while an entry is appended."""

    name = models.CharField(max_length=64, primary_key=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("audit stream")
        verbose_name_plural = _("audit streams")

    def __str__(self) -> str:
        return f"{self.name} #{self.last_seq}"


class AuditEntry(models.Model):
    """One recorded action: who, as what role, did what to which object, why, and when.

    ``hash`` is SHA-256 over the previous entry's hash followed by this entry's canonical JSON
    (see ``netral.core.audit.canonical``), so any edit behind the ORM's back breaks the chain.
    """

    stream = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["stream", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="audit_stream_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "created_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are append-only and cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only and cannot be deleted.")


class AuditCheckpoint(models.Model):
    """A signed statement of one chain's head (RFC 9162's signed tree head, in simple form):
    the stream, the sequence number and hash of its last entry, the time, and the hashes of the
    entries since the previous checkpoint, signed with an Ed25519 key that is not in the
    database (``netral.core.checkpoints``). Copies are published and exported, so a chain
    rewritten or cut short behind the application's back no longer matches them."""

    stream = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    head_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    from_seq = models.PositiveBigIntegerField()
    # The hashes of entries from_seq..seq, in order (the last one is head_hash).
    hashes = models.JSONField(default=list)
    key_id = models.CharField(max_length=40)
    signature = models.CharField(max_length=100)  # base64 of the 64-byte Ed25519 signature

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["stream", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="audit_checkpoint_unique"),
        ]
        indexes = [models.Index(fields=["signed_at"], name="audit_checkpoint_time_idx")]

    def __str__(self) -> str:
        return f"{self.stream}@{self.seq} {self.head_hash[:12]}"


class WorkerHeartbeat(models.Model):
    """Written by a task that the worker runs each minute; ``/health`` reads it."""

    name = models.CharField(max_length=64, primary_key=True)
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


class ScheduledRun(models.Model):
    """One row per periodic task and period, so the scheduler enqueues each period exactly once."""

    task_path = models.CharField(max_length=200)
    period_start = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task_path", "period_start"], name="scheduled_run_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_path} {self.period_start:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """A message to one user, shown in the app and sent by e-mail through a background task.

    ``key`` makes a notification idempotent: the same key for the same user is stored once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=120)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.subject}"


class Revision(models.Model):
    """A value changed on every change of some data that processes cache (the reference memo,
    the working calendars; see ``netral.core.reference.bump_revision``), so each process can
    tell cheaply that its copy is stale."""

    name = models.CharField(max_length=64, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} revision {self.value}"


class Counter(models.Model):
    """Shared counters with an expiry: the rate limits' store when no Redis is configured
    (``netral.core.counters.CounterCache``). Each read or change is one statement; on
    PostgreSQL the table is UNLOGGED (a crash forgets the counts, which only forgives
    clients, and no write here waits for the disk)."""

    name = models.CharField(max_length=250, primary_key=True)
    n = models.BigIntegerField()
    expires_at = models.BigIntegerField(db_index=True, help_text="Unix time, seconds")

    def __str__(self) -> str:
        return f"{self.name}={self.n}"
