"""When a shipment was due: the one place the reports decide it.

A shipment is summed by its lead: whole hours (rounded down) from its order's due clock to the moment
it shipped. Today the clock starts when the order was created and the order is allowed `sla_hours`
(the rule the exception rules raise "late" by), so the report reads any SLA against history already
written. Once orders carry a ship-by time, `due_clock` reads `orders.ship_by` and `allowed_hours`
returns 0: a lead below zero is then a shipment that left before its ship-by time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.engine import Connection

from oms_tui.cache.models import FulfillmentOrder, Order

HOUR = timedelta(hours=1)


def due_clock(connection: Connection, fulfillment_order_id: str) -> datetime | None:
    """When the clock of this fulfillment order's order started (None: not in the cache)."""
    fo, order = FulfillmentOrder.__table__.c, Order.__table__.c  # type: ignore[attr-defined]
    started: datetime | None = connection.execute(
        select(order.created_at)
        .join_from(FulfillmentOrder.__table__, Order.__table__, fo.order_id == order.id)  # type: ignore[attr-defined]
        .where(fo.id == fulfillment_order_id)
    ).scalar()
    return started


def allowed_hours(sla_hours: float) -> float:
    """How long after its clock started an order may ship and be on time."""
    return sla_hours


def lead_hours(started: datetime, shipped_at: datetime) -> int:
    return (shipped_at - started) // HOUR


def on_time(lead: ColumnElement[int], sla_hours: float) -> ColumnElement[bool]:
    """Shipped in time, to the hour the shipments were summed by (a condition on their lead)."""
    return lead < allowed_hours(sla_hours)
