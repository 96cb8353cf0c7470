"""The floor's work queues: one per stage, most urgent first, read from the cache a window at a time.

A queue row is a fulfillment order (what one warehouse ships), ordered by its order's priority, then
its order's ship-by time (`cache.ship_by`: the store's deadline, the method's cut-off or the SLA),
then ids, so every row has a unique sort key: windows are read by keyset from a known neighbour, or
by OFFSET from the nearer end. Which rows a stage holds is in `stages`, the filters in
`queue_filters`, a table's reader in `queue_source`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, tuple_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from oms_tui.cache.models import Claim, FulfillmentOrder, FulfillmentOrderLineItem, Order, Staff
from oms_tui.floor.queues.no_shipping import ships
from oms_tui.floor.queues.query_planning import not_in, plans_from_statistics
from oms_tui.floor.queues.queue_filters import GATHER, Picked, QueueFilter, conditions, gathered
from oms_tui.floor.queues.stages import BIG_STAGES, Stage, big_stage

SortKey = tuple[int, datetime, str, str]  # priority, ship-by, order id, fulfillment order id


@dataclass(frozen=True)
class QueueRow:
    key: str  # the fulfillment order id
    order_id: str
    order_name: str
    customer: str
    items: int  # units left to ship (all units once shipped), of the lines that ship
    status: str
    location: str
    created_at: datetime
    tags: tuple[str, ...]
    priority: int
    holder: str | None  # who has claimed it
    ship_by: datetime

    @property
    def sort_key(self) -> SortKey:
        return (self.priority, self.ship_by, self.order_id, self.key)

    def time_left(self, now: datetime) -> timedelta:
        """Time until the order must have left (negative once it is late)."""
        return self.ship_by - now

    def urgency(self, now: datetime, soon: timedelta) -> str:
        """late, due soon (within `soon` of its ship-by time) or on time."""
        left = self.time_left(now)
        return "late" if left < timedelta(0) else "due soon" if left < soon else "on time"


def _after(key: SortKey) -> Any:
    """Rows sorting after `key`, written so an index on the order's columns can seek to it."""
    order_part = tuple_(col(Order.priority), col(Order.ship_by), col(Order.id))
    return and_(order_part >= key[:3], or_(order_part > key[:3], col(FulfillmentOrder.id) > key[3]))


def _before(key: SortKey) -> Any:
    order_part = tuple_(col(Order.priority), col(Order.ship_by), col(Order.id))
    return and_(order_part <= key[:3], or_(order_part < key[:3], col(FulfillmentOrder.id) < key[3]))


ROW_ORDER = (col(Order.priority), col(Order.ship_by), col(Order.id), col(FulfillmentOrder.id))


def count(
    session: Session, stage: Stage, filters: QueueFilter, now: datetime, *, picked: Picked | None = GATHER
) -> int:
    return session.exec(select(counted(session, stage, filters, now, picked=picked))).one()


def counted(
    session: Session, stage: Stage, filters: QueueFilter, now: datetime, *, picked: Picked | None = GATHER
) -> ColumnElement[int]:
    """`count` as one SQL expression: the board counts its six queues in one statement."""
    query = select(func.count()).select_from(FulfillmentOrder)
    plain = plans_from_statistics(session)
    picked = gathered(session, stage, filters, picked)
    if filters.needs_order:
        query = query.join(Order, col(Order.id) == FulfillmentOrder.order_id)
    if filters.search.strip() or picked is not None:  # a few orders, or a scan anyway: in one go
        where = conditions(
            stage, filters, now, indexed=plain, anti_join=plain, row_by_row=picked is not None, picked=picked
        )
        return query.where(*where).scalar_subquery()
    if stage not in BIG_STAGES:
        return query.where(*conditions(stage, filters, now, indexed=plain, anti_join=plain)).scalar_subquery()
    # Every one with the stage's status (an index count), less the few left out, each kind of them
    # counted from its own rows (an OR of them would make PostgreSQL read every fulfillment order).
    everything, _ = big_stage(stage, now, indexed=True)
    each, left_out = big_stage(stage, now, indexed=plain)
    total: ColumnElement[int] = query.where(
        *conditions(stage, filters, now, indexed=True, stage_part=everything)
    ).scalar_subquery()
    for n, (column, ids) in enumerate(left_out):
        earlier = (not_in(c, earlier_ids, plain) for c, earlier_ids in left_out[:n])
        kind = and_(each, *earlier, col(column).in_(ids))
        total = (
            total
            - query.where(*conditions(stage, filters, now, indexed=plain, stage_part=kind)).scalar_subquery()
        )
    return total


def window(
    session: Session,
    stage: Stage,
    filters: QueueFilter,
    now: datetime,
    *,
    limit: int,
    offset: int = 0,
    after: SortKey | None = None,
    before: SortKey | None = None,
    from_end: bool = False,
    picked: Picked | None = GATHER,
) -> list[QueueRow]:
    """`limit` rows in queue order: after `after`, before `before`, or `offset` rows from either end."""
    reverse = from_end or before is not None
    query = window_query(
        session, stage, filters, now, after=after, before=before, reverse=reverse, picked=picked
    )
    ids = list(session.exec(query.offset(offset).limit(limit)))
    rows = _rows(session, ids, now)
    return rows[::-1] if reverse else rows


def window_query(
    session: Session,
    stage: Stage,
    filters: QueueFilter,
    now: datetime,
    *,
    after: SortKey | None = None,
    before: SortKey | None = None,
    reverse: bool = False,
    picked: Picked | None = GATHER,
) -> Any:
    """The ids of a window's rows, in queue order (or reversed), as the engine will plan them."""
    plain = plans_from_statistics(session)
    picked = gathered(session, stage, filters, picked)
    order_id: Any = col(Order.id)
    in_order = not plain and stage in BIG_STAGES and picked is None
    if in_order:
        # SQLite would look each order up from its fulfillment orders, every one of the stage, and
        # sort them all; with the order's id out of an index's reach it reads the orders along the
        # queue's index instead and stops at the window's last row.
        order_id = func.coalesce(order_id, "")
    where = conditions(
        stage,
        filters,
        now,
        indexed=plain,
        anti_join=plain,
        row_by_row=in_order or picked is not None,
        order_joined=True,
        picked=picked,
    )
    query = select(FulfillmentOrder.id).join(Order, order_id == FulfillmentOrder.order_id).where(*where)
    if after is not None:
        query = query.where(_after(after))
    if before is not None:
        query = query.where(_before(before))
    return query.order_by(*(c.desc() for c in ROW_ORDER) if reverse else ROW_ORDER)


def position(
    session: Session,
    stage: Stage,
    filters: QueueFilter,
    now: datetime,
    key: str,
    *,
    picked: Picked | None = GATHER,
) -> int | None:
    """Where fulfillment order `key` stands in the queue (0 = first), or None if it is not in it."""
    (row,) = _rows(session, [key], now) or (None,)
    if row is None:
        return None
    plain = plans_from_statistics(session)
    picked = gathered(session, stage, filters, picked)
    where = conditions(
        stage,
        filters,
        now,
        indexed=plain,
        anti_join=plain,
        row_by_row=picked is not None,
        order_joined=True,
        picked=picked,
    )
    base = (
        select(func.count())
        .select_from(FulfillmentOrder)
        .join(Order, col(Order.id) == FulfillmentOrder.order_id)
    )
    if not session.exec(base.where(*where, col(FulfillmentOrder.id) == key)).one():
        return None
    return session.exec(base.where(*where, _before(row.sort_key))).one()


def _rows(session: Session, ids: Sequence[str], now: datetime) -> list[QueueRow]:
    """The details shown for these fulfillment orders, in the order given (one query, few rows)."""
    if not ids:
        return []
    fo = FulfillmentOrder
    left = func.coalesce(func.sum(FulfillmentOrderLineItem.remaining_quantity), 0)
    total = func.coalesce(func.sum(FulfillmentOrderLineItem.total_quantity), 0)
    units = (
        select(left, total)
        .where(FulfillmentOrderLineItem.fulfillment_order_id == fo.id, ships())
        .correlate(fo)
    )
    remaining = units.with_only_columns(left).scalar_subquery()
    everything = units.with_only_columns(total).scalar_subquery()
    holder = (
        select(Staff.name)
        .join(Claim, col(Claim.staff_code) == Staff.code)
        .where(Claim.fulfillment_order_id == fo.id, col(Claim.lease_until) > now)
        .correlate(fo)
        .scalar_subquery()
    )
    # Columns, not entities: a window is read at every scroll, and entities cost twice the time.
    query = (
        sa_select(
            col(fo.id),
            col(fo.status),
            col(fo.location_name),
            col(Order.id),
            col(Order.name),
            col(Order.customer_name),
            col(Order.email),
            col(Order.created_at),
            col(Order.tags),
            col(Order.priority),
            col(Order.ship_by),
            remaining,
            everything,
            holder,
        )
        .join(Order, col(Order.id) == fo.order_id)
        .where(col(fo.id).in_(ids))
    )
    found = {}
    for (
        key,
        status,
        location,
        order_id,
        name,
        customer,
        email,
        created,
        tags,
        priority,
        ship_by,
        left_units,
        all_units,
        who,
    ) in session.execute(query):
        found[key] = QueueRow(
            key=key,
            order_id=order_id,
            order_name=name,
            customer=customer or email or "",
            items=int(left_units or all_units),
            status=status,
            location=location or "",
            created_at=created,
            tags=tuple(tags),
            priority=priority,
            holder=who,
            ship_by=ship_by,
        )
    return [found[ident] for ident in ids if ident in found]
