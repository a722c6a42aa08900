"""Browser tests: Playwright (sync API) drives Debian's Chromium against the live server.

Run with ``NETRAL_CHROMIUM=/usr/bin/chromium .venv/bin/python -m pytest -q -p no:xdist e2e``.
Playwright never downloads a browser here: it launches the system Chromium.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

# The sync API runs an event loop in this thread; Django would otherwise refuse ORM calls from
# the tests and fixtures ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
TIMEOUT_MS = 20_000  # generous: a slow CI machine must not make a test flaky

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=os.environ.get("NETRAL_CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A fresh browser context (no cookies, no language choice) per test."""
    context = browser.new_context(
        base_url=live_server.url,
        # An English browser: the app must still speak Indonesian until the user switches.
        locale="en-US",
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def _restore_roles() -> None:
    """Roles come from data migrations, which the flush after each live-server test removes."""
    importlib.import_module("netral.accounts.migrations.0003_roles").add_roles(apps, None)
    # The intake capabilities and the custodian role (needed by the demo seed).
    importlib.import_module("netral.accounts.migrations.0004_intake_capabilities").forwards(
        apps, None
    )
    importlib.import_module("netral.accounts.migrations.0005_case_capabilities").forwards(
        apps, None
    )
    importlib.import_module("netral.accounts.migrations.0007_commitment_capabilities").forwards(
        apps, None
    )
    importlib.import_module("netral.accounts.migrations.0009_review_reads_reports").forwards(
        apps, None
    )
    importlib.import_module("netral.accounts.migrations.0010_screening_capabilities").forwards(
        apps, None
    )


@pytest.fixture(autouse=True)
def demo_world(live_server: Any, transactional_db: Any, settings: Any, tmp_path: Path) -> None:
    """Each test starts from the demo world: live-server tests flush the database afterwards."""
    from netral.demo.seed import seed
    from netral.rules.loader import load_rules

    media = tmp_path / "media"
    settings.MEDIA_ROOT = media  # uploads and import reports stay out of var/
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media), "base_url": "/_private/"},
        },
    }
    _restore_roles()
    seed()
    load_rules()


# --- Helpers shared by the tests -------------------------------------------------------------


def totp_code(username: str, offset_steps: int = 0) -> str:
    """The current code of a demo user's authenticator (step 30 s, t0 0, 6 digits)."""
    from django_otp.oath import totp

    from netral.demo.seed import demo_totp_key

    return f"{totp(demo_totp_key(username), drift=offset_steps):06d}"


def unused_totp_code(username: str) -> str:
    """A code the server accepts after the sign-in's: each code counts once (``last_t``), and
    the server's window follows the drift the sign-in left (-1 when it crossed a 30 s step)."""
    import time

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from netral.demo.seed import demo_totp_key

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    now = int(time.time() - device.t0) // device.step
    step = max(now + device.drift, device.last_t + 1)
    return f"{totp(demo_totp_key(username), drift=step - now):06d}"


def main_submit(page: Page) -> Locator:
    """The submit button of the page's own form (the header holds language and sign-out forms)."""
    return page.locator("main form button[type=submit]")


def registry_nav_link(page: Page) -> Locator:
    return page.locator("header nav a[href='/registri/']")


def submit_password(page: Page, username: str, password: str) -> None:
    page.goto("/akun/masuk/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    main_submit(page).click()


def log_in(page: Page, username: str, password: str | None = None) -> None:
    """Sign in through the forms: password, then the TOTP code of the demo authenticator."""
    from netral.demo.seed import DEMO_PASSWORD

    submit_password(page, username, password or DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/akun/otp/\?"))
    page.locator("#id_token").fill(totp_code(username))
    main_submit(page).click()
    expect(registry_nav_link(page)).to_be_visible()
