"""The one selector that answers "what may this user see and do": ``scope_for``.

Every query of registry entries, reports and cases that a user runs is filtered by the
``Scope`` it returns (``request.scope`` in views and API endpoints).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from netral.accounts.models import Membership, Role
from netral.core.scope import NO_SCOPE, Scope


def _active_memberships(user: Any, on: date) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("role")
    )


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
