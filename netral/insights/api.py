"""/api/v1/insights (scoped figures) and /api/v1/public (suppressed statistics, no login)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from netral.core.api import ErrorOut, InvalidInput
from netral.core.scope import request_scope
from netral.insights.queries import summary
from netral.insights.views import summary_filter

router = Router(tags=["insights"])


@router.get("/summary", response={200: dict[str, Any], 403: ErrorOut, 422: ErrorOut})
def get_summary(
    request: HttpRequest, election: str = "", region: str = "", start: str = "", end: str = ""
) -> Any:
    """The counts the caller's dashboard shows, within their jurisdiction. ``from``/``to`` are
    accepted as ``from`` and ``to`` (or ``start``/``end``)."""
    scope = request_scope(request)
    if not scope.can("cases.view"):
        raise HttpError(403, _("Your role may not see cases."))
    params = {
        "election": election,
        "region": region,
        "from": request.GET.get("from", start),
        "to": request.GET.get("to", end),
    }
    f = summary_filter(params)
    if election and f.election is None:
        raise InvalidInput("election", _("No election with this slug."))
    data = summary(scope, f)
    data.pop("violation_names", None)
    return data


public_router = Router(tags=["public"])


@public_router.get("/statistics", auth=None, response={200: dict[str, Any], 422: ErrorOut})
def public_statistics(request: HttpRequest, election: str = "", region: str = "") -> Any:
    """Suppressed public aggregates (cells 1-4 as "<5", complementary cells hidden), no login."""
    from netral.insights.public import statistics
    from netral.rules.models import Election

    chosen = (
        Election.objects.filter(slug=election).first()
        if election
        else Election.objects.order_by("-voting_day").first()
    )
    if chosen is None:
        raise InvalidInput("election", _("No election with this slug."))
    return {
        "election": chosen.slug,
        "region": region[:2] or None,
        "tables": [
            {"title": str(t.title), "rows": t.as_records()} for t in statistics(chosen, region[:2])
        ],
    }
