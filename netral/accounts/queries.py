"""The one selector that answers "what may this user see and do": ``scope_for``.

Every query of registry entries, reports and cases that a user runs is filtered by the
``Scope`` it returns (``request.scope`` in views and API endpoints).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from netral.accounts.models import Membership, Role
from netral.core.scope import NO_SCOPE, Scope


def _active_memberships(user: Any, on: date) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, is_active=True).valid_on(on).select_related("role")


def scope_for(user: Any, on: date | None = None) -> Scope:
    """The union of the user's active memberships on ``on`` (today by default)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cache_key = "_netral_scope"
    cached = getattr(user, cache_key, None)
    if on is None and cached is not None:
        return cached
    day = on or timezone.localdate()
    national = False
    regions: set[str] = set()
    agencies: set[int] = set()
    capabilities: set[str] = set()
    read_only = True
    roles = []
    for membership in _active_memberships(user, day):
        role = membership.role
        roles.append(role.code)
        capabilities.update(role.capabilities)
        read_only = read_only and role.read_only
        if role.scope == Role.Scope.NATIONAL:
            national = True
        elif role.scope == Role.Scope.REGION:
            if membership.region_id:
                regions.add(membership.region_id)
            else:
                national = True
        elif role.scope == Role.Scope.AGENCY and membership.agency_id:
            agencies.add(membership.agency_id)
    scope = Scope(
        national=national,
        region_codes=frozenset(regions),
        agency_ids=frozenset(agencies),
        capabilities=frozenset(capabilities),
        read_only=read_only,
        roles=tuple(sorted(set(roles))),
    )
    if on is None:
        setattr(user, cache_key, scope)
    return scope


def revealing_roles() -> list[str]:
    """Codes of the roles that name ``intake.reveal`` themselves (no wildcard grants it)."""
    return [
        code
        for code, capabilities in Role.objects.values_list("code", "capabilities")
        if "intake.reveal" in (capabilities or [])
    ]


def custodian_memberships(office_ids: list[int], on: date | None = None) -> dict[int, list[Any]]:
    """The active custodian memberships of each office."""
    day = on or timezone.localdate()
    found: dict[int, list[Any]] = {pk: [] for pk in office_ids}
    memberships = (
        Membership.objects.filter(
            office_id__in=office_ids, role_id__in=revealing_roles(), is_active=True
        )
        .valid_on(day)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    for membership in memberships:
        if membership.office_id is not None:
            found[membership.office_id].append(membership)
    return found


def custodians_of(office_ids: list[int], on: date | None = None) -> dict[int, list[Any]]:
    """The active identity custodians of each office: the only people who may reveal the
    identity of a reporter whose report that office handles."""
    return {
        office: [m.user for m in held]
        for office, held in custodian_memberships(office_ids, on).items()
    }


def is_custodian_of(user: Any, office_id: int | None) -> bool:
    if office_id is None or not getattr(user, "is_authenticated", False):
        return False
    return any(u.pk == user.pk for u in custodians_of([office_id])[office_id])
