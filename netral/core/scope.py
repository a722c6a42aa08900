"""What a user may see and do, as plain data; computed by ``netral.accounts.queries.scope_for``.

It lives in core so that apps to the left of accounts can filter by it without importing accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)


# Capabilities that no wildcard grants: a role has them only by naming them. Revealing a
# reporter's identity belongs to the custodian alone (and only for their own office).
EXPLICIT_ONLY = frozenset({"intake.reveal"})


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

    def filter(
        self,
        queryset: QuerySet[M],
        *,
        region_field: str | None = None,
        agency_field: str | None = None,
    ) -> QuerySet[M]:
        """Restrict ``queryset`` to this scope through the given lookups."""
        if self.national:
            return queryset
        condition = Q(pk__in=[])
        if region_field:
            for code in sorted(self.region_codes):
                condition |= Q(**{region_field: code}) | Q(
                    **{f"{region_field}__startswith": code + "."}
                )
        if agency_field and self.agency_ids:
            condition |= Q(**{f"{agency_field}__in": sorted(self.agency_ids)})
        return queryset.filter(condition)


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
