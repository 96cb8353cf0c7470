"""Scan anywhere: a scanner's bursts told from typing on every screen, and what a scan opens."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Tabs

from oms_tui.app import OmsApp
from oms_tui.cache.models import Fulfillment, LineItem, Order
from oms_tui.runtime import Runtime
from oms_tui.screens.messages import Scanned
from oms_tui.screens.order_screen import OrderScreen
from oms_tui.screens.queue_screen import QueueScreen
from oms_tui.screens.search_screen import SearchScreen
from oms_tui.widgets.blocking_error import BlockingError
from tests.ui.conftest import NOW
from tests.ui.floor_app import order_named, settle
from tests.ui.scanner import scan, scanner_on, type_slowly

SIZE = (120, 36)


class ScanningScreen(Screen[None]):
    """A screen that works by scan, as the pick and pack screens do: it takes every scan."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = []
        self.submitted: list[str] = []

    def compose(self) -> ComposeResult:
        yield Input(id="box")

    @on(Scanned)
    def took(self, event: Scanned) -> None:
        event.stop()
        self.codes.append(event.code)

    @on(Input.Submitted)
    def entered(self, event: Input.Submitted) -> None:
        self.submitted.append(event.value)


@pytest.fixture
def scanning(runtime: Runtime) -> OmsApp:
    return OmsApp(scanner_on(runtime), live=False, clock=lambda: NOW)


async def on_scanning_screen(app: OmsApp) -> ScanningScreen:
    screen = ScanningScreen()
    await app.push_screen(screen)
    return screen


async def test_bursts_back_to_back_with_no_gap_are_each_one_scan(scanning: OmsApp) -> None:
    async with scanning.run_test(size=SIZE) as pilot:
        screen = await on_scanning_screen(scanning)
        assert scanning.focused is screen.query_one("#box")
        await scan(pilot, "1004", "TEE-BLK-M", "#1005", "1Z999AA10123456784")
        assert screen.codes == ["1004", "TEE-BLK-M", "#1005", "1Z999AA10123456784"]
        assert screen.query_one("#box", Input).value == ""  # the focused box saw none of it
        assert screen.submitted == []


async def test_a_person_typing_reaches_the_focused_box_key_by_key(scanning: OmsApp) -> None:
    async with scanning.run_test(size=SIZE) as pilot:
        screen = await on_scanning_screen(scanning)
        await type_slowly(pilot, "#1004\r")
        assert screen.submitted == ["#1004"]
        assert screen.codes == []
        await type_slowly(pilot, "ab")  # typed, then a scan at once: both kept, each as what it is
        await scan(pilot, "SKU-1")
        assert screen.query_one("#box", Input).value == "#1004ab"
        assert screen.codes == ["SKU-1"]


async def test_a_slow_scanner_needs_its_gap_setting(runtime: Runtime) -> None:
    slow = OmsApp(scanner_on(runtime, gap_ms=150), live=False, clock=lambda: NOW)
    async with slow.run_test(size=SIZE) as pilot:
        screen = await on_scanning_screen(slow)
        await scan(pilot, "1Z999AA10123456784", "#1004", gap_ms=90)  # Bluetooth: 90 ms a key
        assert screen.codes == ["1Z999AA10123456784", "#1004"]
    default = OmsApp(scanner_on(runtime), live=False, clock=lambda: NOW)
    async with default.run_test(size=SIZE) as pilot:  # 40 ms: the same scanner reads as typing
        screen = await on_scanning_screen(default)
        await scan(pilot, "1Z999AA10123456784", gap_ms=90)
        assert screen.codes == []
        assert screen.submitted == ["1Z999AA10123456784"]


async def test_an_order_number_scanned_on_the_queue_opens_it_and_switches_no_tab(scanning: OmsApp) -> None:
    async with scanning.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = scanning.screen
        assert isinstance(queue, QueueScreen)
        tabs = queue.query_one(Tabs)
        first_tab = tabs.active
        await scan(pilot, "#1004")
        await settle(pilot)
        with scanning.runtime.cache.reads() as session:
            wanted = order_named(session, "#1004").id
        assert isinstance(scanning.screen, OrderScreen)
        assert scanning.screen.order_id == wanted
        await pilot.press("escape")
        await scan(pilot, "1003")  # digits are also the tab keys: a scan is not a key press
        await settle(pilot)
        assert isinstance(scanning.screen, OrderScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert tabs.active == first_tab
        await type_slowly(pilot, "3")  # a person pressing 3 still switches the tab
        await settle(pilot)
        assert tabs.active != first_tab
        assert tabs.active == tabs.query("Tab")[2].id


async def test_a_tracking_number_opens_its_order_and_a_sku_finds_its_orders(scanning: OmsApp) -> None:
    with scanning.runtime.cache.reads() as session:
        order_id, parcel = session.exec(
            select(Fulfillment.order_id, Fulfillment.tracking_number).where(
                col(Fulfillment.tracking_number).is_not(None)
            )
        ).first() or (None, None)
        sku = session.exec(select(LineItem.sku).where(col(LineItem.sku).is_not(None))).first()
    assert parcel and sku
    async with scanning.run_test(size=SIZE) as pilot:
        await scan(pilot, parcel)
        await settle(pilot)
        assert isinstance(scanning.screen, OrderScreen)
        assert scanning.screen.order_id == order_id
        await pilot.press("escape")
        await scan(pilot, sku)
        await settle(pilot)
        assert isinstance(scanning.screen, SearchScreen)
        assert scanning.screen.query_one("#query", Input).value == sku


async def test_an_unknown_code_says_so_and_changes_nothing(
    scanning: OmsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(scanning, "notify", lambda message, **_: said.append(message))
    async with scanning.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = scanning.screen
        await scan(pilot, "NO-SUCH-THING-42")
        await settle(pilot)
        assert scanning.screen is queue
    assert said == ["unknown code 'NO-SUCH-THING-42': no order, badge, tracking number, SKU or barcode"]


async def test_a_scan_does_not_close_a_blocking_error(
    scanning: OmsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    rings: list[None] = []
    async with scanning.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(scanning, "bell", lambda: rings.append(None))
        blocking = BlockingError("Wrong item", "TEE-BLK-M is not on this order")
        await scanning.push_screen(blocking)
        await pilot.pause()
        await scan(pilot, "#1004", "TEE-BLK-M")
        await settle(pilot)
        assert scanning.screen is blocking
        assert len(rings) == 3  # once when it opened, once for each scan
        await pilot.press("enter")  # a lone Enter (a scanner's, its code lost) does not close it either
        assert scanning.screen is blocking
        await pilot.press("escape")
        assert isinstance(scanning.screen, QueueScreen)


async def test_the_order_scanned_is_the_order_opened(scanning: OmsApp) -> None:
    with scanning.runtime.cache.reads() as session:
        names = list(session.exec(select(Order.name).order_by(col(Order.name)).limit(3)))
    async with scanning.run_test(size=SIZE) as pilot:
        opened: list[Any] = []
        for name in names:
            await scan(pilot, name.lstrip("#"))
            await settle(pilot)
            screen = scanning.screen
            assert isinstance(screen, OrderScreen)
            opened.append(screen.order_id)
            await pilot.press("escape")
        with scanning.runtime.cache.reads() as session:
            assert [order_named(session, name).id for name in names] == opened
