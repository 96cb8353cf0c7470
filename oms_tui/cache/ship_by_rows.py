"""Orders' ship-by times kept up to date as their orders and fulfillment orders are written."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from oms_tui.cache.mirror import FulfillmentOrder, Order
from oms_tui.cache.ship_by import ShipByPolicy

BATCH = 1000
OPEN = ("OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED")  # work still to ship: its deadline counts


def refresh_ship_by(connection: Connection, order_ids: Collection[str], policy: ShipByPolicy) -> int:
    """Recompute these orders' ship-by times; returns how many changed (two small queries a batch)."""
    changed = 0
    ids = sorted(order_ids)
    for start in range(0, len(ids), BATCH):
        changed += _refresh(connection, ids[start : start + BATCH], policy)
    return changed


def refresh_every_order(sessions: sessionmaker[Session], policy: ShipByPolicy, size: int = BATCH) -> int:
    """Recompute every order's ship-by time (after the settings changed), a batch per transaction."""
    changed, after = 0, ""
    query = select(col(Order.id)).order_by(col(Order.id)).limit(size)
    while True:
        with sessions() as session:
            batch = list(session.connection().scalars(query.where(col(Order.id) > after)))
            if not batch:
                return changed
            changed += _refresh(session.connection(), batch, policy)
            session.commit()
        after = batch[-1]


def _refresh(connection: Connection, ids: list[str], policy: ShipByPolicy) -> int:
    deadlines: dict[str, datetime] = dict(
        connection.execute(  # type: ignore[arg-type]
            select(col(FulfillmentOrder.order_id), func.min(col(FulfillmentOrder.fulfill_by)))
            .where(col(FulfillmentOrder.order_id).in_(ids), col(FulfillmentOrder.status).in_(OPEN))
            .group_by(col(FulfillmentOrder.order_id))
        ).all()
    )
    rows = connection.execute(
        select(col(Order.id), col(Order.created_at), col(Order.shipping_method), col(Order.ship_by)).where(
            col(Order.id).in_(ids)
        )
    )
    writes = []
    for ident, created, method, stored in rows:
        due, _ = policy.ship_by(created, method, [deadlines.get(ident)])
        if due != stored:
            writes.append({"key": ident, "due": due})
    if writes:
        table = Order.__table__  # type: ignore[attr-defined]
        statement = update(table).where(table.c.id == bindparam("key")).values(ship_by=bindparam("due"))
        connection.execute(statement, writes)
    return len(writes)
