"""Every page at phone width: an axe-core audit (WCAG 2.1 A/AA) and no sideways scrolling.

Chromium at 360 px walks the public pages and, signed in once per role, every page the role's
menu leads to and one page of each kind linked from there (one detail page per URL name), so
each kind of page is audited as a role that sees it; the API's documentation is audited as
Swagger UI draws it and while it is used. Zero serious or critical violations, and
``document.documentElement.scrollWidth`` never above 360.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from django.urls import Resolver404, resolve
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.conftest import TIMEOUT_MS, log_in
from e2e.test_intake import _fill_report, _submit, _values

WIDTH = 360
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# Downloads and endpoints that are not pages (files, exports, language switch, admin, API).
NOT_PAGES = ("pdf", "csv", "document", "evidence", "download", "import_report", "xlsx")
SKIP_PREFIXES = ("/i18n/", "/admin/", "/akun/keluar/", "/api/", "/static/", "/_private/")
# One sweep per role: the public first, then each role that sees pages the others do not.
ROLES = [
    "bawaslu.kukar",
    "analis.bkn",
    "bkpsdm.kukar",
    "ppk.kukar",
    "kadis.kukar",
    "auditor.kaltim",
    "kustodian.kukar",
    "admin",
]
PUBLIC = ["/", "/lapor/", "/lapor/status/", "/aturan/", "/transparansi/", "/verifikasi/"]
# Pages whose look depends on the role: each role's own version is audited.
PER_ROLE = {"work", "core:home"}


def _kind(path: str) -> str | None:
    """The URL name of a page (its kind), or None when it is not a page to audit."""
    if path.startswith(SKIP_PREFIXES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = match.view_name
    if any(word in name for word in NOT_PAGES) or path.endswith((".pdf", ".csv", ".xlsx", ".json")):
        return None
    return name


class Sweep:
    def __init__(self) -> None:
        self.axe = Axe()
        self.seen: set[str] = set()
        self.problems: list[str] = []
        self.audited = 0

    def audit(
        self, page: Page, who: str, path: str, options: dict[str, Any] = AXE_OPTIONS
    ) -> list[str]:
        """Open ``path``, audit it; the same-site links on it (for the next round)."""
        response = page.goto(path)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            return []
        if response.status >= 400:
            self.problems.append(f"{who} {path}: HTTP {response.status}")
            return []
        return self.check(page, who, path, options)

    def check(
        self, page: Page, who: str, path: str, options: dict[str, Any] = AXE_OPTIONS
    ) -> list[str]:
        """Audit the page as it is now; the same-site links on it."""
        self.audited += 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            self.problems.append(f"{who} {path}: {width} px wide at {WIDTH} px")
        results = self.axe.run(page, options=options)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [str(node["target"]) for node in violation["nodes"][:3]]
                self.problems.append(f"{who} {path}: {violation['id']} {', '.join(targets)}")
        hrefs: list[str] = page.eval_on_selector_all(
            "header nav a[href], main a[href]", "els => els.map(e => e.getAttribute('href'))"
        )
        return [h for h in hrefs if h.startswith("/")]

    def walk(self, page: Page, who: str, start: list[str]) -> None:
        """The start pages, then one page of each kind not yet seen that they link to."""
        queue = list(start)
        while queue:
            path = queue.pop(0)
            kind = _kind(urlsplit(path).path)
            if kind is None:
                continue
            key = f"{who}:{kind}" if kind in PER_ROLE else kind
            if key in self.seen:
                continue
            self.seen.add(key)
            queue.extend(self.audit(page, who, path))


def _context(browser: Browser, live_server: Any) -> BrowserContext:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": WIDTH, "height": 740}, locale="id-ID"
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def test_every_page_passes_axe_and_fits_a_phone(browser: Browser, live_server: Any) -> None:
    from netral.commitments.models import Pact
    from netral.demo.cases import seed_cases
    from netral.demo.commitments import seed_commitments

    seed_cases()
    seed_commitments()
    sweep = Sweep()
    pact = Pact.objects.order_by("pk").first()
    public = [*PUBLIC, f"/verifikasi/{pact.code}"] if pact else PUBLIC
    context = _context(browser, live_server)
    try:
        page = context.new_page()
        # A form sent empty: its errors are audited too; then a real report, and its receipt.
        page.goto("/lapor/")
        _submit(page)
        expect(page.locator("#form-errors")).to_be_visible()
        sweep.check(page, "public", "/lapor/ (errors)")
        _fill_report(page, _values())
        _submit(page)
        expect(page.locator("#receipt-code")).to_be_visible()
        sweep.check(page, "public", "/lapor/ (receipt)")
        sweep.walk(page, "public", public)
    finally:
        context.close()
    for username in ROLES:
        context = _context(browser, live_server)
        try:
            page = context.new_page()
            log_in(page, username)
            sweep.walk(page, username, ["/tugas/", "/"])
        finally:
            context.close()
    assert sweep.audited > 40, sweep.audited
    kinds = {key.rsplit(":", 1)[-1] if key.count(":") > 1 else key for key in sweep.seen}
    for kind in (
        "cases:detail",
        "reports:detail",
        "commitments:my_pact",
        "verify",
        "work",
        "audit_checkpoints",  # reached from /transparansi/
    ):
        assert kind in kinds or any(k.endswith(kind) for k in sweep.seen), kind
    assert not sweep.problems, "\n".join(sweep.problems)


def test_the_api_documentation_passes_axe_at_phone_width(
    browser: Browser, live_server: Any
) -> None:
    """/api/docs as drawn by Swagger UI, closed and then with operations open, one tried and
    its answer shown, and the authorisation dialog open: the same audit as every other page
    (our template declares the language; netral/swagger.css and swagger.js fix the vendor's
    contrast, nested links, unnamed icon buttons and unreachable scrolling code)."""
    sweep = Sweep()
    context = _context(browser, live_server)
    try:
        page = context.new_page()
        page.goto("/api/docs")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator(".opblock").first).to_be_visible()
        sweep.check(page, "public", "/api/docs")
        page.locator(".opblock-get .opblock-summary-control").first.click()
        page.locator(".try-out__btn").first.click()
        page.locator(".opblock-post .opblock-summary-control").first.click()
        page.locator(".models button").first.click()
        page.locator(".btn.execute").first.click()
        expect(page.locator(".live-responses-table").first).to_be_visible()
        page.locator(".btn.authorize").first.click()
        expect(page.locator(".modal-ux")).to_be_visible()
        sweep.check(page, "public", "/api/docs (operations open and tried, dialog open)")
    finally:
        context.close()
    assert sweep.audited == 2
    assert not sweep.problems, "\n".join(sweep.problems)
