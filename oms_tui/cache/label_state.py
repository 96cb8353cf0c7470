"""Shipping labels: one row per label an order gets, from the claim of its slot to the purchase and,
when it is not used, its refund.

The row is written before anything goes to the carrier, and the carrier's shipment id is kept in it
before the purchase is queued, so whatever dies afterwards the purchase can be checked by that id.
One live label per order (a unique index): a second station cannot start another for the same pack.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, text
from sqlmodel import Field, SQLModel

from oms_tui.cache.enums import EnumText, LabelState
from oms_tui.cache.types import UTCDateTime, utcnow

LIVE = text("state IN ('claimed', 'rated', 'buying', 'bought')")


class ShippingLabel(SQLModel, table=True):
    __tablename__ = "shipping_labels"
    __table_args__ = (
        Index("uq_shipping_labels_live", "order_id", unique=True, sqlite_where=LIVE, postgresql_where=LIVE),
        Index("ix_shipping_labels_state_bought", "state", "bought_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(index=True)
    station: str
    staff_code: str = Field(sa_column=Column(String, ForeignKey("staff.code"), nullable=False))
    state: LabelState = Field(default=LabelState.CLAIMED, sa_type=EnumText(LabelState))
    box: str | None = None
    weight_g: float | None = None
    label_format: str = "PDF"
    shipment_id: str | None = Field(default=None, index=True)  # the carrier's, kept before buying
    rates: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    rate_id: str | None = None  # the rate chosen to buy (then the one the carrier says it bought)
    carrier: str | None = None
    service: str | None = None
    price: str | None = None  # a decimal, as the carrier wrote it
    currency: str | None = None
    delivery_days: int | None = None
    tracking_number: str | None = Field(default=None, index=True)
    label_url: str | None = None
    refund_status: str | None = None
    scan_form_id: str | None = None  # the end-of-day form (manifest) it went on
    void_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    bought_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    printed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
