"""Screens that only read never wait behind a writer. On a SQLite cache one writer at a time holds the
lock (a sync writing a page, another station's step): a person looking an order up, or watching the
board, sees it all the same, at once, not after the write (or the 30 s the cache waits for a lock)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from oms_tui.app import OmsApp
from oms_tui.cache.models import Order, Role
from oms_tui.floor.exceptions.rules import RuleSettings
from oms_tui.runtime import Runtime
from oms_tui.screens.order_screen import OrderScreen
from oms_tui.screens.replenish_screen import ReplenishScreen
from oms_tui.widgets.stage_tile import StageTile
from tests.local_time import utc_local_time
from tests.ui.conftest import NOW, settle
from tests.ui.floor_app import signed_in
from tests.ui.floor_day import seed_floor_day
from tests.ui.shown_within import shown_within
from tests.writer_busy import writer_busy

SIZE = (120, 36)
Opened = Callable[[OmsApp], bool]
Go = Callable[[OmsApp, Pilot[Any]], Any]


def rows_of(app: OmsApp, selector: str) -> int:
    """The rows of the table on show (0 while the screen is still being made)."""
    return sum(table.row_count for table in app.screen.query(selector).results(DataTable))


def order_named(runtime: Runtime, name: str) -> str:
    with runtime.cache.reads() as session:
        return session.exec(select(Order.id).where(Order.name == name)).one()


def open_order(runtime: Runtime) -> tuple[Go, Opened]:
    order_id = order_named(runtime, "#1050")

    async def go(app: OmsApp, _pilot: Pilot[Any]) -> None:
        app.open_order(order_id)

    def shown(app: OmsApp) -> bool:
        screen = app.screen
        return isinstance(screen, OrderScreen) and screen.detail is not None and rows_of(app, "#lines") > 0

    return go, shown


def by_key(key: str, shown: Opened) -> Callable[[Runtime], tuple[Go, Opened]]:
    def screen(_runtime: Runtime) -> tuple[Go, Opened]:
        async def go(_app: OmsApp, pilot: Pilot[Any]) -> None:
            await pilot.press(*key.split())

        return go, shown

    return screen


def board_shown(app: OmsApp) -> bool:
    return any(tile.value for tile in app.screen.query("#stage-0").results(StageTile))


def refills_shown(app: OmsApp) -> bool:
    summary = app.screen.query("#summary").results(Static) if isinstance(app.screen, ReplenishScreen) else ()
    return any("below their minimum" in str(shown.render()) for shown in summary)


SCREENS = {
    "order": open_order,
    "board": by_key("f4", board_shown),
    "exceptions": by_key("f3", lambda app: rows_of(app, "#exceptions") > 0),
    "search": by_key("slash 1 0 5 0", lambda app: rows_of(app, "#results") > 0),
    "returns": by_key("f7", lambda app: (app.screen.sub_title or "").endswith(" open")),
}


@pytest.mark.parametrize("name", SCREENS)
async def test_a_screen_that_reads_shows_while_another_writes(runtime: Runtime, name: str) -> None:
    with utc_local_time():
        seed_floor_day(runtime.cache, NOW, RuleSettings(sla_hours=runtime.settings.sla_hours))
    app = signed_in(runtime, "M01", "Maya Manager", Role.MANAGER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        go, shown = SCREENS[name](runtime)
        with writer_busy(runtime.cache):
            await go(app, pilot)
            assert await shown_within(pilot, shown), f"the {name} screen waited for the writer"


async def test_the_refills_list_shows_while_another_writes(runtime: Runtime) -> None:
    settings = runtime.settings.model_copy(update={"stock_location": "Main Warehouse"})
    at_main = replace(runtime, settings=settings)
    app = signed_in(at_main, "M01", "Maya Manager", Role.MANAGER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with writer_busy(runtime.cache):
            app.action_replenish()
            assert await shown_within(pilot, refills_shown)
