"""Every inventory item and its quantities by name at each location, synced complete and resumable."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import InventoryItem, InventoryLevel, SyncState
from oms_tui.cache.stock_state import QUANTITY_NAMES
from oms_tui.sim.store import SimStore
from oms_tui.store.errors import StoreUnavailable
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import simulated_client


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")


def held(store: SimStore) -> dict[tuple[str, str], tuple[int, ...]]:
    return {
        (item.id, level.location.id): tuple(level.quantity(name) for name in QUANTITY_NAMES)
        for item in store.inventory.values()
        for level in item.levels
        if level.location.is_active
    }


def cached(cache: Cache) -> dict[tuple[str, str], tuple[int, ...]]:
    with cache.sessions() as session:
        return {
            (level.inventory_item_id, level.location_id): tuple(
                getattr(level, name) for name in QUANTITY_NAMES
            )
            for level in session.exec(select(InventoryLevel))
        }


async def test_a_first_sync_stopped_mid_walk_resumes_where_it_stopped(cache: Cache) -> None:
    store = SimStore(orders=5, seed=4)
    some = next(iter(store.inventory.values())).levels[0]
    some.damaged, some.quality_control, some.incoming = 2, 1, 12
    client, tap, _ = simulated_client(store)
    pages: list[int] = []
    broken = [True]

    def fail_from_the_third_page(n: int, request: httpx.Request) -> None:
        if b"InventoryItems" in request.content:
            if broken[0] and len(pages) == 2:
                raise httpx.ConnectError("network gone", request=request)
            pages.append(n)

    tap.before = fail_from_the_third_page
    async with client:
        with pytest.raises(StoreUnavailable):
            await SyncEngine(client, cache).run_once()
        with cache.sessions() as session:
            state = session.get_one(SyncState, "inventory")
            read_before = len(session.exec(select(InventoryItem)).all())
        assert state.cursor and state.watermark is None, "the walk's cursor is kept, nothing is complete"
        first_walk = len(pages)  # pages answered before the stop
        pages.clear()
        broken[0] = False
        await SyncEngine(client, cache).run_once()
    with cache.sessions() as session:
        items = session.exec(select(InventoryItem)).all()
        state = session.get_one(SyncState, "inventory")
    assert len(items) == len(store.inventory) and read_before > 0
    assert state.cursor is None and state.watermark is not None
    assert cached(cache) == held(store), "every quantity name of every level, as the store holds it"
    per_page = read_before // first_walk
    rest = -(-(len(store.inventory) - read_before) // per_page)
    assert len(pages) == rest, "the second pass went on from the cursor, not from the start"
    assert {item.sku for item in items} == {item.sku for item in store.inventory.values()}
