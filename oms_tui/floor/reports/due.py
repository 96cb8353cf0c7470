"""When a shipment was due: the one place the reports decide it.

Today an order is due `sla_hours` after it was created (the same rule the exception rules raise
"late" by). A shipment is summed by its lead time, whole hours from the order's creation, so the
report can read any SLA against history already written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.engine import Connection

from oms_tui.cache.models import FulfillmentOrder, Order

HOUR = timedelta(hours=1)


def due_clock(connection: Connection, fulfillment_order_id: str) -> datetime | None:
    """When the order of this fulfillment order started its clock (None: not in the cache)."""
    fo, order = FulfillmentOrder.__table__.c, Order.__table__.c  # type: ignore[attr-defined]
    started: datetime | None = connection.execute(
        select(order.created_at)
        .join_from(FulfillmentOrder.__table__, Order.__table__, fo.order_id == order.id)  # type: ignore[attr-defined]
        .where(fo.id == fulfillment_order_id)
    ).scalar()
    return started


def lead_hours(started: datetime, shipped_at: datetime) -> int:
    return max(0, int((shipped_at - started) // HOUR))


def on_time(lead: ColumnElement[int], sla_hours: float) -> ColumnElement[bool]:
    """Shipped within the SLA, to the hour the shipments were summed by (a condition on their lead)."""
    return lead < sla_hours
