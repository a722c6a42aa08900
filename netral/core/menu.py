"""The menu and the gates of officer pages: one check, read by both.

A page declares who may open it with ``@gated("cases.view")``: the decorator refuses everybody
else (403) and leaves the ``Gate`` on the view. The menu holds entries that name a URL; an entry
is shown when the view that URL resolves to lets the user in, so the menu can never offer a page
that answers 403. Apps register their entries in their ``ready()``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.functional import Promise

from netral.core.scope import request_scope

V = TypeVar("V", bound=Callable[..., Any])


@dataclass(frozen=True)
class Gate:
    """Who may open a page: a capability (None: any signed-in officer), write access, or being a
    civil servant with a registry entry (officials who sign their own pact)."""

    capability: str | None = None
    writable: bool = False
    civil_servant: bool = False

    def allows(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if self.civil_servant:
            return getattr(user, "civil_servant_id", None) is not None
        scope = request_scope(request)
        if self.capability is not None and not scope.can(self.capability):
            return False
        return not (self.writable and scope.read_only)


def gated(
    capability: str | None = None, *, writable: bool = False, civil_servant: bool = False
) -> Callable[[V], V]:
    """Refuse the view to whoever the gate does not let in; the menu reads the same gate."""
    gate = Gate(capability=capability, writable=writable, civil_servant=civil_servant)

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not gate.allows(request):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.gate = gate  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def gate_of(view: Callable[..., Any]) -> Gate | None:
    """The gate a view declares (decorators built with ``functools.wraps`` carry it outward)."""
    return getattr(view, "gate", None)


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str | Promise
    order: int
    # Public pages show to everybody; the others only when their view's gate lets the user in.
    public: bool = False
    # A number worth showing beside the label (items waiting), or None; run only when shown.
    count: Callable[[HttpRequest], int | None] | None = None
    # Shown to every visitor but not to signed-in officers (the citizen's own pages).
    citizens_only: bool = False


_ENTRIES: dict[str, MenuEntry] = {}


def register(*entries: MenuEntry) -> None:
    for entry in entries:
        _ENTRIES[entry.url_name] = entry


def registered() -> list[MenuEntry]:
    return sorted(_ENTRIES.values(), key=lambda e: (e.order, e.url_name))


@dataclass(frozen=True)
class MenuLink:
    href: str
    label: str | Promise
    count: int | None
    current: bool
    url_name: str


def _officer(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_verified())


def may_open(request: HttpRequest, entry: MenuEntry) -> bool:
    if entry.public:
        return not (entry.citizens_only and _officer(request))
    if not _officer(request):
        return False
    try:
        href = reverse(entry.url_name)
    except NoReverseMatch:
        return False
    gate = gate_of(resolve(href).func)
    # An officer page without a gate is not offered: the menu only shows what it can vouch for.
    return gate is not None and gate.allows(request)


def may_open_url(request: HttpRequest, url_name: str) -> bool:
    """Whether a link to ``url_name`` (a page without arguments) would open for this user."""
    try:
        href = reverse(url_name)
    except NoReverseMatch:
        return False
    gate = gate_of(resolve(href).func)
    return gate is None or gate.allows(request)


def menu_for(request: HttpRequest) -> list[MenuLink]:
    """The links this user may open, in menu order, with their counts."""
    links = []
    path = request.path
    for entry in registered():
        if not may_open(request, entry):
            continue
        href = reverse(entry.url_name)
        count = entry.count(request) if entry.count is not None else None
        current = path == href or (href != "/" and path.startswith(href))
        links.append(MenuLink(href, entry.label, count, current, entry.url_name))
    return links
