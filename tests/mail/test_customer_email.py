"""An order the cache holds without an email address: the store is asked for it by id (the order's
own, else its customer's default address) and the cache keeps it."""

from __future__ import annotations

from pathlib import Path

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import Order
from oms_tui.floor.messages.customer_email import email_from_store
from oms_tui.sim.store import SimStore
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import simulated_client


async def test_the_store_is_asked_for_an_address_the_cache_lacks(tmp_path: Path) -> None:
    cache: Cache = open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}", create=True)
    store = SimStore(orders=3, seed=5)
    client, _, _ = simulated_client(store)
    first, second = list(store.orders.values())[:2]
    assert first.customer is not None and second.customer is not None
    async with client:
        await SyncEngine(client, cache).run_once()
        with cache.sessions() as session:
            for order in (first, second):
                session.get_one(Order, order.id).email = None  # as a guest checkout may leave it
            session.commit()
        assert await email_from_store(client, cache, first.id) == first.email
        second.email = None  # the order has none; its customer has a default address
        assert await email_from_store(client, cache, second.id) == second.customer.email
    with cache.sessions() as session:
        assert session.get_one(Order, second.id).email == second.customer.email
