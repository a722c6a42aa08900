"""Background tasks of the core: the worker's heartbeat, notifications, expired counters."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from netral.core.models import WorkerHeartbeat


@task()
def heartbeat() -> None:
    """Prove that a worker is alive: ``/health`` reads the time this last ran."""
    WorkerHeartbeat.objects.update_or_create(name="default", defaults={"last_seen": timezone.now()})


@task()
def email_notifications(key: str) -> int:
    """E-mail the notifications stored under ``key`` that were not e-mailed yet; each only once."""
    from django.conf import settings
    from django.core.mail import send_mail

    from netral.core.models import Notification

    sent = 0
    pending = Notification.objects.filter(key=key, emailed_at__isnull=True).select_related("user")
    for notification in pending:
        # Claim it first: a second worker running the same task finds nothing to claim.
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed or not notification.user.email:
            continue
        link = f"{settings.NETRAL_SITE_URL}{notification.url}" if notification.url else ""
        send_mail(
            subject=f"[Netral] {notification.subject}",
            message="\n\n".join(part for part in (notification.body, link) if part),
            from_email=None,
            recipient_list=[notification.user.email],
        )
        sent += 1
    return sent


@task()
def purge_counters() -> int:
    """Remove expired rate-limit counters (one key per client and window accumulates)."""
    from django.core.cache import caches

    from netral.core.counters import CounterCache

    counters = caches["counters"]
    return counters.purge_expired() if isinstance(counters, CounterCache) else 0


@task()
def checkpoint_audit() -> int:
    """Sign the head of every audit chain that moved in the last hour (see ``checkpoints``)."""
    from netral.core.checkpoints import checkpoint_all

    return checkpoint_all()
