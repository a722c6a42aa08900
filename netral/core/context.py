"""Template context: the menu of the signed-in user (built only when a page shows it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def menu(request: HttpRequest) -> dict[str, Any]:
    """The menu links this user may open (``netral.core.menu``), built once per page."""
    from netral.core.menu import menu_for

    return {"menu": SimpleLazyObject(lambda: menu_for(request))}
