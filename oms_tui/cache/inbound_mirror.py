"""Inbound stock as the store has it: inventory transfers' shipments to our locations and their lines,
written by sync (the `inbound` stream) and by the floor's own receipts until sync reads them back.

A shipment's lines say what was sent (`quantity`) and what the store counts as received so far
(`accepted_quantity`, `rejected_quantity`; `unreceived_quantity` is what is still expected).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String
from sqlmodel import Field, SQLModel

from oms_tui.cache.types import UTCDateTime


class InventoryShipment(SQLModel, table=True):
    __tablename__ = "inventory_shipments"

    id: str = Field(primary_key=True)  # gid://shopify/InventoryShipment/...
    transfer_id: str = Field(index=True)
    transfer_name: str  # "#T0012", what the supplier's or the other warehouse's paperwork says
    name: str  # the shipment's own name
    status: str = Field(index=True)  # DRAFT, IN_TRANSIT, PARTIALLY_RECEIVED, RECEIVED, OTHER
    origin_name: str | None = None
    destination_location_id: str | None = Field(default=None, index=True)
    destination_name: str | None = None
    tracking_company: str | None = None
    tracking_number: str | None = None
    arrives_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    synced_at: datetime = Field(sa_type=UTCDateTime)


class InventoryShipmentLine(SQLModel, table=True):
    __tablename__ = "inventory_shipment_lines"

    id: str = Field(primary_key=True)  # gid://shopify/InventoryShipmentLineItem/...
    shipment_id: str = Field(
        sa_column=Column(
            String, ForeignKey("inventory_shipments.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int = 0
    inventory_item_id: str | None = None
    sku: str | None = Field(default=None, index=True)
    title: str | None = None
    quantity: int
    accepted_quantity: int = 0
    rejected_quantity: int = 0
    unreceived_quantity: int = 0
