"""The board in a browser: Chromium opens `oms-tui serve --board`, shows what the store does without a
reload, and comes back by itself after the server restarts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from oms_tui.sim.model import Order
from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from tests.web.browser import CHROMIUM, FONT_SIZE, need_tools, read_screen
from tests.web.serving import serving, wait_for

pytestmark = pytest.mark.slow
BROWSER_WAIT_S = 90.0  # page, session start, a sync pass and the board's next refresh, on a busy CI


@pytest.fixture
def shop() -> Iterator[SimServer]:
    """A shop with nothing ordered yet: the board starts with nothing late."""
    with run_in_thread(SimStore(orders=0, seed=5), plan="plus") as server:
        yield server


@pytest.fixture
def page() -> Iterator[Page]:
    need_tools()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser.new_page(viewport={"width": 1600, "height": 1000})
        finally:
            browser.close()


def late_order_placed(store: SimStore) -> Order:
    """At the store: an order placed three days ago turns up (a 24 h SLA: late)."""
    with store.lock:
        order = store.add_order()
        order.created_at -= timedelta(days=3)
        store.touch(order, *order.fulfillment_orders)
    return order


def shows(page: Page, shot: Path, *words: str) -> str | None:
    text = read_screen(page, shot)
    return text if all(word in text for word in words) else None


def test_the_board_follows_the_store_in_the_browser(shop: SimServer, page: Page, tmp_path: Path) -> None:
    shot = tmp_path / "board.png"
    with serving(shop, tmp_path, "--board") as (_, url, _):
        page.goto(f"{url}/?fontsize={FONT_SIZE}")
        board = ("Floor board", "Late", "nothing late")
        wait_for("the board", lambda: shows(page, shot, *board), BROWSER_WAIT_S)
        page.evaluate("window.sameDocument = true")  # a reload would forget it

        order = late_order_placed(shop.store)
        late = f"{order.name} late on the board"
        seen = wait_for(late, lambda: shows(page, shot, order.name), BROWSER_WAIT_S)
        assert "nothing late" not in str(seen)
        assert page.evaluate("window.sameDocument") is True, "the board changed without a reload"


def test_the_board_comes_back_by_itself_after_the_server_restarts(
    shop: SimServer, page: Page, tmp_path: Path
) -> None:
    shot = tmp_path / "board.png"
    with serving(shop, tmp_path, "--board") as (server, url, _):
        page.goto(f"{url}/?fontsize={FONT_SIZE}")
        wait_for("the board", lambda: shows(page, shot, "Floor board", "Late"), BROWSER_WAIT_S)
        server.terminate()
        server.wait()
        # textual-serve's "Session ended" dialog (over a patterned backdrop that OCR reads poorly)
        closed = lambda: page.locator("body.-closed").count()  # noqa: E731
        wait_for("the page to see the server gone", closed, BROWSER_WAIT_S)
    port = int(url.rsplit(":", 1)[1])
    with serving(shop, tmp_path, "--board", port=port):
        again = "the board again, unattended"
        wait_for(again, lambda: shows(page, shot, "Floor board", "Late"), BROWSER_WAIT_S)
        assert not closed()
