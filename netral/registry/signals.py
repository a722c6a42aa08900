"""Single saves and deletes of civil servants keep their agencies' headcounts true."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from netral.registry.models import CivilServant


@receiver(pre_save, sender=CivilServant)
def remember_agency(sender: Any, instance: CivilServant, **kwargs: Any) -> None:
    if instance.pk is not None:
        instance._previous_agency_id = (  # type: ignore[attr-defined]
            CivilServant.objects.filter(pk=instance.pk).values_list("agency_id", flat=True).first()
        )


@receiver(post_save, sender=CivilServant)
@receiver(post_delete, sender=CivilServant)
def recount(sender: Any, instance: CivilServant, **kwargs: Any) -> None:
    from netral.registry.headcount import refresh_headcounts

    agencies = {instance.agency_id, getattr(instance, "_previous_agency_id", None)} - {None}
    transaction.on_commit(lambda: refresh_headcounts(agencies))  # type: ignore[arg-type]
