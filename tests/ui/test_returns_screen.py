"""Receiving a return at the desk, by scans and keys, until the store holds exactly what was decided."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable

from oms_tui.cache.database import open_cache
from oms_tui.cache.models import AuditEvent, BinLocation, FloorException, OutboxAction, Role
from oms_tui.config import Settings
from oms_tui.runtime import Runtime
from oms_tui.screens.choice_modal import ChoiceModal
from oms_tui.screens.messages import Scanned
from oms_tui.screens.returns_screen import ReturnsScreen
from oms_tui.sim.return_model import Return as SimReturn
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from oms_tui.widgets.blocking_error import BlockingError
from tests.store.returns_shop import request_return
from tests.store.simulated import simulated_client
from tests.store.test_outbox import Clock, push_until_empty
from tests.ui.conftest import NOW
from tests.ui.floor_app import settle, signed_in
from tests.ui.shown_within import shown_within
from tests.writer_busy import writer_busy


class Shop:
    def __init__(self, store: SimStore, runtime: Runtime, returned: SimReturn) -> None:
        self.store, self.runtime, self.returned = store, runtime, returned

    @property
    def skus(self) -> list[str]:
        return [line.fulfillment_line_item.line_item.sku for line in self.returned.return_line_items]

    @property
    def order_name(self) -> str:
        order = self.store.order(self.returned.order_id)
        assert order is not None
        return order.name


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Shop:
    """A shop with one open return of two lines (an old order: past the 30-day window), synced."""
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    store = SimStore(orders=60, seed=7, clock=lambda: NOW)
    returned = request_return(store, min_lines=2)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="returns-1")
    runtime = Runtime(settings, open_cache(settings.database_url), "https://sim.test", SecretStr("x"))

    async def sync() -> None:
        client, _, _ = simulated_client(store)
        async with client:
            await SyncEngine(client, runtime.cache, clock=lambda: NOW).run_once()

    asyncio.run(sync())
    return Shop(store, runtime, returned)


async def open_returns(pilot: Pilot[Any]) -> ReturnsScreen:
    await pilot.press("f7")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReturnsScreen)
    return screen


async def scan(pilot: Pilot[Any], code: str) -> None:
    pilot.app.screen.post_message(Scanned(code))
    await settle(pilot)


def decisions(screen: ReturnsScreen) -> list[tuple[str, str, str, str]]:
    table = screen.query_one("#items", DataTable)
    return [
        (str(row[0]), str(row[3]), str(row[2]), str(row[4]))
        for row in (table.get_row_at(n) for n in range(table.row_count))
    ]


async def test_a_return_received_with_one_damaged_and_one_missing_item(shop: Shop) -> None:
    app = signed_in(shop.runtime, "R01", "Rosa", Role.PACKER)
    first, second = shop.returned.reverse_fulfillment_orders[0].line_items
    damaged_sku, missing_sku = shop.skus
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_returns(pilot)
        queue = screen.query_one("#queue", DataTable)
        assert shop.returned.name in {str(queue.get_row_at(n)[0]) for n in range(queue.row_count)}

        await scan(pilot, shop.order_name)  # the order number opens its return
        assert screen.receiving is not None and screen.receiving.return_id == shop.returned.id

        await scan(pilot, "NOT-ON-THIS-RETURN")
        assert isinstance(app.screen, BlockingError), "a wrong item must block"
        await scan(pilot, damaged_sku)  # a scan cannot close it
        assert isinstance(app.screen, BlockingError)
        await pilot.press("escape")
        await settle(pilot)
        for _ in range(first.total_quantity):
            await scan(pilot, damaged_sku)
        assert decisions(screen)[0][:3] == (damaged_sku, str(first.total_quantity), str(first.total_quantity))

        await pilot.press("d")  # the highlighted line (the one just scanned): damaged
        await pilot.press("down", "m")  # the other never came: missing
        await settle(pilot)
        assert [(sku, outcome) for sku, _, _, outcome in decisions(screen)] == [
            (damaged_sku, "damaged"),
            (missing_sku, "missing"),
        ]
        await pilot.press("f")
        await settle(pilot)
        assert screen.receiving is None, "finishing goes back to the queue"
        assert shop.returned.name not in {str(queue.get_row_at(n)[0]) for n in range(queue.row_count)}

    with shop.runtime.cache.sessions() as session:
        actions = session.exec(select(OutboxAction)).all()
        raised = {row.kind: row.message for row in session.exec(select(FloorException))}
        steps = [
            event.action
            for event in session.exec(select(AuditEvent).where(AuditEvent.subject == shop.returned.id))
        ]
    assert [a.kind for a in actions] == ["return_dispose", "return_close"]
    assert all(a.staff_code == "R01" and a.station == "returns-1" for a in actions)
    assert set(raised) == {"return_missing", "return_unexpected", "return_late"}
    assert missing_sku in raised["return_missing"] and "NOT-ON-THIS-RETURN" in raised["return_unexpected"]
    assert steps.count("return.scan") == first.total_quantity and "return.wrong_scan" in steps
    assert {"return.open", "return.decide", "return.received", "store.return_dispose"} <= set(steps)

    client, _, _ = simulated_client(shop.store)
    clock = Clock()
    async with client:
        await push_until_empty(OutboxPusher(client, shop.runtime.cache, clock=clock), clock)
    held = [
        [(d.type, d.quantity, d.location) for d in line.dispositions]
        for line in shop.returned.reverse_fulfillment_orders[0].line_items
    ]
    assert held == [
        [("NOT_RESTOCKED", first.total_quantity, None)],
        [("MISSING", second.total_quantity, None)],
    ]
    assert shop.returned.status == "CLOSED"


async def test_a_restock_goes_to_the_chosen_bin_and_the_stock_follows(shop: Shop) -> None:
    first, second = shop.returned.reverse_fulfillment_orders[0].line_items
    sku = shop.skus[0]
    order = shop.store.order(shop.returned.order_id)
    assert order is not None
    location = order.fulfillment_orders[0].location
    with shop.runtime.cache.sessions() as session:
        session.add(BinLocation(location_id=location.id, sku=sku, code="R-01-1"))
        session.commit()
    before = next(
        lv.on_hand for lv in shop.store.inventory_by_sku(sku).levels if lv.location.id == location.id
    )  # type: ignore[union-attr]
    app = signed_in(shop.runtime, "R02", "Sam", Role.PICKER)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_returns(pilot)
        await scan(pilot, shop.returned.reverse_fulfillment_orders[0].reverse_deliveries[0].tracking.number)  # type: ignore[union-attr]
        assert screen.receiving is not None, "the return label's tracking number opens the return"
        for _ in range(first.total_quantity):
            await scan(pilot, sku)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("enter")  # the SKU's bin comes first
        await settle(pilot)
        await pilot.press("down", "m", "f")
        await settle(pilot)
        assert screen.receiving is None
    client, _, _ = simulated_client(shop.store)
    clock = Clock()
    async with client:
        await push_until_empty(OutboxPusher(client, shop.runtime.cache, clock=clock), clock)
    assert [(d.type, d.location.id if d.location else None) for d in first.dispositions] == [
        ("RESTOCKED", location.id)
    ]
    after = next(
        lv.on_hand for lv in shop.store.inventory_by_sku(sku).levels if lv.location.id == location.id
    )  # type: ignore[union-attr]
    assert after == before + first.total_quantity
    assert [d.type for d in second.dispositions] == ["MISSING"]


async def test_leaving_and_a_new_app_resume_the_return_where_it_was(shop: Shop) -> None:
    """What was counted and decided is in the cache: leaving the return, switching staff or a new
    app (a station killed mid-return) loses nothing, and finishing sends the whole of it."""
    first, second = shop.returned.reverse_fulfillment_orders[0].line_items
    damaged_sku, other_sku = shop.skus
    label = shop.returned.reverse_fulfillment_orders[0].reverse_deliveries[0].tracking.number  # type: ignore[union-attr]
    app = signed_in(shop.runtime, "R01", "Rosa", Role.PACKER)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_returns(pilot)
        await scan(pilot, shop.order_name)
        await scan(pilot, damaged_sku)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("escape")  # back to the queue
        await settle(pilot)
        assert screen.receiving is None
        await scan(pilot, shop.order_name)
        resumed = (damaged_sku, "1", str(first.total_quantity), _damaged(first.total_quantity))
        assert decisions(screen)[0] == resumed
        await scan(pilot, other_sku)  # then the station dies with the return open
    app = signed_in(shop.runtime, "R02", "Sam", Role.PACKER)  # a new app, someone else at the desk
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_returns(pilot)
        await scan(pilot, label)
        assert decisions(screen) == [
            (damaged_sku, "1", str(first.total_quantity), _damaged(first.total_quantity)),
            (other_sku, "1", str(second.total_quantity), ""),
        ]
        await pilot.press("down", "d", "f")
        await settle(pilot)
        assert screen.receiving is None, "finished"
    client, _, _ = simulated_client(shop.store)
    clock = Clock()
    async with client:
        await push_until_empty(OutboxPusher(client, shop.runtime.cache, clock=clock), clock)
    for line in (first, second):  # one unit of each came back damaged, the rest never came
        held = sorted((d.type, d.quantity) for d in line.dispositions)
        rest = [("MISSING", line.total_quantity - 1)] if line.total_quantity > 1 else []
        assert held == sorted([("NOT_RESTOCKED", 1), *rest])


def _damaged(expected: int) -> str:
    """One unit counted and decided damaged, as the table shows it."""
    return "damaged" if expected == 1 else f"1 damaged, {expected - 1} missing"


async def test_a_second_station_is_told_who_is_receiving_the_return(shop: Shop) -> None:
    app = signed_in(shop.runtime, "R01", "Rosa", Role.PACKER)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_returns(pilot)
        await scan(pilot, shop.order_name)
        await scan(pilot, shop.skus[0])
    settings = shop.runtime.settings.model_copy(update={"station": "returns-2"})
    there = Runtime(settings, shop.runtime.cache, "https://sim.test", SecretStr("x"))
    app = signed_in(there, "R02", "Sam", Role.PACKER)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_returns(pilot)
        await scan(pilot, shop.order_name)
        assert screen.receiving is None
        assert isinstance(app.screen, BlockingError)
        shown = app.screen.problem
        assert f"{shop.returned.name} is being received by R01 at returns-1" in shown


def test_receiving_snapshot(shop: Shop, snap_compare: Any) -> None:
    app = signed_in(shop.runtime, "R01", "Rosa", Role.PACKER)

    async def receive_some(pilot: Pilot[Any]) -> None:
        await open_returns(pilot)
        await scan(pilot, shop.order_name)
        await scan(pilot, shop.skus[0])
        await pilot.press("d")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(140, 30), run_before=receive_some)


def test_queue_snapshot(shop: Shop, snap_compare: Any) -> None:
    app = signed_in(shop.runtime, "R01", "Rosa", Role.PACKER)

    async def go_there(pilot: Pilot[Any]) -> None:
        await open_returns(pilot)

    assert snap_compare(app, terminal_size=(140, 24), run_before=go_there)


async def test_the_shelves_to_restock_to_show_while_another_station_writes(shop: Shop) -> None:
    # Listing the shelves reads only: it does not wait for a sync writing a page (SQLite's write lock).
    app = signed_in(shop.runtime, "R02", "Sam", Role.PICKER)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_returns(pilot)
        await scan(pilot, shop.returned.reverse_fulfillment_orders[0].reverse_deliveries[0].tracking.number)  # type: ignore[union-attr]
        await scan(pilot, shop.skus[0])
        with writer_busy(shop.runtime.cache):
            await pilot.press("r")
            assert await shown_within(pilot, lambda app: isinstance(app.screen, ChoiceModal))
