"""Irreversible actions ask once more, without JavaScript: the first POST answers with a page that
says what will happen and repeats the submission (its fields hidden) with ``confirmed=1``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise

SKIP = {"csrfmiddlewaretoken", "confirmed"}


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirmed") == "1"


def confirmation_page(
    request: HttpRequest,
    *,
    action: str | Promise,
    consequence: str | Promise,
    back: str,
    details: list[tuple[str | Promise, str]] | None = None,
    extra: dict[str, str] | None = None,
) -> HttpResponse:
    """The page that asks to confirm ``action`` (the submitted fields go along, hidden)."""
    fields = [
        (name, value)
        for name in request.POST
        if name not in SKIP
        for value in request.POST.getlist(name)
        if name not in (extra or {})
    ]
    fields += list((extra or {}).items())
    context = {
        "action": action,
        "consequence": consequence,
        "back": back,
        "details": details or [],
        "fields": fields,
        "target": request.get_full_path(),
    }
    return render(request, "core/confirm.html", context)
