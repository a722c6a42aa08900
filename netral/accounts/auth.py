"""API authentication: the browser's OTP-verified session, or a personal bearer token.

A request that carries ``Authorization: Bearer ...`` is a partner system's: it is authenticated
by the token alone, so its writes need no cookie and no CSRF token (and a session cookie sent
beside it is ignored). A request without one is the browser's: the session, with its CSRF check.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from netral.accounts.services import user_for_token


def carries_token(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


class VerifiedSessionAuth(SessionAuth):
    """A logged-in session that has passed the second factor (CSRF-checked on writes)."""

    def __call__(self, request: HttpRequest) -> Any:
        if carries_token(request):
            return None  # the token decides alone; no CSRF check for it
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_verified():
            return user
        return None


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user
