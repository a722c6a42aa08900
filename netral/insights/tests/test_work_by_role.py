"""Each role's own work page lists the items whose move is theirs (issue 19, navigation by role),
with the count on the menu, and the citizen's home leads with reporting and the status page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import verified_client
from netral.accounts.queries import scope_for
from netral.cases.models import Case
from netral.cases.queries import my_moves

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_cases() -> None:
    from netral.demo.cases import seed_cases

    seed_cases()


@pytest.mark.parametrize(
    ("username", "holder", "states"),
    [
        # The reviewing analyst: forwarded cases and those under verification.
        ("analis.bkn", "reviewer", {"forwarded", "under_verification"}),
        # The personnel office and the PPK: recommendations, examinations, decisions due.
        ("bkpsdm.kukar", "ppk", {"recommendation_issued", "received_by_ppk", "examination"}),
        ("ppk.kukar", "ppk", {"recommendation_issued", "received_by_ppk", "examination"}),
    ],
)
def test_each_role_finds_the_cases_whose_move_is_theirs(
    username: str, holder: str, states: set[str], personas: dict[str, Any], demo_cases: None
) -> None:
    user = personas[username]
    mine = list(my_moves(scope_for(user)))
    assert mine, f"the demo gives {username} cases to move"
    assert {c.holder for c in mine} == {holder}
    assert {c.state for c in mine} & states
    html = verified_client(user).get("/tugas/").content.decode()
    positions = [html.index(f">{c.number}<") for c in mine[:10]]
    assert positions == sorted(positions)  # due date first
    # Cases whose move is someone else's are not on this page.
    others = Case.objects.exclude(holder=holder).exclude(holder="none")
    for other in others[:10]:
        assert f">{other.number}<" not in html, other.number
    # The menu carries the count of what waits.
    badge = re.search(r'href="/tugas/"[^>]*>[^<]*<span class="badge">(\d+)</span>', html)
    assert badge is not None
    assert int(badge.group(1)) == len(mine)


def test_the_citizens_home_leads_with_reporting_and_the_status_page(client: Any) -> None:
    html = client.get("/").content.decode()
    main = html.split("<main", 1)[1]
    actions = main.split('class="actions"', 1)[1].split("</p>", 1)[0]
    assert actions.index('href="/lapor/"') < actions.index('href="/lapor/status/"')
    assert "Laporkan pelanggaran" in actions
    assert "Cek status laporan" in actions
    # Before anything else on the page: the two actions come first.
    assert main.index('id="start-report"') < main.index('href="/aturan/"')
    assert 'href="/aturan/"' in main  # what counts as a violation, with the rules
    assert "Masuk sebagai petugas" in main  # still there, but no longer the only way in
