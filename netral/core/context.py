"""Template context: the signed-in user's unread notifications (counted only when shown)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from netral.core.models import Notification

        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    from netral.core.scope import request_scope

    return {
        "unread_notifications": SimpleLazyObject(count),
        "can_appoint_custodians": SimpleLazyObject(
            lambda: request_scope(request).can("accounts.custodians")
        ),
    }
