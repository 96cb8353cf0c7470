"""The store's returns, mirrored: written by sync (and by the floor's own dispositions until the store
confirms them), read by the receiving floor.

A return arrives with its order's `updatedAt` (returns have no version of their own, and a change to a
return changes its order's), kept as `version`: the newer copy wins, as for every mirrored object.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, String
from sqlmodel import Field, SQLModel

from oms_tui.cache.types import UTCDateTime


def _parent(table_column: str) -> Any:
    foreign_key = ForeignKey(table_column, ondelete="CASCADE")
    return Field(sa_column=Column(String, foreign_key, nullable=False, index=True))


class Return(SQLModel, table=True):
    __tablename__ = "returns"

    id: str = Field(primary_key=True)
    order_id: str = Field(index=True)
    name: str  # "#1004-R1"
    status: str = Field(index=True)  # REQUESTED, OPEN, CLOSED, DECLINED, CANCELED
    total_quantity: int
    created_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: datetime = Field(sa_type=UTCDateTime)  # the order's updatedAt when read
    synced_at: datetime = Field(sa_type=UTCDateTime)


class ReturnLineItem(SQLModel, table=True):
    """What the customer said they send back, and why."""

    __tablename__ = "return_line_items"

    id: str = Field(primary_key=True)
    return_id: str = _parent("returns.id")
    position: int = 0
    line_item_id: str | None = Field(default=None, index=True)
    sku: str | None = None
    title: str = ""
    quantity: int  # expected back
    reason: str | None = None  # the standard reason's name ("Size was too small")
    reason_note: str = ""
    customer_note: str | None = None


class ReverseFulfillmentOrder(SQLModel, table=True):
    __tablename__ = "reverse_fulfillment_orders"

    id: str = Field(primary_key=True)
    return_id: str = _parent("returns.id")
    status: str  # OPEN, CLOSED, CANCELED


class ReverseFulfillmentOrderLineItem(SQLModel, table=True):
    """What is to be disposed of, and what was: `dispositions` as the store lists them."""

    __tablename__ = "rfo_line_items"

    id: str = Field(primary_key=True)
    rfo_id: str = _parent("reverse_fulfillment_orders.id")  # short names: PostgreSQL's 63-character limit
    return_id: str = Field(index=True)
    line_item_id: str | None = None
    total_quantity: int
    disposed_quantity: int = 0
    dispositions: list[dict[str, Any]] = Field(
        default_factory=list, sa_type=JSON
    )  # type, quantity, locationId


class ReverseDelivery(SQLModel, table=True):
    """The return label: its tracking number opens the return at the receiving desk."""

    __tablename__ = "reverse_deliveries"

    id: str = Field(primary_key=True)
    rfo_id: str = _parent("reverse_fulfillment_orders.id")
    return_id: str = Field(index=True)
    carrier: str | None = None
    tracking_number: str | None = Field(default=None, index=True)
