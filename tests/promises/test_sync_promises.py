"""The simulator's floor has pre-orders and store deadlines; sync keeps them, with each order's total,
currency and customer order count, through the real client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import FulfillmentOrder, Order
from oms_tui.sim.store import SimStore
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import simulated_client

NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


def test_the_demo_floor_has_pre_orders_and_deadlines() -> None:
    store = SimStore(orders=2000, seed=7, clock=lambda: NOW, floor_ages=True)
    fos = [fo for order in store.orders.values() for fo in order.fulfillment_orders]
    assert any(fo.status == "SCHEDULED" and fo.fulfill_at and fo.fulfill_at > fo.created_at for fo in fos)
    assert any(fo.fulfill_by is not None for fo in fos)


async def test_sync_keeps_scheduled_work_deadlines_and_what_rules_read(any_cache: Cache) -> None:
    store = SimStore(orders=60, seed=7, clock=lambda: NOW)
    open_orders = [o for o in store.orders.values() if o.fulfillment_orders[0].status == "OPEN"]
    later, due = open_orders[0], open_orders[1]
    for fo in later.fulfillment_orders:
        fo.status, fo.fulfill_at = "SCHEDULED", NOW + timedelta(days=5)
    deadline = NOW + timedelta(hours=3)
    due.fulfillment_orders[0].fulfill_by = deadline
    store.keep(later), store.keep(due)
    client, _, _ = simulated_client(store)
    async with client:
        await SyncEngine(client, any_cache, clock=lambda: NOW).run_once()
    with any_cache.sessions() as session:
        fo = session.get(FulfillmentOrder, later.fulfillment_orders[0].id)
        assert fo is not None and (fo.status, fo.fulfill_at) == ("SCHEDULED", NOW + timedelta(days=5))
        order = session.get(Order, due.id)
        assert order is not None and order.ship_by == deadline  # the store's deadline wins
        assert session.exec(select(Order).where(Order.id == due.id)).one().customer_orders == (
            due.customer.number_of_orders  # type: ignore[union-attr]
        )
        money = due.total_price_set["shopMoney"]
        assert (str(order.total), order.currency) == (money["amount"], "USD")
