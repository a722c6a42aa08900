"""Attach the user's scope to each request, and hold officers at the second factor."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject

from netral.accounts.queries import scope_for

# Paths a logged-in user may open before the second factor is verified.
_OPEN_PREFIXES = (
    "/akun/masuk/",
    "/akun/otp/",
    "/akun/keluar/",
    "/i18n/",
    "/static/",
    "/health",
    "/api/",
    "/favicon",
)


class RequireOTPMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Lazy: API token authentication replaces request.user before the scope is first read.
        request.scope = SimpleLazyObject(lambda: scope_for(request.user))  # type: ignore[attr-defined]
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            target = reverse("accounts:otp")
            return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        if user.is_authenticated and settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            remember_language(user, getattr(request, "LANGUAGE_CODE", ""))
        response = self.get_response(request)
        if request.user.is_authenticated or "HTTP_AUTHORIZATION" in request.META:
            # Officers' pages and answers hold cases, identities and evidence: no browser,
            # proxy or shared cache may keep a copy.
            response.headers.pop("Expires", None)
            patch_cache_control(response, no_store=True, private=True)
        return response


def remember_language(user: object, language: str) -> None:
    """Keep the language the user chose, for what is written to them later (notifications)."""
    from netral.accounts.models import User

    if isinstance(user, User) and language and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
