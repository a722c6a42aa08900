"""The counter store of the rate limits when no Redis is configured."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches
from django.db import connection

from netral.core.counters import CounterCache
from netral.core.models import Counter

pytestmark = pytest.mark.django_db


@pytest.fixture
def counters() -> CounterCache:
    store = caches["counters"]
    assert isinstance(store, CounterCache)
    return store


def test_add_creates_once_and_incr_counts(counters):
    assert counters.add("k", 1, 60) is True
    assert counters.add("k", 1, 60) is False  # live: not replaced
    assert counters.incr("k") == 2
    assert counters.incr("k", 5) == 7
    assert counters.get("k") == 7


def test_an_expired_counter_is_gone_and_add_takes_it_over(counters):
    counters.add("k", 40, 60)
    Counter.objects.update(expires_at=int(time.time()) - 1)
    assert counters.get("k") is None
    with pytest.raises(ValueError, match="not found"):
        counters.incr("k")  # django-ratelimit then fails closed
    assert counters.add("k", 1, 60) is True
    assert counters.get("k") == 1


def test_only_integers_are_stored(counters):
    with pytest.raises(TypeError):
        counters.set("k", "text", 60)
    with pytest.raises(TypeError):
        counters.add("k", True, 60)


def test_zero_timeout_stores_nothing_and_purge_removes_expired_rows(counters):
    assert counters.add("never", 1, 0) is False
    counters.set("gone", 5, 60)
    counters.set("gone", 5, 0)  # a zero timeout removes the value (the same key, prefixed once)
    assert counters.get("gone") is None
    counters.set("touched", 5, 60)
    assert counters.touch("touched", 0) is True
    assert counters.get("touched") is None
    counters.set("old", 1, 60)
    counters.set("new", 1, 60)
    Counter.objects.filter(name__endswith="old").update(expires_at=int(time.time()) - 1)
    assert counters.purge_expired() == 1
    assert counters.get("new") == 1
    assert counters.delete("new") is True
    assert Counter.objects.count() == 0


@pytest.fixture
def shared_counters(tmp_path, monkeypatch):
    """The counters as threads share them, and the connections they use: the test database
    on PostgreSQL; on SQLite a database file (an in-memory one is private to its connection)
    opened with the settings of a deployment (WAL, IMMEDIATE transactions, busy timeout),
    holding the counter table, behind connections of its own."""
    from django.db import connections
    from django.db.utils import ConnectionHandler

    from netral.core import counters as module
    from netral.settings import _database

    if connection.vendor != "sqlite":
        store = caches["counters"]
        assert isinstance(store, CounterCache)
        yield store, connections
        return
    handler = ConnectionHandler({"default": _database(f"sqlite:///{tmp_path / 'c.sqlite3'}")})
    with handler["default"].schema_editor() as editor:
        editor.create_model(Counter)
    monkeypatch.setattr(module, "connections", handler)
    try:
        yield CounterCache("default", {}), handler
    finally:
        handler.close_all()


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_are_not_lost(shared_counters):
    """Django's database cache reads then writes; here each increment is one statement, so
    threads that increment at once lose none (on SQLite too, on a database file)."""
    counters, connections = shared_counters
    counters.add("hits", 0, 60)

    def hit(_: int) -> int:
        try:
            return counters.incr("hits")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(hit, range(40)))
    assert sorted(results) == list(range(1, 41))
    assert counters.get("hits") == 40
