"""Stock as the floor knows it: the store's inventory items, our own bins and the counts of them.

`InventoryItem` mirrors the store (written by sync); its quantities per location are the
`inventory_levels` rows. `BinStock` is ours: which bin holds how many units of a SKU, updated by
counts and receiving, with the bin's role (pick or reserve) and minimum for replenishment.
A `StockCount` is one cycle count: its lines are the bins and SKUs to count, kept in the cache so a
count survives a restart and two stations see each other's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from oms_tui.cache.enums import BinRole, CountLineState, CountState, EnumText
from oms_tui.cache.types import UTCDateTime, utcnow

# The quantity names the cache keeps per location, as `InventoryLevel.quantities(names:)` has them.
QUANTITY_NAMES = (
    "available",
    "on_hand",
    "committed",
    "incoming",
    "damaged",
    "reserved",
    "quality_control",
    "safety_stock",
)


class InventoryItem(SQLModel, table=True):
    __tablename__ = "inventory_items"

    id: str = Field(primary_key=True)
    sku: str = Field(default="", index=True)
    tracked: bool = True
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True)
    synced_at: datetime = Field(sa_type=UTCDateTime)


class BinStock(SQLModel, table=True):
    """Units of a SKU in one bin of one location, as last counted or received."""

    __tablename__ = "bin_stock"

    location_id: str = Field(primary_key=True)
    code: str = Field(primary_key=True)
    sku: str = Field(primary_key=True, index=True)
    quantity: int = 0
    role: BinRole = Field(default=BinRole.PICK, sa_type=EnumText(BinRole))
    minimum: int | None = None  # below it a pick bin wants refilling (None: the setting's default)
    counted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StockCount(SQLModel, table=True):
    __tablename__ = "stock_counts"

    id: int | None = Field(default=None, primary_key=True)
    location_id: str
    scope: str  # what chose its bins, in words: "zone A", "short picks", "not counted in 30 days"
    state: CountState = Field(default=CountState.OPEN, sa_type=EnumText(CountState))
    staff_code: str = Field(sa_column=Column(String, ForeignKey("staff.code"), nullable=False))
    station: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StockCountLine(SQLModel, table=True):
    """One SKU in one bin of a count. `base_on_hand` is the store's on-hand quantity the result is
    computed against (compare-and-set); `expected` what the bin should hold by our records."""

    __tablename__ = "stock_count_lines"

    count_id: int = Field(
        sa_column=Column(Integer, ForeignKey("stock_counts.id", ondelete="CASCADE"), primary_key=True)
    )
    code: str = Field(primary_key=True)
    sku: str = Field(primary_key=True, index=True)
    inventory_item_id: str | None = None
    expected: int | None = None
    base_on_hand: int | None = None
    counted: int | None = None
    first_count: int | None = None  # the count a recount replaced
    state: CountLineState = Field(default=CountLineState.TODO, sa_type=EnumText(CountLineState))
    note: str | None = None  # what the counter is shown: why a recount, how it was re-based
    counted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
