from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from netral.rules.models import Track
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
                "provisions": list(violation.provisions.all()),
            }
        )
    return render(request, "rules/rules_page.html", {"items": items, "q": query})
