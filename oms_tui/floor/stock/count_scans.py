"""Counting a bin by scan: the bin's code opens it, each unit's barcode (or its SKU) counts one, a
typed number sets the last SKU's count; closing the bin records what was found (a SKU of the bin
not scanned counted 0)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from oms_tui.cache.models import InventoryLevel, LineItem, StockCountLine
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.stock.counts import lines_of, record_count


@dataclass
class BinTally:
    code: str
    skus: list[str]  # the bin's SKUs on the count
    units: dict[str, int] = field(default_factory=dict)
    last: str | None = None

    def add(self, sku: str, units: int = 1) -> None:
        self.units[sku] = self.units.get(sku, 0) + units
        self.last = sku

    def set_last(self, units: int) -> str | None:
        if self.last is not None:
            self.units[self.last] = units
        return self.last


def open_bin(session: Session, count_id: int, code: str) -> BinTally | None:
    """The bin this code names, if it is on the count."""
    lines = lines_of(session, count_id, code.strip().upper())
    return BinTally(lines[0].code, [line.sku for line in lines]) if lines else None


def sku_of(session: Session, code: str) -> str | None:
    """The SKU a scanned code names: a SKU itself, or a unit's barcode."""
    forms = [code, code.upper(), code.lower()]
    sku = session.exec(select(InventoryLevel.sku).where(col(InventoryLevel.sku).in_(forms)).limit(1)).first()
    if sku:
        return sku
    return session.exec(
        select(LineItem.sku).where(col(LineItem.barcode).in_(forms), col(LineItem.sku).is_not(None)).limit(1)
    ).first()


def close_bin(
    session: Session, actor: Actor, count_id: int, tally: BinTally, tolerance: int
) -> list[StockCountLine]:
    """Record the bin's counts; lines beyond the tolerance come back to be counted again."""
    return [
        record_count(session, actor, count_id, tally.code, sku, tally.units.get(sku, 0), tolerance)
        for sku in tally.skus
    ]
