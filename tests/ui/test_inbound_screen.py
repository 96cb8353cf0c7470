"""A whole inbound shipment received at the dock by scanner bursts and keys, an over-receipt accepted
by a manager's badge, until the store's received quantities are what was counted."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from oms_tui.cache.database import open_cache
from oms_tui.cache.models import BinLocation, BinStock, OutboxAction, Role
from oms_tui.config import Settings
from oms_tui.runtime import Runtime
from oms_tui.screens.inbound_screen import InboundScreen
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from oms_tui.widgets.blocking_error import BlockingError
from tests.store.simulated import no_sleep, simulated_client
from tests.store.test_outbox import Clock, push_until_empty
from tests.team import hire
from tests.ui.conftest import NOW
from tests.ui.floor_app import settle, signed_in
from tests.ui.scanner import scan, scanner_on, type_slowly

BINS = ("R-01", "R-02")


@pytest.fixture
def dock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[SimStore, Runtime]:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    store = SimStore(orders=20, seed=3, clock=lambda: NOW)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="dock-1")
    runtime = Runtime(settings, open_cache(settings.database_url), "https://sim.test", SecretStr("x"))

    async def sync() -> None:
        client, _, _ = simulated_client(store)
        async with client:
            await SyncEngine(client, runtime.cache, clock=lambda: NOW).run_once()

    asyncio.run(sync())
    main = min(store.locations)
    with runtime.cache.sessions() as session:
        for code in BINS:
            session.add(BinLocation(location_id=main, sku="SOMETHING-ELSE", code=code))
        session.commit()
    hire(runtime.cache, "M01")
    return store, scanner_on(runtime)


async def answer(pilot: Pilot[Any], text: str) -> None:
    """Type into the modal's box, then Enter."""
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await settle(pilot)


def rows(screen: InboundScreen) -> list[tuple[str, str, str, str]]:
    table = screen.query_one("#lines", DataTable)
    return [
        (str(row[0]), str(row[2]), str(row[3]), str(row[4]))
        for row in (table.get_row_at(n) for n in range(table.row_count))
    ]


async def test_a_whole_shipment_received_by_scans_ends_with_the_stores_quantities(
    dock: tuple[SimStore, Runtime],
) -> None:
    store, runtime = dock
    shipment = min(store.transfers.values(), key=lambda t: t.id).shipments[0]
    lines = shipment.line_items
    skus = [line.inventory_item.sku for line in lines]
    app = signed_in(runtime, "P02", "Bo Picker", Role.PICKER)
    async with app.run_test(size=(150, 40)) as pilot:
        app.action_inbound()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboundScreen)
        queue = screen.query_one("#queue", DataTable)
        assert shipment.name in {str(queue.get_row_at(n)[0]) for n in range(queue.row_count)}

        await scan(pilot, shipment.name)  # the shipment's label opens its receipt
        await settle(pilot)
        assert screen.receipt is not None and screen.receipt.shipment_id == shipment.id

        await scan(pilot, skus[1])  # no bin yet: refused, nothing counted
        await settle(pilot)
        assert isinstance(app.screen, BlockingError)
        await pilot.press("escape")
        await scan(pilot, "R-01")
        await settle(pilot)
        await type_slowly(pilot, "n")  # a SKU and a typed number: the whole first line
        await answer(pilot, f"{skus[0]} {lines[0].quantity}")
        await scan(pilot, *[skus[1]] * (lines[1].quantity - 1))  # unit by unit, in bursts
        await settle(pilot)
        await type_slowly(pilot, "x")  # the last one arrived broken
        await answer(pilot, f"{skus[1]} 1 damaged")

        await scan(pilot, "R-02")
        await settle(pilot)
        for sku, line in zip(skus[2:], lines[2:], strict=True):
            await scan(pilot, *[sku] * line.quantity)
            await settle(pilot)
        await scan(pilot, skus[-1])  # one more than was shipped: a manager must accept it
        await settle(pilot)
        await answer(pilot, "M01")  # the manager's badge
        expected = [
            (sku, str(line.quantity), str(line.quantity), "0") for sku, line in zip(skus, lines, strict=True)
        ]
        expected[1] = (skus[1], str(lines[1].quantity), str(lines[1].quantity - 1), "1 damaged")
        expected[-1] = (skus[-1], str(lines[-1].quantity), str(lines[-1].quantity + 1), "0")
        assert rows(screen) == expected

        await type_slowly(pilot, "f")
        await settle(pilot)
        assert screen.receipt is None, "finishing goes back to the queue"
        assert shipment.name not in {str(queue.get_row_at(n)[0]) for n in range(queue.row_count)}

    client, _, _ = simulated_client(store)
    clock = Clock()
    async with client:
        await push_until_empty(OutboxPusher(client, runtime.cache, clock=clock, sleep=no_sleep), clock)
    assert [(line.accepted_quantity, line.rejected_quantity) for line in lines] == [
        (int(accepted), int(rejected.split()[0])) for _, _, accepted, rejected in expected
    ]
    assert shipment.status == "RECEIVED"
    with runtime.cache.sessions() as session:
        (action,) = session.exec(select(OutboxAction)).all()
        assert (action.state, action.staff_code, action.payload["overReceipt"]) == ("done", "P02", True)
        held = {(row.code, row.sku): row.quantity for row in session.exec(select(BinStock))}
    assert held[("R-01", skus[0])] == lines[0].quantity and held[("R-02", skus[-1])] == lines[-1].quantity + 1
