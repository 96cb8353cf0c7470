"""Chromium on `oms-tui serve --host 0.0.0.0`: without the secret the page is refused and no app
session starts; with the password (basic auth) or the printed address with its key, the app works."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from tests.web.browser import CHROMIUM, FONT_SIZE, need_tools, read_screen
from tests.web.serving import children, serving, wait_for

pytestmark = pytest.mark.slow
BROWSER_WAIT_S = 90.0  # page, session start and the app's first screen, on a busy CI
PASSWORD = "pack-it-right-7"
VIEWPORT = {"width": 1600, "height": 1000}


@pytest.fixture
def shop() -> Iterator[SimServer]:
    with run_in_thread(SimStore(orders=5, seed=5), plan="plus") as server:
        yield server


@pytest.fixture
def browser() -> Iterator[Browser]:
    need_tools()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


def the_app_answers(page: Page, shot: Path) -> None:
    """The app draws its screen in the page, and answers a key."""
    wait_for("the app", lambda: "Claim next" in read_screen(page, shot), BROWSER_WAIT_S)
    page.locator(".xterm-helper-textarea").focus()  # where the keys go in (a click would pick a row)
    page.keyboard.press("?")
    wait_for("the app's help", lambda: "this list of keys" in read_screen(page, shot), BROWSER_WAIT_S)


def test_the_password_opens_the_app_in_a_browser(shop: SimServer, browser: Browser, tmp_path: Path) -> None:
    environment = {"OMS_SERVE_PASSWORD": PASSWORD}
    with serving(shop, tmp_path, host="0.0.0.0", environment=environment) as served:
        stranger = browser.new_page(viewport=VIEWPORT)  # has no password to give when asked
        with pytest.raises(PlaywrightError, match="ERR_INVALID_AUTH_CREDENTIALS"):
            stranger.goto(f"{served.url}/?fontsize={FONT_SIZE}")
        guess = {"username": "boss", "password": "pack-it-right-8"}
        guesser = browser.new_context(viewport=VIEWPORT, http_credentials=guess).new_page()
        page = guesser.goto(f"{served.url}/?fontsize={FONT_SIZE}")
        assert page is not None and page.status == 401
        assert children(served.process.pid) == [], "a session started without the password"

        context = browser.new_context(
            viewport=VIEWPORT, http_credentials={"username": "boss", "password": PASSWORD}
        )
        staff = context.new_page()
        page = staff.goto(f"{served.url}/?fontsize={FONT_SIZE}")
        assert page is not None and page.status == 200
        the_app_answers(staff, tmp_path / "app.png")
        assert len(children(served.process.pid)) == 1


def test_the_printed_address_opens_the_app_in_a_browser(
    shop: SimServer, browser: Browser, tmp_path: Path
) -> None:
    with serving(shop, tmp_path, host="0.0.0.0") as served:
        found = re.search(r"/\?key=(\S+)", served.output[0])
        assert found, f"no key in what the server printed: {served.output}"
        stranger = browser.new_page(viewport=VIEWPORT)
        page = stranger.goto(f"{served.url}/?fontsize={FONT_SIZE}")
        assert page is not None and page.status == 403
        assert "with its ?key=" in stranger.content()
        assert children(served.process.pid) == [], "a session started without the key"

        staff = browser.new_page(viewport=VIEWPORT)
        page = staff.goto(f"{served.url}/?key={found.group(1)}&fontsize={FONT_SIZE}")
        assert page is not None and page.status == 200
        the_app_answers(staff, tmp_path / "app.png")  # its websocket carried the key in a cookie
        assert len(children(served.process.pid)) == 1
