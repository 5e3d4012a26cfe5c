"""Real-browser tests: Debian's chromium driven by Playwright (never a downloaded browser).

Without chromium (or Playwright) the browser tests skip with the reason, unless
PLATEKEEPER_REQUIRE_BROWSER=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_unavailable_reason() -> str | None:
    """Why no browser test can run here, or None when chromium and Playwright are present."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing; install Debian's chromium (scripts/ensure-browser.sh, "
            "or sudo apt-get install chromium)"
        )
    return None


def require_browser() -> None:
    """Skip the calling test (or fail it, when a browser is required) if none is available."""
    reason = browser_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("PLATEKEEPER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"PLATEKEEPER_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Debian chromium for the duration of the block."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    """Sign in through the login form as a person would."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    # Wait for the form's own navigation: a bare wait_for_load_state() can return on the login
    # page itself, before the redirect has begun, when the machine is busy.
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_load_state()
