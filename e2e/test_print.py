"""Print works with JavaScript, and without it the button is absent (issue 19): the rules page
and the report's receipt."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import TIMEOUT_MS
from e2e.test_intake import _fill_report, _submit, _values


def _page(browser: Browser, live_server: Any, *, script: bool) -> Page:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=script)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def test_the_print_button_is_there_only_when_it_works(browser: Browser, live_server: Any) -> None:
    with_script = _page(browser, live_server, script=True)
    without = _page(browser, live_server, script=False)
    try:
        for page in (with_script, without):
            page.goto("/aturan/")
            expect(page.locator("#banner")).to_be_visible()
        button = with_script.locator("main [data-print]")
        expect(button).to_be_visible()
        # The button prints: window.print is called (replaced here, the dialog cannot be seen).
        with_script.evaluate(
            "() => { window.printed = 0; window.print = () => { window.printed += 1; }; }"
        )
        button.click()
        assert with_script.evaluate("window.printed") == 1
        expect(without.locator("main [data-print]")).to_be_hidden()
        # The receipt of a report sent without any script: no button that would do nothing.
        _fill_report(without, _values())
        _submit(without)
        expect(without.locator("#receipt-code")).to_be_visible()
        expect(without.locator("main [data-print]")).to_be_hidden()
        _fill_report(with_script, _values())
        _submit(with_script)
        expect(with_script.locator("#receipt-code")).to_be_visible()
        expect(with_script.locator("main [data-print]")).to_be_visible()
    finally:
        with_script.context.close()
        without.context.close()
