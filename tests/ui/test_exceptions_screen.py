"""The exception pane, driven by keys: filter by kind, claim, resolve with a note, open the order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select

from oms_tui.actions.stock_common import Reason
from oms_tui.app import OmsApp
from oms_tui.cache.models import AuditEvent, FloorException, Order
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.exceptions.rules import RuleSettings, label
from oms_tui.floor.stock.stock_changes import level_of, record_adjust
from oms_tui.runtime import LiveUpdate, Runtime
from oms_tui.screens.exceptions_screen import ExceptionsScreen
from oms_tui.screens.messages import LiveUpdated
from oms_tui.screens.order_screen import OrderScreen
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.widgets.fitted_table import FittedTable
from tests.local_time import utc_local_time
from tests.store.simulated import simulated_client
from tests.store.test_outbox import Clock, push_until_empty
from tests.team import hire
from tests.ui.conftest import NOW, settled, stocked
from tests.ui.floor_day import seed_floor_day

SIZE = (120, 36)
MAIN = "Main Warehouse"


@pytest.fixture(autouse=True)
def floor_day(runtime: Runtime) -> Iterator[None]:
    with utc_local_time():
        seed_floor_day(runtime.cache, NOW, RuleSettings(sla_hours=runtime.settings.sla_hours))
        yield


async def open_pane(pilot: Pilot[Any]) -> ExceptionsScreen:
    await pilot.press("f3")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(pilot.app.screen, ExceptionsScreen)
    return pilot.app.screen


def shown_kinds(table: DataTable[Any]) -> list[str]:
    return [str(table.get_row_at(n)[1]) for n in range(table.row_count)]


def stored(runtime: Runtime, ident: int) -> FloorException:
    with runtime.cache.sessions() as session:
        return session.get_one(FloorException, ident)


def test_exceptions_snapshot(app: OmsApp, snap_compare: Any) -> None:
    async def go_there(pilot: Pilot[Any]) -> None:
        await open_pane(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=go_there)


async def test_most_severe_first_then_filter_by_kind(app: OmsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pane(pilot)
        table = screen.query_one(DataTable)
        everything = table.row_count
        assert {"store rejected", "payment", "SLA breached"} <= set(shown_kinds(table))
        severities = [str(table.get_row_at(n)[0].style) for n in range(table.row_count)]
        assert severities == sorted(severities, key=lambda style: style != "bold red")
        await pilot.press("f", *"payment", "enter")  # the list of kinds jumps to what is typed
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.query_one(Select).value == "payment"
        assert set(shown_kinds(table)) == {label("payment")}
        assert 0 < table.row_count < everything


async def test_claim_then_resolve_with_a_note_records_who_and_how(app: OmsApp, runtime: Runtime) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pane(pilot)
        table = screen.query_one(DataTable)
        await pilot.press("j")
        ident = int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))
        await pilot.press("c")
        assert isinstance(pilot.app.focused, Input)
        await pilot.press(*"bo", "enter")  # staff codes are typed as they come
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert stored(runtime, ident).owner == "BO"
        assert table.get_row(str(ident))[4] == "BO"
        assert table.cursor_row == 1  # still on the one claimed
        await pilot.press("r")
        await pilot.press(*"paid", "enter")  # the staff code is remembered
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert str(ident) not in table.rows
    row = stored(runtime, ident)
    assert (row.state, row.resolved_by, row.resolution) == ("resolved", "BO", "paid")
    with runtime.cache.sessions() as session:
        actions = [
            (e.action, e.staff_code, e.station)
            for e in session.exec(select(AuditEvent))
            if e.action.startswith("exception")
        ]
    assert actions == [("exception.claim", "BO", "pack-1"), ("exception.resolve", "BO", "pack-1")]


async def test_an_unknown_staff_code_is_refused_in_one_line(app: OmsApp, runtime: Runtime) -> None:
    said: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pane(pilot)
        app.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
        ident = int(str(screen.query_one(DataTable).coordinate_to_cell_key((0, 0)).row_key.value))
        await pilot.press("c", *"zz", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    assert said == ["unknown staff code 'ZZ'"]
    assert stored(runtime, ident).owner is None


async def test_enter_opens_the_order(app: OmsApp) -> None:
    said: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pane(pilot)
        app.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
        order_name = screen.query_one(DataTable).get_row_at(0)[2]
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, OrderScreen)
        with app.runtime.cache.reads() as session:
            assert session.get_one(Order, app.screen.order_id).name == order_name
    assert said == []


async def test_a_stock_change_the_store_rejected_names_its_sku_and_opens_no_order(
    app: OmsApp, runtime: Runtime
) -> None:
    store = stocked(SimStore(orders=60, seed=7, clock=lambda: NOW))  # the shop the cache was synced from
    level = next(lv for item in store.inventory.values() for lv in item.levels if lv.location.name == MAIN)
    hire(runtime.cache, "P02")
    with runtime.cache.sessions() as session:
        cached = level_of(session, level.item.sku, level.location.id)
        record_adjust(session, Actor("pick-1", "P02"), cached, -1, Reason.SHRINKAGE)
        session.commit()
    level.on_hand -= 1  # a sale meanwhile: the store refuses the change made from 1 more
    client, _tap, _app = simulated_client(store)
    clock = Clock()
    async with client:
        await push_until_empty(OutboxPusher(client, runtime.cache, clock=clock), clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pane(pilot)
        table = screen.query_one(DataTable)
        rows = [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]
        row = next(n for n, cells in enumerate(rows) if any("inventory_adjust" in cell for cell in cells))
        said = f"stock {level.item.sku} @ {MAIN}: inventory_adjust was rejected by the store"
        assert any(cell.startswith(said) for cell in rows[row])
        table.move_cursor(row=row)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ExceptionsScreen)
        assert [str(note.message) for note in app._notifications] == ["This exception is not about an order"]


async def test_a_read_that_finds_the_same_exceptions_does_not_fill_the_table_again(
    app: OmsApp, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(pilot)
        table = pane.query_one(FittedTable)
        filled: list[int] = []
        add_row = table.add_row
        monkeypatch.setattr(table, "add_row", lambda *cells, **kw: filled.append(1) or add_row(*cells, **kw))
        pane.post_message(LiveUpdated(LiveUpdate("the floor changed", changed=True)))
        await settled(pilot)
        assert filled == []  # a change elsewhere that left the exceptions as they were
        first = stored(runtime, int(table.rows_shown[0][1] or 0))
        with runtime.cache.sessions() as session:  # one is claimed elsewhere: drawn again
            first.owner = "P09"
            session.add(first)
            session.commit()
        pane.post_message(LiveUpdated(LiveUpdate("the floor changed", changed=True)))
        await settled(pilot)
        assert len(filled) == len(table.rows_shown) and table.rows_shown[0][0][4] == "P09"
