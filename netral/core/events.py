"""Domain events: an app announces what happened once its transaction commits; apps to its
right in the dependency order subscribe in their ``ready()``. The publisher never imports them.

Subscribers should be quick (enqueue a task): they run in the publisher's request, after the
commit, and a failing subscriber is logged without undoing or disturbing the publisher's change.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[..., None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    """Call ``handler(**payload)`` after each commit that published ``name`` (once per handler)."""
    if handler not in _subscribers[name]:
        _subscribers[name].append(handler)


def publish(name: str, **payload: Any) -> None:
    """Deliver ``name`` to its subscribers when the current transaction commits."""
    if _subscribers.get(name):
        transaction.on_commit(lambda: _deliver(name, payload))


def _deliver(name: str, payload: dict[str, Any]) -> None:
    for handler in list(_subscribers.get(name, ())):
        try:
            handler(**payload)
        except Exception:
            logger.exception(
                "subscriber %s of %s failed", getattr(handler, "__name__", handler), name
            )
