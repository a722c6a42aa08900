"""Per-address rate limits (django-ratelimit's counters in the shared cache), answered with 429."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

F = TypeVar("F", bound=Callable[..., Any])


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    retry_after = max(1, int(retry_after))
    minutes = max(1, round(retry_after / 60))
    message = _(
        "Too many submissions from your connection. Your input is not lost: wait about "
        "%(minutes)d minutes, then send again."
    ) % {"minutes": minutes}
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "errors": []}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def over_limit(request: HttpRequest, setting: str, group: str) -> HttpResponse | None:
    """Count this POST; the 429 answer when the client is over ``settings.<setting>``."""
    if request.method != "POST":
        return None
    usage = get_usage(
        request,
        group=group,
        key="ip",
        rate=getattr(settings, setting),
        method="POST",
        increment=True,
    )
    if usage is not None and usage["should_limit"]:
        return too_many(request, usage["time_left"])
    return None


def rate_limited(setting: str, group: str) -> Callable[[F], F]:
    """Limit POSTs per client address to the rate named by ``settings.<setting>``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            limited = over_limit(request, setting, group)
            return limited if limited is not None else view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def report_limit(request: HttpRequest, solution: str) -> HttpResponse | None:
    """The one rule for public reports, form and API alike: a solved ALTCHA challenge earns
    ``NETRAL_RATE_REPORTS``; without one (or a replayed one) the strict
    ``NETRAL_RATE_REPORTS_NO_POW`` applies as well. Both share their counters per address."""
    from netral.core.pow import solved

    limited = None
    if not solved(solution):
        limited = over_limit(request, "NETRAL_RATE_REPORTS_NO_POW", "intake.report.nopow")
    return limited or over_limit(request, "NETRAL_RATE_REPORTS", "intake.report")
