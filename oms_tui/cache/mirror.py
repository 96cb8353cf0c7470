"""The store's mirror: rows keyed by Shopify's global ids (gid://shopify/...), written only by sync.

Foreign keys join a parent to the children that arrive in the same payload (an order and its line
items); objects of different sync streams (an order and its fulfillment orders) are joined by indexed
ids without a constraint, because either may arrive first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Connection, ForeignKey, Index, Numeric, String, select, text
from sqlmodel import Field, SQLModel, col

from oms_tui.cache.ship_by import ShipByPolicy
from oms_tui.cache.types import UTCDateTime


def _parent(table_column: str) -> Any:
    """A required foreign key to a parent whose children go with it."""
    foreign_key = ForeignKey(table_column, ondelete="CASCADE")
    return Field(sa_column=Column(String, foreign_key, nullable=False, index=True))


CANCELLED = text("cancelled_at IS NOT NULL")
# Lines that need no shipping, as each engine writes the condition (SQLite stores booleans as 0/1).
NO_SHIPPING_SQLITE, NO_SHIPPING_POSTGRESQL = text("requires_shipping = 0"), text("NOT requires_shipping")


def _sla_ship_by(context: Any) -> datetime:
    """An order written without a ship-by (by a test, a tool) is due as the default SLA has it."""
    created: datetime = context.get_current_parameters()["created_at"]
    return ShipByPolicy().ship_by(created, None)[0]


class Location(SQLModel, table=True):
    __tablename__ = "locations"

    id: str = Field(primary_key=True)
    name: str
    is_active: bool = True
    synced_at: datetime = Field(sa_type=UTCDateTime)


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_status_priority_age", "fulfillment_status", "priority", "created_at"),
        # The queues' order, for keysets, and a channel's queue; with whether cancelled (out of most
        # queues), which the index of the cancelled ones also holds (see migration 0012)
        Index("ix_orders_queue_order", "priority", "ship_by", "id", "cancelled_at"),
        Index("ix_orders_channel_queue", "channel", "priority", "ship_by", "id", "cancelled_at"),
        Index("ix_orders_ship_by", "ship_by"),  # due before a cut-off, late
        Index(
            "ix_orders_cancelled", "id", "cancelled_at", sqlite_where=CANCELLED, postgresql_where=CANCELLED
        ),
    )

    id: str = Field(primary_key=True)
    name: str = Field(index=True)  # "#1001"
    customer_name: str | None = None
    email: str | None = Field(default=None, index=True)
    shipping_address: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    financial_status: str | None = None
    fulfillment_status: str
    risk_level: str | None = None
    risk_recommendation: str | None = None
    tags: list[str] = Field(default_factory=list, sa_type=JSON)  # searched through `order_tags`
    priority: int = 0  # lower is more urgent; derived from tags by the floor's rules
    note: str | None = None
    closed: bool = False
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)  # SLA windows
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_reason: str | None = None
    channel: str | None = None  # Shopify's sourceName: web, pos, shopify_draft_order, an app's name
    shipping_method: str | None = None  # the shipping line's title: "UPS Ground"
    # When it must leave (`cache.ship_by`): written by sync, the queues' second sort key
    ship_by: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, default=_sla_ship_by))
    total: Decimal | None = Field(default=None, sa_type=Numeric(14, 2))  # in the shop's currency
    currency: str | None = None
    customer_orders: int | None = None  # the customer's orders, this one included
    synced_at: datetime = Field(sa_type=UTCDateTime)


class LineItem(SQLModel, table=True):
    __tablename__ = "line_items"
    __table_args__ = (  # the few lines the floor leaves out (gift cards, digital goods)
        Index(
            "ix_line_items_no_shipping",
            "id",
            sqlite_where=NO_SHIPPING_SQLITE,
            postgresql_where=NO_SHIPPING_POSTGRESQL,
        ),
    )

    id: str = Field(primary_key=True)
    order_id: str = _parent("orders.id")
    position: int = 0  # the order's own line order
    sku: str | None = Field(default=None, index=True)
    barcode: str | None = Field(default=None, index=True)
    title: str
    quantity: int
    current_quantity: int
    unfulfilled_quantity: int
    requires_shipping: bool = True
    # A component of a bundle (Shopify's `lineItemGroup`): picked as itself, packed as the bundle.
    bundle_id: str | None = None
    bundle_title: str | None = None
    bundle_quantity: int | None = None


class FulfillmentOrder(SQLModel, table=True):
    __tablename__ = "fulfillment_orders"
    __table_args__ = (
        Index("ix_fulfillment_orders_queue", "location_id", "status", "fulfill_at"),
        # Covering indexes for the queues: counting a stage, and its rows in their order's order.
        Index("ix_fulfillment_orders_stage", "status", "location_id", "order_id", "id"),
        Index("ix_fulfillment_orders_of_order", "order_id", "status", "location_id", "id"),
    )

    id: str = Field(primary_key=True)
    order_id: str = Field(index=True)
    status: str = Field(index=True)  # stage counts
    request_status: str | None = None
    location_id: str | None = None
    location_name: str | None = None
    fulfill_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    fulfill_by: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the store's deadline
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True)
    synced_at: datetime = Field(sa_type=UTCDateTime)


class FulfillmentHold(SQLModel, table=True):
    __tablename__ = "fulfillment_holds"

    id: str = Field(primary_key=True)
    fulfillment_order_id: str = _parent("fulfillment_orders.id")
    reason: str
    reason_notes: str | None = None
    handle: str | None = None


class FulfillmentOrderLineItem(SQLModel, table=True):
    __tablename__ = "fulfillment_order_line_items"

    id: str = Field(primary_key=True)
    fulfillment_order_id: str = _parent("fulfillment_orders.id")
    line_item_id: str = Field(index=True)
    sku: str | None = Field(default=None, index=True)
    total_quantity: int
    remaining_quantity: int


class Fulfillment(SQLModel, table=True):
    __tablename__ = "fulfillments"
    __table_args__ = (Index("ix_fulfillments_shipped", "created_at", "order_id"),)  # shipped today

    id: str = Field(primary_key=True)
    order_id: str = _parent("orders.id")
    status: str
    tracking_company: str | None = None
    tracking_number: str | None = Field(default=None, index=True)
    tracking_url: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)  # throughput per hour


class InventoryLevel(SQLModel, table=True):
    __tablename__ = "inventory_levels"

    inventory_item_id: str = Field(primary_key=True)
    location_id: str = Field(primary_key=True)
    sku: str = Field(index=True)
    available: int = 0
    committed: int = 0
    on_hand: int = 0
    # The other quantity names (`InventoryLevel.quantities(names:)`), by the same names.
    incoming: int = 0
    damaged: int = 0
    reserved: int = 0
    quality_control: int = 0
    safety_stock: int = 0
    synced_at: datetime = Field(sa_type=UTCDateTime)


def order_id_batches(connection: Connection, size: int) -> Iterator[list[str]]:
    """Every cached order's id, in batches of `size` in id order (for rebuilding derived tables)."""
    after = ""
    ordered = select(col(Order.id)).order_by(col(Order.id)).limit(size)
    while ids := list(connection.scalars(ordered.where(col(Order.id) > after))):
        yield ids
        after = ids[-1]
