"""A simulated shop for CLI tests: synced into the configured cache in process, served on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from click.testing import CliRunner, Result

from oms_tui.cache.database import open_cache
from oms_tui.cli import main
from oms_tui.sim.model import FulfillmentOrder, Order
from oms_tui.sim.server import run_in_thread
from oms_tui.sim.store import SimStore
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import simulated_client


def synced_store(database_url: str, orders: int = 40, seed: int = 7) -> SimStore:
    """A simulated shop, and the cache at `database_url` after a first sync of it."""
    store = SimStore(orders=orders, seed=seed)
    client, _, _ = simulated_client(store)
    cache = open_cache(database_url)

    async def first_sync() -> None:
        async with client:
            await SyncEngine(client, cache).run_once()

    asyncio.run(first_sync())
    cache.close()
    return store


@contextmanager
def serving(store: SimStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[SimStore]:
    """The shop on a loopback port, configured as the store for commands run meanwhile."""
    with run_in_thread(store) as server:
        monkeypatch.setenv("OMS_SHOP_URL", server.url)
        monkeypatch.setenv("OMS_SHOPIFY_TOKEN", server.token)
        yield store
    monkeypatch.delenv("OMS_SHOP_URL")
    monkeypatch.delenv("OMS_SHOPIFY_TOKEN")


def oms(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def split_order(store: SimStore) -> tuple[Order, list[FulfillmentOrder]]:
    """An order shipped from two warehouses, both open, whose SKUs are all different."""
    for order in store.orders.values():
        fos = [fo for fo in order.fulfillment_orders if fo.status == "OPEN"]
        skus = [line.sku for line in order.line_items]
        if len(fos) == 2 and len(set(skus)) == len(skus) and order.cancelled_at is None:
            return order, fos
    raise AssertionError("the seeded shop has no order split over two open fulfillment orders")
