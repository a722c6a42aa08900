"""What an officer may see of screening: the posts and imports of their jurisdiction."""

from __future__ import annotations

from django.db.models import QuerySet

from netral.core.scope import Scope
from netral.screening.models import ImportJob, Post


def visible_posts(scope: Scope) -> QuerySet[Post]:
    """Posts of the regions in scope (those of no region: national officers only)."""
    if not scope.can("screening.view"):
        return Post.objects.none()
    return scope.filter(Post.objects.all())


def visible_imports(scope: Scope) -> QuerySet[ImportJob]:
    if not scope.can("screening.view"):
        return ImportJob.objects.none()
    return scope.filter(ImportJob.objects.all())


def default_region(scope: Scope) -> str | None:
    """Where a new post belongs: the officer's region when there is one, else national."""
    if scope.national or len(scope.region_codes) != 1:
        return None if scope.national else min(scope.region_codes, default=None)
    return next(iter(scope.region_codes))
