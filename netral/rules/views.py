from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from netral.rules.models import DeadlineRule, ElectionRace, Regulation, ReviewingAgency, Track
from netral.rules.queries import catalogue


@require_GET
def rules_page(request: HttpRequest) -> HttpResponse:
    """Every prohibited act in plain words, with examples, legal basis and sanctions."""
    query = request.GET.get("q", "").strip()[:100]
    items = []
    for violation in catalogue(query):
        options = list(violation.sanction_options.all())
        items.append(
            {
                "violation": violation,
                "ethics": [o for o in options if o.track == Track.ETHICS],
                "discipline": [o for o in options if o.track == Track.DISCIPLINE],
            }
        )
    context = {
        "items": items,
        "q": query,
        "deadlines": [] if query else list(DeadlineRule.objects.order_by("step", "election_kind")),
        "races": (
            []
            if query
            else list(
                ElectionRace.objects.select_related("election").order_by(
                    "-election__voting_day", "position"
                )
            )
        ),
        "documents": [] if query else list(Regulation.objects.order_by("kind", "year", "code")),
        "agencies": [] if query else list(ReviewingAgency.objects.order_by("valid_from", "code")),
    }
    return render(request, "rules/rules_page.html", context)
