"""What a user may see and do, as plain data; computed by ``netral.accounts.queries.scope_for``.

It lives in core so that apps to the left of accounts can filter by it without importing accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)


# Capabilities that no wildcard grants: a role has them only by naming them. Revealing a
# reporter's identity belongs to the custodian alone (and only for their own office).
EXPLICIT_ONLY = frozenset({"intake.reveal"})


@dataclass(frozen=True)
class Jurisdiction:
    """Where the rows of a model lie, as lookups: the one description ``Scope`` filters by.

    A model declares it once as its ``jurisdiction`` attribute (``Scope.filter`` reads it):

    - ``region``: lookup of a foreign key to ``regions.Region`` (whose key is its code);
    - ``agency``: lookup of a foreign key to ``registry.Agency`` (or ``"id"`` on Agency itself);
    - ``province``/``regency``: optional stored codes; a scope's two- or five-character region
      code is then matched on that column alone (one index range instead of a prefix);
    - ``agency_when``: what else a row must meet to be seen through its agency (a case, once the
      recommendation is issued).
    """

    region: str | None = None
    agency: str | None = None
    province: str | None = None
    regency: str | None = None
    agency_when: Q | None = None

    def in_region(self, code: str) -> Q:
        """Rows in region ``code`` or a region under it, in one index scan.

        SQLite: one range of the region code, the code itself and every code starting with
        "<code>." sorting between ``code`` and "<code>/" ('/' follows '.'; codes hold only digits
        and dots), because its case-blind LIKE cannot use an index for 'code.%'. PostgreSQL: the
        prefix, served by the ``varchar_pattern_ops`` index under any collation.
        """
        assert self.region, "this model has no region"
        if self.province and len(code) == 2:
            return Q(**{self.province: code})
        if self.regency and len(code) == 5:
            return Q(**{self.regency: code})
        if connection.vendor == "sqlite":
            return Q(**{f"{self.region}_id__gte": code, f"{self.region}_id__lt": code + "/"})
        return Q(**{f"{self.region}_id": code}) | Q(
            **{f"{self.region}__code__startswith": code + "."}
        )

    def of_agencies(self, agency_ids: Any) -> Q:
        """Rows seen through one of ``agency_ids``."""
        assert self.agency, "this model has no agency"
        lookup = "pk" if self.agency == "id" else f"{self.agency}_id"
        condition = Q(**{f"{lookup}__in": sorted(agency_ids)})
        return condition & self.agency_when if self.agency_when is not None else condition


def jurisdiction_of(model: type[Model]) -> Jurisdiction:
    found = getattr(model, "jurisdiction", None)
    if not isinstance(found, Jurisdiction):
        raise TypeError(f"{model.__name__} declares no jurisdiction")
    return found


@dataclass(frozen=True)
class Scope:
    national: bool = False
    # A region code covers that region and everything under it.
    region_codes: frozenset[str] = frozenset()
    agency_ids: frozenset[int] = frozenset()
    capabilities: frozenset[str] = frozenset()
    read_only: bool = True
    roles: tuple[str, ...] = field(default=())

    @property
    def sees_nothing(self) -> bool:
        return not (self.national or self.region_codes or self.agency_ids)

    def can(self, capability: str) -> bool:
        if capability in EXPLICIT_ONLY:  # never part of "*" or "app.*"
            return capability in self.capabilities
        if "*" in self.capabilities:
            return True
        if capability in self.capabilities:
            return True
        return f"{capability.split('.', 1)[0]}.*" in self.capabilities

    def covers_region(self, code: str | None) -> bool:
        if self.national:
            return True
        if not code:
            return False
        return any(code == r or code.startswith(r + ".") for r in self.region_codes)

    def condition(self, jurisdiction: Jurisdiction) -> Q | None:
        """The rows of a model with ``jurisdiction`` that this scope covers, as one condition
        (None: the whole country)."""
        if self.national:
            return None
        condition = Q(pk__in=[])
        if jurisdiction.region:
            for code in sorted(self.region_codes):
                condition |= jurisdiction.in_region(code)
        if jurisdiction.agency and self.agency_ids:
            condition |= jurisdiction.of_agencies(self.agency_ids)
        return condition

    def filter(
        self, queryset: QuerySet[M], jurisdiction: Jurisdiction | None = None
    ) -> QuerySet[M]:
        """Restrict ``queryset`` to this scope: the one way to filter any model by jurisdiction.

        By the model's declared ``jurisdiction`` unless one is given.
        """
        condition = self.condition(jurisdiction or jurisdiction_of(queryset.model))
        return queryset if condition is None else queryset.filter(condition)

    def covers(self, *, region: str | None = None, agency_id: int | None = None) -> bool:
        """Whether one row, in ``region`` and seen through ``agency_id``, lies in this scope
        (the check of ``filter`` for a row already loaded)."""
        return self.covers_region(region) or (
            agency_id is not None and agency_id in self.agency_ids
        )


NO_SCOPE = Scope()


def request_scope(request: object) -> Scope:
    """The scope that ``netral.accounts`` attached to this request (nothing when absent)."""
    scope = getattr(request, "scope", None)
    return scope if scope is not None else NO_SCOPE


def require(request: object, capability: str) -> Scope:
    """The request's scope, or ``PermissionDenied`` when it lacks ``capability``."""
    from django.core.exceptions import PermissionDenied

    scope = request_scope(request)
    if not scope.can(capability):
        raise PermissionDenied
    return scope
