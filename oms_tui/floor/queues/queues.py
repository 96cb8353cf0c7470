"""The floor's work queues: one per stage, most urgent first, read from the cache a window at a time.

A queue row is a fulfillment order (what one warehouse ships), ordered by its order's priority, then
its order's age (the SLA runs from the order's creation), then ids, so every row has a unique sort
key: windows are read by keyset from a known neighbour, or by OFFSET from the nearer end.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, true, tuple_, union
from sqlalchemy import select as sa_select
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from oms_tui.cache.models import (
    AuditEvent,
    Claim,
    FloorException,
    Fulfillment,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    Order,
    PackSession,
    PickList,
    PickListLine,
    Staff,
)
from oms_tui.cache.order_tags import OrderTag, tag_key
from oms_tui.floor.orders.search import few_matching_order_ids, matches_order, matching_order_ids

OPEN = ("OPEN", "IN_PROGRESS")  # work that can still be picked and shipped
FO_STATUSES = ("OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED", "INCOMPLETE", "CLOSED", "CANCELLED")
OPEN_EXCEPTION = ("open", "acknowledged")

SortKey = tuple[int, datetime, str, str]  # priority, order created, order id, fulfillment order id


class Stage(enum.StrEnum):
    READY_TO_PICK = "ready to pick"
    PICKING = "picking"
    READY_TO_PACK = "ready to pack"
    ON_HOLD = "on hold"
    EXCEPTIONS = "exceptions"
    SHIPPED_TODAY = "shipped today"
    ALL = "all"


@dataclass(frozen=True)
class QueueFilter:
    location_id: str | None = None
    status: str | None = None  # a fulfillment order status
    tag: str = ""  # one order tag, any case
    channel: str | None = None  # the order's sales channel (Shopify's sourceName)
    search: str = ""  # order number, customer, email, SKU or tracking number

    @property
    def needs_order(self) -> bool:
        return self.channel is not None


@dataclass(frozen=True)
class QueueRow:
    key: str  # the fulfillment order id
    order_id: str
    order_name: str
    customer: str
    items: int  # units left to ship (all units once shipped)
    status: str
    location: str
    created_at: datetime
    tags: tuple[str, ...]
    priority: int
    holder: str | None  # who has claimed it

    @property
    def sort_key(self) -> SortKey:
        return (self.priority, self.created_at, self.order_id, self.key)

    def sla_left(self, now: datetime, sla_hours: float) -> timedelta:
        """Time until the order is late (negative once it is)."""
        return self.created_at + timedelta(hours=sla_hours) - now


def start_of_day(now: datetime) -> datetime:
    """Midnight of `now`'s day on this machine's clock: "today" as the floor means it."""
    return now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)


# --- which fulfillment orders are in which stage -----------------------------------------------------


def _claimed(now: datetime) -> Any:
    return select(Claim.fulfillment_order_id).where(col(Claim.lease_until) > now)


def _on_lists(*states: str) -> Any:
    return (
        select(PickListLine.fulfillment_order_id)
        .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
        .where(col(PickList.state).in_(states))
        .where(col(PickListLine.withdrawn).is_(None))  # the order left the list (cancelled, held)
    )


def _fully_picked() -> Any:
    """On a pick list that is open or done, with every line of it picked."""
    unpicked = func.sum(case((col(PickListLine.picked) < PickListLine.needed, 1), else_=0))
    live = _on_lists("open", "done").group_by(col(PickListLine.fulfillment_order_id))
    return live.having(unpicked == 0)


def _being_packed() -> Any:
    """At a packing bench now: on the pack stage, whatever its pick list says."""
    return select(PackSession.fulfillment_order_id).where(col(PackSession.state) == "open")


def _cancelled_orders() -> Any:
    """Orders cancelled here or at the store (a local cancel leaves its fulfillment orders open)."""
    return select(Order.id).where(col(Order.cancelled_at).is_not(None))


# Big stages are read in the order of the orders' queue index, small ones from the few rows that
# make them (claims, pick lists, exceptions, today's shipments). SQLite plans without statistics: a
# fulfillment order's own status or location would tempt it into reading the whole stage and sorting
# it, so there those columns are offered to an index only where that is right: to count a big stage
# (`indexed`). PostgreSQL plans from statistics (autovacuum keeps them) and gets the plain columns.
BIG_STAGES = frozenset({Stage.READY_TO_PICK, Stage.ON_HOLD, Stage.ALL})


def _fo_column(name: str, indexed: bool) -> Any:
    column = col(getattr(FulfillmentOrder, name))
    return column if indexed else func.coalesce(column, "")  # the same value, out of an index's reach


def _plans_from_statistics(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _fulfillment_orders_of(order_ids: Any) -> Any:
    return select(FulfillmentOrder.id).where(col(FulfillmentOrder.order_id).in_(order_ids))


# The few rows a small set is made of are gathered into one list of ids (a UNION), so both engines
# look the fulfillment orders up by id; `a IN (...) OR b IN (...)` makes PostgreSQL scan them all.


def _not_in(column: Any, ids: Any, anti_join: bool) -> Any:
    """`column NOT IN (ids)`; as NOT EXISTS for PostgreSQL, which plans NOT IN as a filter over every
    row (NULLs forbid it an anti-join) but a NOT EXISTS as an anti-join that keeps the index order."""
    if not anti_join:
        return col(column).not_in(ids)
    found = ids.subquery()
    return ~exists().where(next(iter(found.c)) == column)


def _big_stage(
    stage: Stage, now: datetime, indexed: bool, order_joined: bool = False
) -> tuple[Any, list[tuple[Any, Any]]]:
    """A big stage as (every fulfillment order with its status, the few of those left out, by kind:
    (column, the ids it must not be among)). `order_joined`: the query has each row's order, whose
    own `cancelled_at` then says whether it is cancelled (a list of every cancelled order, built
    for each read, costs more as the shop grows)."""
    fo = FulfillmentOrder
    status = _fo_column("status", indexed)
    cancelled = [] if order_joined else [(fo.order_id, _cancelled_orders())]
    live = col(Order.cancelled_at).is_(None) if order_joined else true()
    if stage is Stage.READY_TO_PICK:
        taken = union(_claimed(now), _on_lists("open"), _fully_picked(), _being_packed())
        return and_(status.in_(OPEN), live), [*cancelled, (fo.id, taken)]
    if stage is Stage.ON_HOLD:
        return and_(status == "ON_HOLD", live), cancelled
    return true(), []


def stage_condition(
    stage: Stage, now: datetime, *, indexed: bool = False, anti_join: bool = False, order_joined: bool = False
) -> Any:
    if stage in BIG_STAGES:
        everything, left_out = _big_stage(stage, now, indexed, order_joined)
        return and_(everything, *(_not_in(column, ids, anti_join) for column, ids in left_out))
    fo = FulfillmentOrder
    status = _fo_column("status", indexed)
    live = (
        col(Order.cancelled_at).is_(None)
        if order_joined
        else _not_in(fo.order_id, _cancelled_orders(), anti_join)
    )
    is_open = and_(status.in_(OPEN), live)
    if stage is Stage.PICKING:
        taken = col(fo.id).in_(union(_claimed(now), _on_lists("open")))
        packing = union(_fully_picked(), _being_packed())
        return and_(taken, is_open, _not_in(fo.id, packing, anti_join))
    if stage is Stage.READY_TO_PACK:
        return and_(col(fo.id).in_(union(_fully_picked(), _being_packed())), is_open)
    if stage is Stage.EXCEPTIONS:
        with_exception = select(FloorException.order_id).where(col(FloorException.state).in_(OPEN_EXCEPTION))
        return col(fo.order_id).in_(with_exception)
    day = start_of_day(now)  # shipped today: by sync, or here and not yet synced back
    synced = _fulfillment_orders_of(select(Fulfillment.order_id).where(col(Fulfillment.created_at) >= day))
    local = select(AuditEvent.subject).where(
        col(AuditEvent.at) >= day, col(AuditEvent.action) == "store.fulfill"
    )
    return and_(col(fo.id).in_(union(synced, local)), status == "CLOSED")


def _conditions(
    stage: Stage,
    filters: QueueFilter,
    now: datetime,
    *,
    indexed: bool = False,
    anti_join: bool = False,
    stage_part: Any = None,
    row_by_row: bool = False,
    order_joined: bool = False,
    picked: Picked | None = None,
) -> list[Any]:
    """What a row of the queue must meet. `row_by_row`: the rows are read along the queue's order
    or from the `picked` orders, so a tag or a search is checked on each row as it passes (a list
    of every match would be built first, for each read)."""
    if stage_part is None:
        stage_part = stage_condition(
            stage, now, indexed=indexed, anti_join=anti_join, order_joined=order_joined
        )
    conditions = [stage_part]
    if filters.location_id:
        conditions.append(_fo_column("location_id", indexed) == filters.location_id)
    if filters.status:
        conditions.append(_fo_column("status", indexed) == filters.status)
    picked_by = ""
    if picked is not None:
        conditions.append(col(FulfillmentOrder.order_id).in_(picked.order_ids))
        picked_by = picked.by
    if tag_key(filters.tag) and picked_by != "tag":
        conditions.append(_tagged(filters.tag, row_by_row))
    if filters.channel is not None:
        conditions.append(col(Order.channel) == filters.channel)
    if filters.search.strip() and picked_by != "search":
        conditions.append(_matching(filters.search, row_by_row))
    return conditions


def _tagged(tag: str, row_by_row: bool) -> Any:
    if row_by_row:  # each row's tag looked up by its key
        return exists().where(
            col(OrderTag.order_id) == FulfillmentOrder.order_id, col(OrderTag.tag) == tag_key(tag)
        )
    # the orders with the tag, from the tag's index entries
    tagged = select(OrderTag.order_id).where(col(OrderTag.tag) == tag_key(tag))
    return col(FulfillmentOrder.order_id).in_(tagged)


def _matching(search: str, row_by_row: bool) -> Any:
    if row_by_row:  # each row's own search document
        return matches_order(search, FulfillmentOrder.order_id)
    return col(FulfillmentOrder.order_id).in_(matching_order_ids(search))


RARE = 2_000  # orders with a tag or matching a search, below which they are gathered first and sorted


@dataclass(frozen=True)
class Picked:
    """The few orders a tag or a search picks (`by`: "tag" or "search"), gathered in one read."""

    by: str
    order_ids: tuple[str, ...]


_GATHER = Picked("", ())  # not given: `window_query`, `count` and `position` gather for themselves


def picked_orders(session: Session, stage: Stage, filters: QueueFilter) -> Picked | None:
    """SQLite, a big stage: the orders a tag or a search picks, when they are few (under `RARE`):
    gathering and sorting those few is cheaper than passing the others. None when they are many
    (the queue is read in its order and each row checked as it passes), when there is nothing to
    pick by, and on PostgreSQL (which plans from statistics)."""
    if _plans_from_statistics(session) or stage not in BIG_STAGES:
        return None
    if filters.search.strip():
        found = few_matching_order_ids(session, filters.search, RARE)
        if found is not None:
            return Picked("search", tuple(found))
    if tag_key(filters.tag):
        tagged = select(OrderTag.order_id).where(col(OrderTag.tag) == tag_key(filters.tag))
        order_ids = tuple(session.exec(tagged.limit(RARE)))
        if len(order_ids) < RARE:
            return Picked("tag", order_ids)
    return None


def _gathered(session: Session, stage: Stage, filters: QueueFilter, picked: Picked | None) -> Picked | None:
    """`picked` as given, or gathered now when it was not (`_GATHER`)."""
    return picked_orders(session, stage, filters) if picked is _GATHER else picked


def _after(key: SortKey) -> Any:
    """Rows sorting after `key`, written so an index on the order's columns can seek to it."""
    order_part = tuple_(col(Order.priority), col(Order.created_at), col(Order.id))
    return and_(order_part >= key[:3], or_(order_part > key[:3], col(FulfillmentOrder.id) > key[3]))


def _before(key: SortKey) -> Any:
    order_part = tuple_(col(Order.priority), col(Order.created_at), col(Order.id))
    return and_(order_part <= key[:3], or_(order_part < key[:3], col(FulfillmentOrder.id) < key[3]))


ROW_ORDER = (col(Order.priority), col(Order.created_at), col(Order.id), col(FulfillmentOrder.id))


# --- reading ---------------------------------------------------------------------------------------


def count(
    session: Session, stage: Stage, filters: QueueFilter, now: datetime, *, picked: Picked | None = _GATHER
) -> int:
    query = select(func.count()).select_from(FulfillmentOrder)
    plain = _plans_from_statistics(session)
    picked = _gathered(session, stage, filters, picked)
    if filters.needs_order:
        query = query.join(Order, col(Order.id) == FulfillmentOrder.order_id)
    if filters.search.strip() or picked is not None:  # a few orders, or a scan anyway: in one go
        conditions = _conditions(
            stage, filters, now, indexed=plain, anti_join=plain, row_by_row=picked is not None, picked=picked
        )
        return session.exec(query.where(*conditions)).one()
    if stage not in BIG_STAGES:
        return session.exec(
            query.where(*_conditions(stage, filters, now, indexed=plain, anti_join=plain))
        ).one()
    # Every one with the stage's status (an index count), less the few left out, each kind of them
    # counted from its own rows (an OR of them would make PostgreSQL read every fulfillment order).
    everything, _ = _big_stage(stage, now, indexed=True)
    each, left_out = _big_stage(stage, now, indexed=plain)
    total = session.exec(
        query.where(*_conditions(stage, filters, now, indexed=True, stage_part=everything))
    ).one()
    for n, (column, ids) in enumerate(left_out):
        earlier = (_not_in(c, earlier_ids, plain) for c, earlier_ids in left_out[:n])
        kind = and_(each, *earlier, col(column).in_(ids))
        total -= session.exec(
            query.where(*_conditions(stage, filters, now, indexed=plain, stage_part=kind))
        ).one()
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
    picked: Picked | None = _GATHER,
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
    picked: Picked | None = _GATHER,
) -> Any:
    """The ids of a window's rows, in queue order (or reversed), as the engine will plan them."""
    plain = _plans_from_statistics(session)
    picked = _gathered(session, stage, filters, picked)
    order_id: Any = col(Order.id)
    in_order = not plain and stage in BIG_STAGES and picked is None
    if in_order:
        # SQLite would look each order up from its fulfillment orders, every one of the stage, and
        # sort them all; with the order's id out of an index's reach it reads the orders along the
        # queue's index instead and stops at the window's last row.
        order_id = func.coalesce(order_id, "")
    conditions = _conditions(
        stage,
        filters,
        now,
        indexed=plain,
        anti_join=plain,
        row_by_row=in_order or picked is not None,
        order_joined=True,
        picked=picked,
    )
    query = select(FulfillmentOrder.id).join(Order, order_id == FulfillmentOrder.order_id).where(*conditions)
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
    picked: Picked | None = _GATHER,
) -> int | None:
    """Where fulfillment order `key` stands in the queue (0 = first), or None if it is not in it."""
    (row,) = _rows(session, [key], now) or (None,)
    if row is None:
        return None
    plain = _plans_from_statistics(session)
    picked = _gathered(session, stage, filters, picked)
    conditions = _conditions(
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
    if not session.exec(base.where(*conditions, col(FulfillmentOrder.id) == key)).one():
        return None
    return session.exec(base.where(*conditions, _before(row.sort_key))).one()


def _rows(session: Session, ids: Sequence[str], now: datetime) -> list[QueueRow]:
    """The details shown for these fulfillment orders, in the order given (one query, few rows)."""
    if not ids:
        return []
    fo = FulfillmentOrder
    left = func.coalesce(func.sum(FulfillmentOrderLineItem.remaining_quantity), 0)
    total = func.coalesce(func.sum(FulfillmentOrderLineItem.total_quantity), 0)
    units = select(left, total).where(FulfillmentOrderLineItem.fulfillment_order_id == fo.id).correlate(fo)
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
        )
    return [found[ident] for ident in ids if ident in found]


class QueueSource:
    """One queue (a stage with filters) as a table reads it: a count, windows, a row's position.

    Called from worker threads; each call uses its own session. Windows next to one already read are
    read by keyset from its edge (the cost does not grow with depth); others by OFFSET from the nearer
    end. A new `count()` starts afresh: the rows may have moved since, and the orders a tag or a
    search picks (`picked_orders`) are gathered again; windows use the ones gathered last.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        stage: Stage,
        filters: QueueFilter,
        clock: Callable[[], datetime],
    ) -> None:
        self.sessions, self.stage, self.filters, self.clock = sessions, stage, filters, clock
        self._lock = threading.Lock()
        self._edges: dict[int, SortKey] = {}  # row index -> its sort key, for the rows at window edges
        self._total: int | None = None
        self._picked: Picked | None = _GATHER

    def count(self) -> int:
        with self.sessions() as session:
            with self._lock:  # the first count follows the first windows: what they gathered holds
                picked = self._picked if self._total is None else _GATHER
            picked = _gathered(session, self.stage, self.filters, picked)
            total = count(session, self.stage, self.filters, self.clock(), picked=picked)
        with self._lock:
            self._edges.clear()
            self._total, self._picked = total, picked
        return total

    def _picked_in(self, session: Session) -> Picked | None:
        with self._lock:
            picked = self._picked
        if picked is _GATHER:  # a window before the first count
            picked = picked_orders(session, self.stage, self.filters)
            with self._lock:
                self._picked = picked
        return picked

    def window(self, offset: int, limit: int) -> list[QueueRow]:
        with self._lock:
            after, before, total = self._edges.get(offset - 1), self._edges.get(offset + limit), self._total
        if total is not None:
            limit = max(0, min(limit, total - offset))

        def read(**where: Any) -> list[QueueRow]:
            now, picked = self.clock(), self._picked_in(session)
            return window(session, self.stage, self.filters, now, limit=limit, picked=picked, **where)

        with self.sessions() as session:
            if offset == 0 or limit == 0:
                rows = read(offset=offset)
            elif after is not None:
                rows = read(after=after)
            elif before is not None:
                rows = read(before=before)
            elif total is not None and total - offset - limit < offset:
                rows = read(offset=total - offset - limit, from_end=True)
            else:
                rows = read(offset=offset)
        if rows:
            with self._lock:
                self._edges[offset] = rows[0].sort_key
                self._edges[offset + len(rows) - 1] = rows[-1].sort_key
        return rows

    def position(self, key: str) -> int | None:
        with self.sessions() as session:
            return position(
                session, self.stage, self.filters, self.clock(), key, picked=self._picked_in(session)
            )
