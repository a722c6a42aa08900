"""Domain events: an app announces what happened once its transaction commits; apps to its
right in the dependency order subscribe in their ``ready()``. The publisher never imports them.

Each event is a frozen dataclass declared once, in the publishing app's ``events`` module, and
registered under a dotted name with ``@event("app.thing.happened")``; ``publish`` takes an
instance, and a subscriber receives that instance (typed) after the commit.

Subscribers should be quick (enqueue a task): they run in the publisher's request, after the
commit, and a failing subscriber is logged without undoing or disturbing the publisher's change.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)


class Event:
    """The base of every domain event; ``name`` is set by ``@event``."""

    name: ClassVar[str] = ""


E = TypeVar("E", bound=Event)
_registered: dict[str, type[Event]] = {}
_subscribers: dict[type[Event], list[Callable[[Any], None]]] = defaultdict(list)


def event(name: str) -> Callable[[type[E]], type[E]]:
    """Register a frozen dataclass as the event ``name`` (one class per name)."""

    def register(cls: type[E]) -> type[E]:
        if not dataclasses.is_dataclass(cls) or not cls.__dataclass_params__.frozen:
            raise TypeError(f"{cls.__qualname__}: an event is a frozen dataclass")
        known = _registered.get(name)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"the event {name!r} is already {known.__qualname__}")
        cls.name = name
        _registered[name] = cls
        return cls

    return register


def registered() -> dict[str, type[Event]]:
    """Every event by name."""
    return dict(_registered)


def subscribe(kind: type[E], handler: Callable[[E], None]) -> None:
    """Call ``handler(event)`` after each commit that published an event of ``kind`` (once per
    handler, however often it subscribes)."""
    if not kind.name or _registered.get(kind.name) is not kind:
        raise TypeError(f"{kind.__qualname__} is not a registered event")
    if handler not in _subscribers[kind]:
        _subscribers[kind].append(handler)


def publish(happened: Event) -> None:
    """Deliver ``happened`` to its subscribers when the current transaction commits."""
    kind = type(happened)
    if _registered.get(kind.name) is not kind:
        raise TypeError(f"{kind.__qualname__} is not a registered event")
    if _subscribers.get(kind):
        transaction.on_commit(lambda: _deliver(happened))


def _deliver(happened: Event) -> None:
    for handler in list(_subscribers.get(type(happened), ())):
        try:
            handler(happened)
        except Exception:
            logger.exception(
                "subscriber %s of %s failed",
                getattr(handler, "__name__", handler),
                happened.name,
            )
