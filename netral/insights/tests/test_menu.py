"""The menu by role: it offers only what the user may open, from the views' own gates, and each
role lands on its own work page after signing in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import resolve, reverse

from conftest import verified_client
from netral.core.menu import gate_of, registered
from netral.demo.seed import USERS

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav aria-label="[^"]*">(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


def menu_links(html: str) -> list[str]:
    match = NAV.search(html)
    assert match is not None
    return HREF.findall(match.group(1))


def test_every_officer_entry_names_a_view_with_a_gate() -> None:
    for entry in registered():
        if entry.public:
            continue
        view = resolve(reverse(entry.url_name)).func
        assert gate_of(view) is not None, entry.url_name


@pytest.mark.parametrize("username", [u.username for u in USERS])
def test_every_menu_link_of_every_demo_role_opens(username: str, personas: dict[str, Any]) -> None:
    client = verified_client(personas[username])
    home = client.get("/tugas/", follow=True)
    assert home.status_code == 200
    links = menu_links(home.content.decode())
    assert "/tugas/" in links
    for href in links:
        response = client.get(href)
        assert response.status_code in (200, 302), (username, href, response.status_code)
        if response.status_code == 302:
            assert client.get(response["Location"]).status_code == 200, (username, href)


def test_the_official_sees_their_pact_and_nothing_of_the_officers(personas: dict[str, Any]) -> None:
    client = verified_client(personas["kadis.kukar"])
    html = client.get("/tugas/").content.decode()
    links = menu_links(html)
    assert "/komitmen/pakta/tandatangani/" in links
    for closed in ("/laporan/", "/perkara/", "/dasbor/", "/registri/", "/registri/impor/"):
        assert closed not in links
    assert 'id="my-pact"' in html
    assert "/komitmen/pakta/tandatangani/?election=" in html


def test_reports_and_imports_are_offered_only_to_those_who_may_open_them(
    personas: dict[str, Any],
) -> None:
    for username in ("ppk.kukar", "bkpsdm.kukar", "analis.bkn"):
        links = menu_links(verified_client(personas[username]).get("/tugas/").content.decode())
        assert "/laporan/" not in links, username
    assert "/registri/impor/" in menu_links(
        verified_client(personas["bkpsdm.kukar"]).get("/tugas/").content.decode()
    )
    assert "/registri/impor/" not in menu_links(
        verified_client(personas["ppk.kukar"]).get("/tugas/").content.decode()
    )


def test_citizens_see_the_report_form_and_the_status_page(client: Any) -> None:
    links = menu_links(client.get("/").content.decode())
    assert links[:2] == ["/lapor/", "/lapor/status/"]
    assert "/tugas/" not in links


def test_signing_in_leads_to_the_work_page(client: Any) -> None:
    from netral.demo.seed import DEMO_PASSWORD

    response = client.post("/akun/masuk/", {"username": "bawaslu.kukar", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].endswith("next=/tugas/")


def test_the_bawaslu_work_page_lists_its_cases_due_date_first(personas: dict[str, Any]) -> None:
    from netral.cases.queries import my_moves
    from netral.core.scope import Scope
    from netral.demo.cases import seed_cases

    seed_cases()
    scope = Scope(
        region_codes=frozenset({"64.02"}),
        capabilities=frozenset({"cases.view", "cases.study"}),
        read_only=False,
    )
    cases = list(my_moves(scope))
    assert cases, "the demo gives Bawaslu Kutai Kartanegara cases to move"
    dues = [c.due_date for c in cases if c.due_date]
    assert dues == sorted(dues)
    html = verified_client(personas["bawaslu.kukar"]).get("/tugas/").content.decode()
    positions = [html.index(c.number) for c in cases[:5]]
    assert positions == sorted(positions)


def test_the_auditor_lands_on_the_dashboard(personas: dict[str, Any]) -> None:
    response = verified_client(personas["auditor.kaltim"]).get("/tugas/")
    assert response.status_code == 302
    assert response["Location"] == "/dasbor/"


def test_the_work_page_marks_overdue_at_the_offices_own_midnight(personas: dict[str, Any]) -> None:
    """At 23:30 in Jakarta it is already 00:30 in Kutai Kartanegara (WITA): a Kukar case due the
    day before is overdue on the work page, though the server's own day has not ended."""
    from datetime import UTC, date, datetime
    from unittest import mock

    from netral.cases.models import Case
    from netral.cases.queries import my_moves
    from netral.core.scope import Scope
    from netral.demo.cases import seed_cases

    seed_cases()
    scope = Scope(
        region_codes=frozenset({"64.02"}),
        capabilities=frozenset({"cases.view", "cases.study"}),
        read_only=False,
    )
    case = next(c for c in my_moves(scope) if c.zone == "Asia/Makassar")
    Case.objects.filter(pk__in=[c.pk for c in my_moves(scope)]).update(due_date=date(2024, 10, 11))
    Case.objects.filter(pk=case.pk).update(due_date=date(2024, 10, 10))
    client = verified_client(personas["bawaslu.kukar"])
    wib_evening = datetime(2024, 10, 10, 16, 30, tzinfo=UTC)  # 23:30 WIB, 00:30 WITA
    with mock.patch("django.utils.timezone.now", return_value=wib_evening):
        html = client.get("/tugas/").content.decode()
    at = html.index(case.number)
    assert 'class="overdue"' in html[html.rfind("<tr", 0, at) : at]
    others = [c for c in my_moves(scope) if c.pk != case.pk]
    for other in others[:3]:  # due a day later: not overdue anywhere yet
        at = html.index(other.number)
        assert 'class="overdue"' not in html[html.rfind("<tr", 0, at) : at]
    assert 'id="overdue-count"' in html
