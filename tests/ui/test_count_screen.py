"""A whole cycle count by scanner bursts on the Count screen, ending with the store's quantities equal to
what was counted once the outbox has delivered it."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import select

from oms_tui.cache.models import BinLocation, InventoryLevel, OutboxAction, Role
from oms_tui.runtime import Runtime
from oms_tui.screens.count_screen import CountScreen
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from tests.store.simulated import simulated_client
from tests.store.test_outbox import Clock, push_until_empty
from tests.ui.conftest import NOW, settle, stocked
from tests.ui.floor_app import signed_in
from tests.ui.scanner import scan, scanner_on, type_slowly

MAIN = "Main Warehouse"


async def test_a_count_by_scans_sets_the_stores_stock_to_what_was_counted(runtime: Runtime) -> None:
    store = stocked(
        SimStore(orders=60, seed=7, clock=lambda: NOW)
    )  # the shop the runtime's cache was synced from
    levels = [
        level
        for item in store.inventory.values()
        for level in item.levels
        if level.location.name == MAIN and level.on_hand > 10 and not level.committed
    ]
    big, small = levels[0], levels[1]
    small.on_hand = 4  # a bin counted unit by unit
    with runtime.cache.sessions() as session:
        cached = session.exec(
            select(InventoryLevel).where(
                InventoryLevel.location_id == small.location.id, InventoryLevel.sku == small.item.sku
            )
        ).one()
        cached.on_hand = cached.available = 4
        session.add(cached)
        session.add(BinLocation(location_id=big.location.id, sku=big.item.sku, code="A-01-1"))
        session.add(BinLocation(location_id=small.location.id, sku=small.item.sku, code="A-01-2"))
        session.commit()
    counted_big = big.on_hand - 2
    settings = runtime.settings.model_copy(update={"stock_location": MAIN, "count_tolerance": 5})
    app = signed_in(scanner_on(replace(runtime, settings=settings)), "P02", "Pia Picker", Role.PICKER)
    async with app.run_test() as pilot:
        app.action_count()
        await settle(pilot)
        assert isinstance(app.screen, CountScreen)
        await type_slowly(pilot, "A\r")  # zone A
        await settle(pilot)
        await scan(pilot, "A-01-1", big.item.sku)  # the bin, then a SKU and the number typed
        await type_slowly(pilot, f"{counted_big}\r")
        await settle(pilot)
        await scan(pilot, "A-01-2", small.item.sku, small.item.sku, small.item.sku)  # unit by unit
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "count sent: 2 SKU(s)" in str(app.screen.query_one("#note").render())
    with runtime.cache.sessions() as session:
        actions = session.exec(select(OutboxAction)).all()
    assert sorted(a.payload["sku"] for a in actions) == sorted([big.item.sku, small.item.sku])
    client, _tap, _app = simulated_client(store)
    clock = Clock()
    async with client:
        await push_until_empty(OutboxPusher(client, runtime.cache, clock=clock), clock)
    assert (big.on_hand, small.on_hand) == (counted_big, 3)
    references = {e.reference_document_uri for e in store.inventory_book.ledger}
    assert references == {actions[0].payload["referenceDocumentUri"]}
    assert references.pop().startswith("gid://oms-tui/Count/")
