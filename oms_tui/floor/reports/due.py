"""When a shipment was due: the one place the reports decide it.

A shipment is summed by its lead: whole hours (rounded down) from its order's ship-by time
(`cache.ship_by`: the store's deadline, the shipping method's cut-off, or the SLA) to the moment it
shipped. A lead below zero is a shipment that left before its ship-by time: on time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.engine import Connection

from oms_tui.cache.models import FulfillmentOrder, Order

HOUR = timedelta(hours=1)


def due_clock(connection: Connection, fulfillment_order_id: str) -> datetime | None:
    """When this fulfillment order's order had to leave (None: not in the cache)."""
    fo, order = FulfillmentOrder.__table__.c, Order.__table__.c  # type: ignore[attr-defined]
    due: datetime | None = connection.execute(
        select(order.ship_by)
        .join_from(FulfillmentOrder.__table__, Order.__table__, fo.order_id == order.id)  # type: ignore[attr-defined]
        .where(fo.id == fulfillment_order_id)
    ).scalar()
    return due


def lead_hours(due: datetime, shipped_at: datetime) -> int:
    return (shipped_at - due) // HOUR


def on_time(lead: ColumnElement[int]) -> ColumnElement[bool]:
    """Shipped before its ship-by time, to the hour the shipments were summed by."""
    return lead < 0
