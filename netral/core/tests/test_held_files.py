"""Files kept across a form's error: only for the user who sent them, taken once, purged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from netral.core import held
from netral.core.models import HeldFile

pytestmark = pytest.mark.django_db


def test_a_held_file_comes_back_to_its_sender_only(personas: dict[str, Any]) -> None:
    ppk, other = personas["ppk.kukar"], personas["bkpsdm.kukar"]
    token = held.new_token()
    held.hold(token, ppk, [held.Kept("document_decision", "sk.pdf", b"%PDF-1.4 sk")])
    kept = held.held(token, ppk)
    assert kept["document_decision"].name == "sk.pdf"
    assert held.content_of(kept["document_decision"]) == b"%PDF-1.4 sk"
    assert held.held(token, other) == {}
    # Another user cannot replace it through the same token.
    held.hold(token, other, [held.Kept("document_decision", "x.pdf", b"x")])
    assert held.content_of(held.held(token, ppk)["document_decision"]) == b"%PDF-1.4 sk"
    # A new file for the field replaces the kept one.
    held.hold(token, ppk, [held.Kept("document_decision", "sk2.pdf", b"%PDF-1.4 sk2")])
    assert held.held(token, ppk)["document_decision"].name == "sk2.pdf"
    held.release(token, ppk)
    assert held.held(token, ppk) == {}


def test_held_files_nobody_came_back_for_are_purged(personas: dict[str, Any]) -> None:
    token = held.new_token()
    held.hold(token, personas["ppk.kukar"], [held.Kept("scan", "a.pdf", b"%PDF a")])
    assert held.purge() == 0
    assert held.purge(timezone.now() + timedelta(days=2)) == 1
    assert not HeldFile.objects.exists()


def test_a_short_or_missing_token_is_replaced() -> None:
    assert len(held.valid_token("")) >= 16
    assert held.valid_token("abc") != "abc"
    token = held.new_token()
    assert held.valid_token(token) == token
