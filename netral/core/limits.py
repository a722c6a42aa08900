"""Refuse an oversized upload from its declared length, before any of its body is read."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = int(settings.NETRAL_MAX_REQUEST_BYTES)
        if length > limit:
            message = _("The upload is larger than %(mb)d MB. Send fewer or smaller files.") % {
                "mb": limit // (1024 * 1024)
            }
            if request.path.startswith("/api/"):
                errors = [{"field": "file", "message": message}]
                return JsonResponse({"detail": message, "errors": errors}, status=413)
            return render(request, "413.html", {"message": message}, status=413)
        return self.get_response(request)
