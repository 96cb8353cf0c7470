"""A small shop for the stock tests: the simulator, a synced cache and a SKU in a bin of ours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import BinLocation, InventoryLevel
from oms_tui.sim.model import InventoryLevel as SimLevel
from oms_tui.sim.store import SimStore


class ShopClock:
    """The simulator's clock, moved by hand (idempotency keys expire by it)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


@dataclass
class Stocked:
    level: SimLevel  # the store's level of the SKU at the warehouse

    @property
    def sku(self) -> str:
        return self.level.item.sku

    @property
    def location_id(self) -> str:
        return self.level.location.id


def stocked_sku(store: SimStore, skip: int = 0) -> Stocked:
    """A tracked SKU stocked at the shop's first location (with some units, none committed)."""
    first = next(iter(store.locations.values()))
    levels = [
        level
        for item in store.inventory.values()
        for level in item.levels
        if level.location.id == first.id and level.on_hand > 20
    ]
    level = levels[skip]
    level.committed = 0
    return Stocked(level)


def put_in_bin(cache: Cache, stocked: Stocked, code: str) -> None:
    with cache.sessions() as session:
        session.add(BinLocation(location_id=stocked.location_id, sku=stocked.sku, code=code))
        session.commit()


def cached_level(cache: Cache, stocked: Stocked) -> InventoryLevel:
    with cache.sessions() as session:
        return session.exec(
            select(InventoryLevel).where(
                InventoryLevel.sku == stocked.sku, InventoryLevel.location_id == stocked.location_id
            )
        ).one()


def ledger_of(store: SimStore, stocked: Stocked) -> list[dict[str, Any]]:
    return [
        entry.as_json()
        for entry in store.inventory_book.ledger
        if entry.inventory_item_id == stocked.level.item.id and entry.location_id == stocked.location_id
    ]
