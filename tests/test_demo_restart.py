"""The demo on the embedded default: a restart on the same data folder serves the same shop."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from sqlmodel import col, select

from oms_tui import runtime as runtime_module
from oms_tui.cache.database import open_cache
from oms_tui.cache.models import FulfillmentOrder, Order
from oms_tui.config import Settings
from oms_tui.floor.actions import order_actions
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.runtime import Runtime, demo_shop_path
from oms_tui.sim.saved_shop import SavedShopFile
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine, SyncSummary
from tests.store.simulated import assert_cache_matches


async def sync_and_push(runtime: Runtime) -> SyncSummary:
    async with runtime.client() as client:
        await OutboxPusher(client, runtime.cache).push_ready()
        return await SyncEngine(client, runtime.cache).run_once()


def demo_store(runtime: Runtime) -> SimStore:
    assert runtime.demo_store is not None, "no simulator: not the demo"
    return runtime.demo_store


@pytest.fixture
def demo_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Nothing configured but the data folder; live activity only when the test makes some."""
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("OMS_DATABASE_URL", f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    open_cache(os.environ["OMS_DATABASE_URL"]).close()  # as `oms-tui db upgrade` makes it
    monkeypatch.setenv("OMS_STATION", "pack-1")
    monkeypatch.delenv("OMS_SHOP_URL", raising=False)
    monkeypatch.setattr(runtime_module, "DEMO_ORDERS", 60)
    monkeypatch.setattr(runtime_module, "DEMO_LIVE_RATE", 1e-6)  # the first event in eleven days
    return Settings()


def test_a_restart_serves_every_order_the_cache_has_with_the_same_customers(demo_settings: Settings) -> None:
    first = Runtime.start(demo_settings)
    try:
        asyncio.run(sync_and_push(first))
        events = demo_store(first).live_step(40)  # the shop trades: new orders, edits, cancels
        assert any(event.startswith("new_order") for event in events)
        with first.cache.sessions() as session:  # and the floor holds an order through the outbox
            held = session.exec(  # the newest open order: the demo floor's work is today's
                select(Order)
                .join(FulfillmentOrder, col(FulfillmentOrder.order_id) == col(Order.id))
                .where(FulfillmentOrder.status == "OPEN")
                .order_by(col(Order.created_at).desc())
            ).first()
            assert held is not None
            order_actions.hold(session, Actor("pack-1"), held, "OTHER", "checking the address")
            session.commit()
        asyncio.run(sync_and_push(first))
        path = demo_shop_path(demo_settings.database_url)
        assert path is not None
        # Killed now, without closing: the file already holds everything the cache has seen.
        assert_cache_matches(SavedShopFile(path).open(orders=0, seed=0), first.cache)
    finally:
        first.close()

    second = Runtime.start(demo_settings)
    try:
        store = demo_store(second)
        assert_cache_matches(store, second.cache)  # the same orders, times and states, hold included
        with second.cache.reads() as session:
            cached = session.exec(select(Order)).all()
            held_status = session.exec(
                select(FulfillmentOrder.status).where(col(FulfillmentOrder.order_id) == held.id)
            ).all()
        assert len(cached) == store.order_count > 60
        for order in cached:
            served = store.orders[order.id]
            assert served.customer is not None
            assert (order.name, order.email, order.customer_name) == (
                served.name,
                served.email,
                served.customer.display_name,
            )
        assert "ON_HOLD" in held_status
        again = asyncio.run(sync_and_push(second))
        assert (again.total("created"), again.total("updated")) == (0, 0)  # nothing moved while closed
        newest = store.add_order()  # the next order gets a number no cached order has
        assert newest.name not in {order.name for order in cached}
    finally:
        second.close()


def test_the_demo_shop_is_kept_beside_a_sqlite_cache(tmp_path: Path) -> None:
    assert demo_shop_path(f"sqlite:///{tmp_path / 'a.sqlite3'}") == tmp_path / "a.sqlite3.demo-shop"
    assert demo_shop_path("sqlite://") is None  # in memory: forgotten on restart like the cache
    one, other = demo_shop_path("postgresql://db/one"), demo_shop_path("postgresql://db/two")
    assert one is not None and other is not None and one != other
