"""Rows valid for a period (``valid_from`` .. ``valid_to``, both days included; an empty end is
open): the one way to ask which were valid on a day."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)


def valid_on_condition(model: type[Model], day: date) -> Q:
    """Rows of ``model`` whose validity covers ``day`` (a required start is not tested for
    emptiness, so the (…, valid_from, valid_to) indexes serve the condition as they are)."""
    condition = Q()
    for name, lookup in (("valid_from", "lte"), ("valid_to", "gte")):
        bound = Q(**{f"{name}__{lookup}": day})
        if getattr(model._meta.get_field(name), "null", False):
            bound = Q(**{f"{name}__isnull": True}) | bound
        condition &= bound
    return condition


class ValidQuerySet(QuerySet[M, M]):
    """The queryset of a model with a validity period."""

    def valid_on(self, day: date) -> ValidQuerySet[M]:
        return self.filter(valid_on_condition(self.model, day))
