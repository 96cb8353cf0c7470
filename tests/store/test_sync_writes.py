"""How sync writes what it reads: pages several at a time, the search index from the rows in hand."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from sqlmodel import col, select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import Order, SyncState
from oms_tui.cache.order_search import OrderSearch, refresh_order_search
from oms_tui.sim.store import SimStore
from oms_tui.store.changed_streams import StreamCounts
from oms_tui.store.errors import StoreError
from oms_tui.store.orders_first import orders_first
from oms_tui.store.page_batch import WRITE_BATCH
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import simulated_client
from tests.writer_busy import done_beside_a_writer


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")


async def test_a_store_lost_midway_keeps_the_pages_already_read(cache: Cache) -> None:
    """Pages are written several at a time; those read before the store went away are not lost."""
    store = SimStore(orders=WRITE_BATCH * 2, seed=5)
    client, tap, app = simulated_client(store)
    order_pages = 0

    def outage_from_the_fourth_page(_count: int, request: httpx.Request) -> None:
        """The store stops answering for pages of orders from the fourth on (pages are read ahead
        of the sync, which still reads the rest of the first three's long line-item lists)."""
        nonlocal order_pages
        page = b"query OrdersPage" in request.content
        order_pages += page
        app.state.faults.outage = page and order_pages >= 4

    tap.before = outage_from_the_fourth_page
    async with client:
        with pytest.raises(StoreError):
            await SyncEngine(client, cache, bulk_above_orders=None, open_work_limit=0).run_once()
    with cache.sessions() as session:
        kept = session.exec(select(Order).order_by(col(Order.updated_at))).all()
        state = session.get_one(SyncState, "orders")
    assert 0 < len(kept) < WRITE_BATCH  # three pages of orders: fewer than one write's worth
    assert state.watermark == max(order.updated_at for order in kept)


async def test_new_orders_are_found_as_a_rebuild_from_the_cache_would_find_them(cache: Cache) -> None:
    store = SimStore(orders=120, seed=9)
    client, _, _ = simulated_client(store)
    async with client:
        await SyncEngine(client, cache).run_once()
    with cache.sessions() as session:
        written = {row.order_id: row.document for row in session.exec(select(OrderSearch))}
        refresh_order_search(session.connection(), list(written))
        rebuilt = {row.order_id: row.document for row in session.exec(select(OrderSearch))}
    assert len(written) == 120
    assert {order: set(text.split()) for order, text in written.items()} == {
        order: set(text.split()) for order, text in rebuilt.items()
    }


async def test_a_write_that_fails_behind_the_reads_stops_the_pass(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes run in a thread while the next pages are read: their failure still ends the pass."""
    store = SimStore(orders=WRITE_BATCH * 2, seed=6)
    client, _, _ = simulated_client(store)
    write = SyncEngine._write_nodes
    calls = 0

    def fail_the_second(self: SyncEngine, *args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("disk full")
        write(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SyncEngine, "_write_nodes", fail_the_second)
    async with client:
        with pytest.raises(RuntimeError, match="disk full"):
            await SyncEngine(client, cache, bulk_above_orders=None, open_work_limit=0).run_once()
    with cache.sessions() as session:
        kept = len(session.exec(select(Order)).all())
    assert WRITE_BATCH <= kept < 2 * WRITE_BATCH  # the first write only


async def test_a_page_of_fulfillment_orders_finds_its_orders_without_waiting_for_the_write_behind(
    cache: Cache,
) -> None:
    """Whether the cache has a page's orders is read while the pages before it are being written
    (a writer holds the cache's write lock meanwhile): a reader does not queue behind it."""
    client, _, _ = simulated_client(SimStore(orders=5, seed=3))
    async with client:
        engine = SyncEngine(client, cache)
        await engine.run_once()
    with cache.sessions() as session:
        page = [SimpleNamespace(order_id=order.id) for order in session.exec(select(Order))]
    looked_up = done_beside_a_writer(cache, lambda: asyncio.run(orders_first(engine, page, StreamCounts())))
    assert looked_up, "the lookup waited for the writer's transaction"
