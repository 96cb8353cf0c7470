"""Stock benchmark: what syncing every inventory item costs beyond reading it.

`inventory_ratio`
    A first sync of the inventory stream (every item, its eight quantity names at 3 locations) into a
    fresh SQLite cache, divided by a fetch-only pass over the same pages (the same document, page
    sizes and cursors; JSON parsed by the client; nothing validated or written). The difference is
    what validation, mapping, the items' upsert by `updatedAt`, the levels' compare-and-write and the
    walk's resumable cursor add. Goal <= 1.5. The simulator's work is in both passes, so the baseline
    is measured in the same run, bracketing the sync (fetch-only, sync, fetch-only again: the mean).
    CPU time ratios are printed too: they suffer less when other processes compete for the cores.
    A second sync pass, with nothing changed at the store, is timed for the record (`resync_s`).

The simulated store is built before any timing and frozen out of the garbage collector (`gc.freeze`).
The allocation half of this issue's benchmark is `bench/allocation.py`.

The last line printed is one JSON object with every figure, for scripts.

Usage: .venv/bin/python bench/stock.py [--items N] (default 50,000)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from pydantic import SecretStr

from oms_tui.cache.database import open_cache
from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.model import InventoryItem, InventoryLevel
from oms_tui.sim.store import SimStore
from oms_tui.store.client import StoreClient
from oms_tui.store.inventory_reads import sync_inventory
from oms_tui.store.sync import StreamCounts, SyncEngine

SHOP_URL = "https://bench.test"
UNLIMITED = 1e9
ITEM_BASE = 47_000_000_000


@dataclass
class Timed:
    wall: float
    cpu: float
    items: int


def stocked_store(items: int, seed: int = 11) -> SimStore:
    """A small shop (10 orders) whose catalogue holds `items` inventory items at its 3 active locations."""
    store = SimStore(orders=10, seed=seed)
    rng = random.Random(seed)
    locations = [location for location in store.locations.values() if location.is_active]
    store.inventory.clear()
    for n in range(items):
        item = InventoryItem(f"gid://shopify/InventoryItem/{ITEM_BASE + n}", f"BENCH-{n:06d}")
        item.updated_at = store.now()
        for location in locations:
            level_id = f"gid://shopify/InventoryLevel/{location.id.rsplit('/', 1)[1]}?inventory_item_id={n}"
            on_hand = rng.randrange(0, 400)
            level = InventoryLevel(level_id, location, item, on_hand, min(on_hand, rng.randrange(20)))
            level.damaged, level.incoming = rng.choice((0, 0, 0, 1)), rng.choice((0, 0, 24))
            item.levels.append(level)
        store.inventory[item.id] = item
    return store


def client_of(store: SimStore) -> StoreClient:
    app = create_app(store, restore_rate=UNLIMITED, bucket=UNLIMITED)
    return StoreClient(SHOP_URL, SecretStr(DEFAULT_TOKEN), transport=httpx.ASGITransport(app=app))


async def fetch_only(store: SimStore) -> Timed:
    """Every page the sync reads (as many levels per item as it asks), read and parsed, nothing more."""
    levels = {"levelsFirst": len([location for location in store.locations.values() if location.is_active])}
    started, cpu = time.perf_counter(), time.process_time()
    read = 0
    async with client_of(store) as client:
        async for page in client.paginate("inventory_items", levels, connection_path=("inventoryItems",)):
            read += len(page)
    return Timed(time.perf_counter() - started, time.process_time() - cpu, read)


async def sync_pass(store: SimStore, url: str) -> Timed:
    cache = open_cache(url)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        counts = StreamCounts()
        async with client_of(store) as client:
            await sync_inventory(SyncEngine(client, cache), counts)
        read = counts.created + counts.updated + counts.unchanged
        return Timed(time.perf_counter() - started, time.process_time() - cpu, read)
    finally:
        cache.close()


async def read_locations(store: SimStore, url: str) -> None:
    cache = open_cache(url)
    async with client_of(store) as client:
        await SyncEngine(client, cache).steps({"locations": StreamCounts()})["locations"]()
    cache.close()


async def main(items: int) -> dict[str, float]:
    store = stocked_store(items)
    gc.collect()
    gc.freeze()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'cache.sqlite3'}"
        await read_locations(store, url)  # the engine reads them first; not what is measured
        before = await fetch_only(store)
        synced = await sync_pass(store, url)
        after = await fetch_only(store)
        again = await sync_pass(store, url)
    baseline_wall, baseline_cpu = (before.wall + after.wall) / 2, (before.cpu + after.cpu) / 2
    levels = sum(len(item.levels) for item in store.inventory.values())
    assert before.items == after.items == items, "fetch-only read every item"
    assert synced.items == levels, f"the sync wrote every level ({synced.items} of {levels})"
    figures = {
        "items": items,
        "levels": levels,
        "fetch_only_s": round(baseline_wall, 3),
        "sync_s": round(synced.wall, 3),
        "resync_s": round(again.wall, 3),
        "inventory_ratio": round(synced.wall / baseline_wall, 3),
        "inventory_cpu_ratio": round(synced.cpu / baseline_cpu, 3),
    }
    print(f"inventory sync of {items:,} items x 3 locations ({levels:,} levels)")
    bracket = f"{before.wall:.2f} / {after.wall:.2f}"
    print(f"  fetch-only   {baseline_wall:8.2f} s  (cpu {baseline_cpu:.2f} s; {bracket})")
    print(f"  sync         {synced.wall:8.2f} s  (cpu {synced.cpu:.2f} s)")
    ratio, cpu_ratio = figures["inventory_ratio"], figures["inventory_cpu_ratio"]
    print(f"  ratio        {ratio:8.2f}    (goal <= 1.5; cpu {cpu_ratio:.2f})")
    print(f"  second pass  {again.wall:8.2f} s  (nothing changed at the store)")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000, help="inventory items (default 50,000)")
    arguments = parser.parse_args()
    print(json.dumps(asyncio.run(main(arguments.items))))
