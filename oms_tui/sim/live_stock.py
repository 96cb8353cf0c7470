"""Live stock changes made outside the floor: a sale at another channel (a shop counter) takes units,
another app corrects a count. Each goes to the ledger like the floor's own changes."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from oms_tui.sim.inventory_book import adjust
from oms_tui.sim.model import InventoryLevel

if TYPE_CHECKING:
    from oms_tui.sim.store import SimStore

OTHER_APP = "gid://stock-sync-app/Correction/"


def sold_elsewhere(store: SimStore, rng: random.Random, units: int | None = None) -> str:
    """Units of a random stocked item sold at a counter: gone from `on_hand` (and `available`)."""
    level = _stocked_level(store, rng)
    if level is None:
        return "skipped: nothing in stock"
    sold = units or min(level.available, rng.randint(1, 3))
    adjust(level, "available", -sold)
    store.inventory_book.record(level, "available", -sold, "other", f"gid://shopify/Order/{store.new_id()}")
    return f"sold_elsewhere: {sold} x {level.item.sku} at {level.location.name}"


def adjusted_by_app(store: SimStore, rng: random.Random) -> str:
    """Another app's correction of a random item's available quantity by a few units either way."""
    level = _stocked_level(store, rng)
    if level is None:
        return "skipped: nothing in stock"
    delta = rng.choice((-2, -1, 1, 2, 3))
    adjust(level, "available", delta)
    store.inventory_book.record(level, "available", delta, "correction", f"{OTHER_APP}{store.new_id()}")
    return f"adjusted_by_app: {delta:+d} x {level.item.sku} at {level.location.name}"


def _stocked_level(store: SimStore, rng: random.Random) -> InventoryLevel | None:
    items = list(store.inventory.values())
    for _ in range(20):
        item = rng.choice(items)
        stocked = [level for level in item.levels if level.location.is_active and level.available > 0]
        if item.tracked and stocked:
            return rng.choice(stocked)
    return None
