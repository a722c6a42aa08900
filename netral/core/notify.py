"""Notifications: one row per user and key (so nothing is sent twice), e-mailed by the worker.

A notification is written in its recipient's language: give ``render``, a function that returns
the subject and the body, and it is called once per language among the recipients, under that
language (the user's last choice with the switcher, else the site's default).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from netral.core.models import Notification

Render = Callable[[], tuple[str, str]]


def _languages(user_ids: Iterable[int]) -> dict[int, str]:
    supported = {code for code, _name in settings.LANGUAGES}
    rows = get_user_model().objects.filter(pk__in=list(user_ids)).values_list("pk", "language")
    return {pk: (lang if lang in supported else settings.LANGUAGE_CODE) for pk, lang in rows}


def notify(
    *,
    users: Iterable[Any],
    key: str,
    subject: str = "",
    body: str = "",
    url: str = "",
    render: Render | None = None,
) -> int:
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
    texts: dict[str, tuple[str, str]] = {}
    languages = _languages(new_ids) if render is not None and new_ids else {}
    rows = []
    for uid in new_ids:
        if render is not None:
            language = languages.get(uid, settings.LANGUAGE_CODE)
            if language not in texts:
                with translation.override(language):
                    texts[language] = render()
            subject, body = texts[language]
        rows.append(
            Notification(user_id=uid, key=key, subject=subject[:200], body=body, url=url[:300])
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if new_ids:
        from netral.core.tasks import email_notifications

        transaction.on_commit(lambda: email_notifications.enqueue(key=key))
    return len(new_ids)


def mark_read(*, user: Any, url: str) -> int:
    """Mark the user's unread notifications that lead to ``url`` as read (they opened it)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user_id=user.pk, url=url, read_at__isnull=True).update(
        read_at=timezone.now()
    )
