"""Domain events: typed, registered once by name, delivered only when the publisher commits."""

from __future__ import annotations

import logging
from dataclasses import FrozenInstanceError, dataclass

import pytest
from django.db import transaction

from netral.core import events

pytestmark = pytest.mark.django_db


@events.event("core.test.happened")
@dataclass(frozen=True)
class Happened(events.Event):
    thing_id: int


def test_every_app_event_is_a_registered_frozen_dataclass():
    names = events.registered()
    for name in ("intake.report.submitted", "cases.case.changed", "registry.headcounts.changed"):
        assert names[name].name == name
        assert names[name].__dataclass_params__.frozen


def test_a_subscriber_receives_the_typed_event_after_commit_only(
    django_capture_on_commit_callbacks,
):
    seen: list[Happened] = []
    events.subscribe(Happened, seen.append)
    events.subscribe(Happened, seen.append)  # once per handler, however often it subscribes
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(Happened(thing_id=7))
        assert seen == []  # not before the commit
    assert seen == [Happened(thing_id=7)]
    with pytest.raises(FrozenInstanceError):
        seen[0].thing_id = 8


def test_a_rolled_back_change_announces_nothing(django_capture_on_commit_callbacks):
    seen: list[Happened] = []
    events.subscribe(Happened, seen.append)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                events.publish(Happened(thing_id=1))
                raise RuntimeError
        except RuntimeError:
            pass
    assert seen == []


def test_a_failing_subscriber_is_logged_and_the_others_still_run(
    django_capture_on_commit_callbacks, caplog
):
    seen: list[int] = []

    @events.event("core.test.failing")
    @dataclass(frozen=True)
    class Failing(events.Event):
        n: int

    def broken(event: Failing) -> None:
        raise ValueError("boom")

    events.subscribe(Failing, broken)
    events.subscribe(Failing, lambda e: seen.append(e.n))
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        events.publish(Failing(n=3))
    assert seen == [3]
    assert "subscriber broken of core.test.failing failed" in caplog.text


def test_events_are_declared_not_improvised():
    with pytest.raises(TypeError):

        @events.event("core.test.mutable")
        @dataclass
        class Mutable(events.Event):
            n: int

    with pytest.raises(ValueError, match="already"):

        @events.event("core.test.happened")
        @dataclass(frozen=True)
        class Impostor(events.Event):
            n: int

    @dataclass(frozen=True)
    class Unregistered(events.Event):
        n: int

    with pytest.raises(TypeError):
        events.publish(Unregistered(n=1))
    with pytest.raises(TypeError):
        events.subscribe(Unregistered, lambda e: None)
