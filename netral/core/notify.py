"""Notifications: one row per user and key (so nothing is sent twice), e-mailed by the worker."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from netral.core.models import Notification


def notify(*, users: Iterable[Any], key: str, subject: str, body: str = "", url: str = "") -> int:
    """Store a notification for each user who has none with ``key`` yet; e-mail them later.

    Returns how many were new. Safe to call twice with the same key: the second call adds nothing.
    """
    user_ids = {u if isinstance(u, int) else u.pk for u in users}
    if not user_ids:
        return 0
    existing = set(
        Notification.objects.filter(key=key, user_id__in=user_ids).values_list("user_id", flat=True)
    )
    new_ids = sorted(user_ids - existing)
    Notification.objects.bulk_create(
        [
            Notification(user_id=uid, key=key, subject=subject[:200], body=body, url=url[:300])
            for uid in new_ids
        ],
        ignore_conflicts=True,
    )
    if new_ids:
        from netral.core.tasks import email_notifications

        transaction.on_commit(lambda: email_notifications.enqueue(key=key))
    return len(new_ids)
