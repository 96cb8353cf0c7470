"""Which fulfillment orders are in which stage of the floor: the rules, as SQL conditions.

The keywords `indexed`, `anti_join` and `order_joined` only change how a rule is written for the
engine (see `query_planning`), never which rows it keeps.
"""

from __future__ import annotations

import enum
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, case, func, or_, true, union
from sqlmodel import col, select

from oms_tui.cache.models import (
    AuditEvent,
    Claim,
    FloorException,
    Fulfillment,
    FulfillmentOrder,
    Order,
    PackSession,
    PickList,
    PickListLine,
)
from oms_tui.floor.queues.no_shipping import nothing_to_ship
from oms_tui.floor.queues.query_planning import fo_column, not_in

OPEN = ("OPEN", "IN_PROGRESS")  # work that can still be picked and shipped
FO_STATUSES = ("OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED", "INCOMPLETE", "CLOSED", "CANCELLED")
OPEN_EXCEPTION = ("open", "acknowledged")


class Stage(enum.StrEnum):
    READY_TO_PICK = "ready to pick"
    PICKING = "picking"
    READY_TO_PACK = "ready to pack"
    ON_HOLD = "on hold"
    EXCEPTIONS = "exceptions"
    SHIPPED_TODAY = "shipped today"
    ALL = "all"


# Big stages are read along the orders' queue index; the others from the few rows that make them.
BIG_STAGES = frozenset({Stage.READY_TO_PICK, Stage.ON_HOLD, Stage.ALL})


def start_of_day(now: datetime) -> datetime:
    """Midnight of `now`'s day on this machine's clock: "today" as the floor means it."""
    return now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)


def _claimed(now: datetime) -> Any:
    return select(Claim.fulfillment_order_id).where(col(Claim.lease_until) > now)


# Subqueries of the schema alone are built once (`no_shipping` says why); those of `now` at each read.
@cache
def _on_lists(*states: str) -> Any:
    return (
        select(PickListLine.fulfillment_order_id)
        .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
        .where(col(PickList.state).in_(states))
        .where(col(PickListLine.withdrawn).is_(None))  # the order left the list (cancelled, held)
    )


@cache
def _fully_picked() -> Any:
    """On a pick list that is open or done, with every line of it picked and some picked units not
    yet shipped (what a partial shipment leaves open is picked again)."""
    unpicked = func.sum(case((col(PickListLine.picked) < PickListLine.needed, 1), else_=0))
    in_tote = func.sum(PickListLine.picked - PickListLine.shipped)
    live = _on_lists("open", "done").group_by(col(PickListLine.fulfillment_order_id))
    return live.having(and_(unpicked == 0, in_tote > 0))


@cache
def _being_packed() -> Any:
    """At a packing bench now: on the pack stage, whatever its pick list says."""
    return select(PackSession.fulfillment_order_id).where(col(PackSession.state) == "open")


@cache
def _cancelled_orders() -> Any:
    """Orders cancelled here or at the store (a local cancel leaves its fulfillment orders open)."""
    return select(Order.id).where(col(Order.cancelled_at).is_not(None))


def _fulfillment_orders_of(order_ids: Any) -> Any:
    return select(FulfillmentOrder.id).where(col(FulfillmentOrder.order_id).in_(order_ids))


def big_stage(
    stage: Stage, now: datetime, indexed: bool, order_joined: bool = False
) -> tuple[Any, list[tuple[Any, Any]]]:
    """A big stage as (every fulfillment order with its status, the few of those left out, by kind:
    (column, the ids it must not be among)). `order_joined`: the query has each row's order, whose
    own `cancelled_at` then says whether it is cancelled (a list of every cancelled order, built
    for each read, costs more as the shop grows)."""
    fo = FulfillmentOrder
    status = fo_column("status", indexed)
    cancelled = [] if order_joined else [(fo.order_id, _cancelled_orders())]
    live = col(Order.cancelled_at).is_(None) if order_joined else true()
    if stage is Stage.READY_TO_PICK:
        taken = union(_claimed(now), _on_lists("open"), _fully_picked(), _being_packed())
        return and_(status.in_(OPEN), live), [*cancelled, (fo.id, taken), (fo.id, nothing_to_ship())]
    if stage is Stage.ON_HOLD:
        return and_(status == "ON_HOLD", live), cancelled
    return true(), []


def stage_condition(
    stage: Stage, now: datetime, *, indexed: bool = False, anti_join: bool = False, order_joined: bool = False
) -> Any:
    if stage in BIG_STAGES:
        everything, left_out = big_stage(stage, now, indexed, order_joined)
        return and_(everything, *(not_in(column, ids, anti_join) for column, ids in left_out))
    fo = FulfillmentOrder
    status = fo_column("status", indexed)
    live = (
        col(Order.cancelled_at).is_(None)
        if order_joined
        else not_in(fo.order_id, _cancelled_orders(), anti_join)
    )
    is_open = and_(status.in_(OPEN), live, not_in(fo.id, nothing_to_ship(), anti_join))
    if stage is Stage.PICKING:
        taken = col(fo.id).in_(union(_claimed(now), _on_lists("open")))
        packing = union(_fully_picked(), _being_packed())
        return and_(taken, is_open, not_in(fo.id, packing, anti_join))
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
    done = or_(status == "CLOSED", and_(status.in_(OPEN), col(fo.id).in_(nothing_to_ship())))
    return and_(col(fo.id).in_(union(synced, local)), done)
