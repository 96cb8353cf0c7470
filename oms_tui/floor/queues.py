"""The work queue and order search, paged from the cache (never a whole table at once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from oms_tui.cache.models import FulfillmentOrder, FulfillmentOrderLineItem, Order
from oms_tui.floor.search import matching_order_ids

OPEN_WORK = ("OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED")


@dataclass(frozen=True)
class QueueRow:
    fulfillment_order_id: str
    order_id: str
    order_name: str
    customer: str
    units: int
    status: str
    location: str
    created_at: datetime
    tags: tuple[str, ...]
    priority: int


def _open_work_query(search: str) -> Any:
    query = (
        select(FulfillmentOrder, Order)
        .join(Order, col(Order.id) == FulfillmentOrder.order_id)
        .where(col(FulfillmentOrder.status).in_(OPEN_WORK), col(Order.cancelled_at).is_(None))
    )
    return query.where(col(Order.id).in_(matching_order_ids(search))) if search else query


def count_open_work(session: Session, *, search: str = "") -> int:
    return session.exec(select(func.count()).select_from(_open_work_query(search).subquery())).one()


def open_work(session: Session, *, limit: int = 200, offset: int = 0, search: str = "") -> list[QueueRow]:
    """Open fulfillment orders, most urgent first, then oldest first."""
    units = (
        select(func.coalesce(func.sum(FulfillmentOrderLineItem.remaining_quantity), 0))
        .where(FulfillmentOrderLineItem.fulfillment_order_id == FulfillmentOrder.id)
        .scalar_subquery()
    )
    query = (
        _open_work_query(search)
        .add_columns(units)
        .order_by(col(Order.priority), col(Order.created_at), col(FulfillmentOrder.id))
        .offset(offset)
        .limit(limit)
    )
    return [
        QueueRow(
            fulfillment_order_id=fo.id,
            order_id=order.id,
            order_name=order.name,
            customer=order.customer_name or order.email or "",
            units=int(count),
            status=fo.status,
            location=fo.location_name or "",
            created_at=order.created_at,
            tags=tuple(order.tags),
            priority=order.priority,
        )
        for fo, order, count in session.exec(query)
    ]
