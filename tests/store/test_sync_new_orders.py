"""A new order's fulfillment orders found by the same pass that missed the order (search lag)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import ChangeFeedEntry, FloorException, FulfillmentOrder, Order
from oms_tui.floor.exceptions.records import run_pass
from oms_tui.floor.exceptions.rules import RuleSettings
from oms_tui.sim.faults import PROFILES
from oms_tui.sim.store import SimStore
from oms_tui.store.sync import SyncEngine
from tests.sim.conftest import Clock
from tests.store.simulated import simulated_client

# The `mild` profile's search lag alone: the order of events is set by the test, not by a seed
LAGGING = replace(PROFILES["none"], search_lag_seconds=5)


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")


async def test_a_new_orders_fulfillment_orders_never_land_without_it(cache: Cache) -> None:
    clock = Clock()
    store = SimStore(orders=30, seed=3, clock=clock)
    client, tap, _ = simulated_client(store, faults=LAGGING)
    async with client:
        await SyncEngine(client, cache).run_once()
        run_pass(cache, RuleSettings(), clock.now)  # the floor's rules are up to date
        clock.advance(60)
        store.live_step(4)  # the shop trades on
        new = store.add_order()  # placed while the orders stream is read: its search is not caught up

        def search_catches_up(_count: int, request: httpx.Request) -> None:
            if "fulfillmentOrders(" in json.loads(request.content)["query"]:
                clock.advance(store.search_lag.total_seconds() + 1)
                tap.before = lambda _count, _request: None

        tap.before = search_catches_up
        summary = await SyncEngine(client, cache).run_once()
    run_pass(cache, RuleSettings(), clock.now)  # the live loop's next step: the rules over what changed

    with cache.sessions() as session:
        fos = session.exec(select(FulfillmentOrder).where(FulfillmentOrder.order_id == new.id)).all()
        order = session.get(Order, new.id)
    assert {fo.id for fo in fos} == {fo.id for fo in new.fulfillment_orders}  # read by this pass
    assert order is not None and order.name == new.name  # and their order with them
    assert summary.streams["orders"].created >= 1 and not summary.errors


def test_the_rules_go_on_past_a_fulfillment_order_without_its_order(cache: Cache) -> None:
    """One the store no longer has (read by id, it is left out) must not stop the floor's rules."""
    clock = Clock()
    store = SimStore(orders=5, seed=3, clock=clock)
    client, _, _ = simulated_client(store)
    asyncio.run(SyncEngine(client, cache).run_once())
    run_pass(cache, RuleSettings(), clock.now)
    with cache.sessions() as session:
        fo = session.exec(select(FulfillmentOrder).where(FulfillmentOrder.status == "OPEN")).first()
        assert fo is not None
        orphan_of = fo.order_id
        session.delete(session.get_one(Order, orphan_of))
        session.add(
            ChangeFeedEntry(at=clock.now, stream="fulfillment_orders", object_id=fo.id, change="updated")
        )
        session.commit()
    result = run_pass(cache, RuleSettings(), clock.now)
    with cache.sessions() as session:
        about = session.exec(
            select(FloorException).where(FloorException.order_id == orphan_of, FloorException.state == "open")
        ).all()
    assert result.evaluated > 0 and not about  # the rules went on, and made up nothing about it
