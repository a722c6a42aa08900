"""Cache invalidation only: any change of days off changes the calendar revision."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from netral.rules.calendar import days_off_changed
from netral.rules.models import Holiday, LocalDayOff


@receiver(post_save, sender=Holiday)
@receiver(post_delete, sender=Holiday)
@receiver(post_save, sender=LocalDayOff)
@receiver(post_delete, sender=LocalDayOff)
def on_days_off_change(sender: Any, **kwargs: Any) -> None:
    days_off_changed()
