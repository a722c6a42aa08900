"""Changing the law as data: every change keeps the previous version and is audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import model_to_dict

from netral.core import audit
from netral.rules.models import LocalDayOff, RuleRow, RuleVersion

RULES_STREAM = "rules"


def _snapshot(obj: RuleRow) -> dict[str, Any]:
    data = model_to_dict(obj)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))


@transaction.atomic
def save_rule(
    *,
    obj: RuleRow,
    actor: Any,
    reason: str,
    correction: str = "",
    after_save: Callable[[], None] | None = None,
) -> RuleRow:
    """Save a rule row as a new version; the old version stays as a ``RuleVersion``.

    ``after_save`` changes what the snapshot should include beyond the row itself (its
    many-to-many links); ``correction`` names the catalogue correction making this version."""
    label = obj._meta.label_lower
    before: dict[str, Any] = {}
    if obj.pk is not None:
        current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        before = _snapshot(current)
        RuleVersion.objects.get_or_create(
            model=label,
            object_id=str(obj.pk),
            version=current.version,
            defaults={"data": before, "reason": ""},
        )
        obj.version = current.version + 1
    else:
        obj.version = 1
    obj.save()
    if after_save is not None:
        after_save()
    after = _snapshot(obj)
    RuleVersion.objects.create(
        model=label,
        object_id=str(obj.pk),
        version=obj.version,
        data=after,
        reason=reason,
        correction=correction,
    )
    audit.record(
        action="rule.change" if before else "rule.create",
        actor=actor,
        obj=obj,
        before=before,
        after=after,
        reason=reason,
        stream=RULES_STREAM,
    )
    return obj


@transaction.atomic
def add_local_day_off(
    *, actor: Any, region_id: str, day: Any, name: str, citation: str = ""
) -> LocalDayOff:
    day_off = LocalDayOff.objects.create(
        region_id=region_id, date=day, name=name, citation=citation
    )
    audit.record(
        action="calendar.local_day_off.add",
        actor=actor,
        obj=day_off,
        after={"region": region_id, "date": day, "name": name, "citation": citation},
        stream=RULES_STREAM,
    )
    return day_off
