"""Allocation of short stock: which open work gets the units of a SKU at a location when there are
fewer than it needs.

The units go in the queue's own order (rush, then SLA, then age: `Order.priority`, the order's
ship-by, ids: `sku_demand`, kept in that order by the database), after the work already in hand
(on a pick list or at a packing bench: its units may be in a tote). Each fulfillment order takes
what it needs while units are left; the first that cannot be covered whole takes what is left (what
a partial shipment would send), and those after it take none.
The units counted are those on hand that orders may have: open orders' committed units are part of
them; damaged, quality-control, safety and reserved units are not (`FOR_ORDERS`).

A shortfall is flagged before picking (`floor.exceptions`: "short: 3 of 5 orders can ship"), and a
pick batch takes only what its allotment covers (`fit_batch`): a picker is never sent to an empty bin.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from oms_tui.cache.enums import ExceptionKind, ExceptionState
from oms_tui.cache.models import (
    FloorException,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    InventoryLevel,
    PackSession,
    PickList,
    PickListLine,
    SkuDemand,
)

SHIP_PARTIAL = "ship partial"  # the resolution of a short-stock exception that lets the order ship short
Pair = tuple[str, str]  # (SKU, location id)
# On hand less the states an order may not take a unit from: available + committed at the store.
FOR_ORDERS = (
    InventoryLevel.on_hand
    - InventoryLevel.damaged
    - InventoryLevel.quality_control
    - InventoryLevel.safety_stock
    - InventoryLevel.reserved
)


class Claimant(NamedTuple):
    """A fulfillment order the units do not cover whole: the first may get some, the rest none."""

    fulfillment_order_id: str
    order_id: str
    needed: int
    allotted: int


@dataclass
class Allocation:
    sku: str
    location_id: str
    units: int  # on hand at the location
    claimants: int = 0  # open fulfillment orders needing the SKU there
    short: list[Claimant] = field(default_factory=list)  # in allocation order

    def summary(self) -> str:
        """'short: 3 of 5 orders can ship'."""
        return f"short: {self.claimants - len(self.short)} of {self.claimants} orders can ship"

    def of(self, fulfillment_order_id: str) -> Claimant | None:
        """Its claim if the units do not cover it whole; None if they do (or it needs none)."""
        return next((c for c in self.short if c.fulfillment_order_id == fulfillment_order_id), None)


def units_at(session: Session, sku: str, location_id: str) -> int | None:
    """On hand for orders at the location, or None when the cache holds no stock of the SKU anywhere (unknown:
    no claim either way)."""
    levels = dict(
        session.execute(
            select(InventoryLevel.location_id, func.sum(FOR_ORDERS))
            .where(InventoryLevel.sku == sku)
            .group_by(col(InventoryLevel.location_id))
        ).all()
    )
    return int(levels.get(location_id) or 0) if levels else None


QUEUE_ORDER = (
    col(SkuDemand.priority),
    col(SkuDemand.ship_by),
    col(SkuDemand.order_id),
    col(SkuDemand.fulfillment_order_id),
)


def allocate(session: Session, sku: str, location_id: str) -> Allocation | None:
    """The SKU's units at the location shared out over the open work needing them; None if the
    cache holds no stock of the SKU."""
    units = units_at(session, sku, location_id)
    if units is None:
        return None
    demand = SkuDemand
    queued = (  # in queue order, along the index: thousands of rows at a million orders
        session.connection()
        .execute(
            select(demand.fulfillment_order_id, demand.order_id, demand.needed)
            .where(demand.sku == sku, demand.location_id == location_id)
            .order_by(*QUEUE_ORDER)
        )
        .all()
    )
    in_hand = _in_hand(session, sku)
    ahead = [row for row in queued if row[0] in in_hand] if in_hand else []
    if ahead:
        queued = ahead + [row for row in queued if row[0] not in in_hand]
    # Those before the first the units cannot cover take what they need; that one takes what is
    # left, the rest none. Only those not covered whole are made into claimants.
    allocation = Allocation(sku, location_id, units, claimants=len(queued))
    through = list(accumulate(map(itemgetter(2), queued)))
    covered = bisect_right(through, units)
    if covered < len(queued):
        left = units - (through[covered - 1] if covered else 0)
        fo_id, order_id, needed = queued[covered]
        allocation.short.append(Claimant(fo_id, order_id, needed, max(left, 0)))
        allocation.short += [
            Claimant(fo_id, order_id, needed, 0) for fo_id, order_id, needed in queued[covered + 1 :]
        ]
    return allocation


def _in_hand(session: Session, sku: str) -> set[str]:
    """Fulfillment orders whose units may be in a tote already: on an open pick list of the SKU, or
    picked on a done one and not yet shipped, or at a packing bench. Their claims come first."""
    picking = (
        select(PickListLine.fulfillment_order_id)
        .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
        .where(col(PickList.state).in_(("open", "done")), col(PickListLine.withdrawn).is_(None))
        .where(or_(col(PickList.state) == "open", col(PickListLine.shipped) < PickListLine.picked))
        .where(PickListLine.sku == sku)
    )
    packing = select(PackSession.fulfillment_order_id).where(PackSession.state == "open")
    return set(session.connection().execute(picking.union(packing)).scalars())


def over_demanded(session: Session, pairs: Iterable[Pair]) -> list[Pair]:
    """Of these (SKU, location) pairs, those whose open work needs more than is on hand (two
    aggregate reads: the common case, stock enough, costs no allocation; SKUs whose stock the cache
    does not hold cost no read of their demand)."""
    wanted = set(pairs)
    skus = sorted({sku for sku, _ in wanted})
    if not skus:
        return []
    stock = {
        (sku, location): int(units or 0)
        for sku, location, units in session.execute(
            select(InventoryLevel.sku, InventoryLevel.location_id, func.sum(FOR_ORDERS))
            .where(col(InventoryLevel.sku).in_(skus))
            .group_by(col(InventoryLevel.sku), col(InventoryLevel.location_id))
        ).all()
    }
    stocked = {sku for sku, _ in stock}
    skus = sorted(stocked)
    if not skus:
        return []
    demand = session.execute(
        select(SkuDemand.sku, SkuDemand.location_id, func.sum(SkuDemand.needed))
        .where(col(SkuDemand.sku).in_(skus))
        .group_by(col(SkuDemand.sku), col(SkuDemand.location_id))
    ).all()
    return sorted(
        (sku, location)
        for sku, location, needed in demand
        if sku
        and location
        and (sku, location) in wanted
        and sku in stocked
        and int(needed or 0) > stock.get((sku, location), 0)
    )


def pairs_of(session: Session, fulfillment_order_ids: Sequence[str]) -> set[Pair]:
    """The (SKU, location) pairs these fulfillment orders' lines draw on."""
    if not fulfillment_order_ids:
        return set()
    fo, line = FulfillmentOrder, FulfillmentOrderLineItem
    return {
        (sku, location)
        for sku, location in session.execute(
            select(line.sku, fo.location_id)
            .join(fo, col(fo.id) == line.fulfillment_order_id)
            .where(col(fo.id).in_(fulfillment_order_ids))
        ).all()
        if sku and location
    }


def short_allocations(session: Session, fulfillment_order_ids: Sequence[str]) -> list[Allocation]:
    """The allocations these fulfillment orders take part in that leave some work short."""
    return allocations_of(session, pairs_of(session, fulfillment_order_ids))


def allocations_of(session: Session, pairs: Iterable[Pair]) -> list[Allocation]:
    """The allocations of these (SKU, location) pairs that leave some work short."""
    found = []
    for sku, location in over_demanded(session, pairs):
        allocation = allocate(session, sku, location)
        if allocation is not None and allocation.short:
            found.append(allocation)
    return found


def orders_concerned(session: Session, pairs: Iterable[Pair]) -> set[str]:
    """Orders whose short-stock finding may change with these pairs: those left short by them now,
    and those flagged short of their SKUs before (now perhaps covered)."""
    pairs = set(pairs)
    found = {c.order_id for allocation in allocations_of(session, pairs) for c in allocation.short}
    skus = {sku for sku, _ in pairs}
    if skus:
        found.update(
            order_id
            for order_id in session.exec(
                select(FloorException.order_id)
                .join(
                    FulfillmentOrderLineItem,
                    col(FulfillmentOrderLineItem.fulfillment_order_id) == FloorException.subject,
                )
                .where(
                    FloorException.kind == ExceptionKind.SHORT_STOCK,
                    col(FloorException.cause).is_not(None),
                    col(FulfillmentOrderLineItem.sku).in_(skus),
                )
            )
            if order_id
        )
    return found


def partial_allowed(session: Session, fulfillment_order_ids: Sequence[str]) -> set[str]:
    """The fulfillment orders whose short-stock exception was resolved as 'ship partial' while the
    shortfall lasts (its cause is still live)."""
    if not fulfillment_order_ids:
        return set()
    return {
        subject
        for subject in session.exec(
            select(FloorException.subject).where(
                FloorException.kind == ExceptionKind.SHORT_STOCK,
                FloorException.state == ExceptionState.RESOLVED,
                col(FloorException.cause).is_not(None),
                col(FloorException.resolution).startswith(SHIP_PARTIAL),
                col(FloorException.subject).in_(fulfillment_order_ids),
            )
        )
        if subject
    }


@dataclass
class BatchFit:
    pickable: list[str]  # in the order given
    limits: dict[str, int]  # fulfillment order line -> units the list may take (short ones only)
    refused: dict[str, str]  # fulfillment order -> why it is left out ('short: 3 of 5 orders can ship')


def fit_batch(session: Session, fulfillment_order_ids: Sequence[str]) -> BatchFit:
    """Which of a batch's orders can be picked from the stock there is: a short order waits (flagged)
    unless someone chose to ship it partial, when its lines are capped at what it was allotted."""
    allocations = short_allocations(session, fulfillment_order_ids)
    partial = partial_allowed(session, fulfillment_order_ids)
    refused: dict[str, str] = {}
    allotted: dict[tuple[str, str], int] = {}  # (fulfillment order, SKU) -> units
    for allocation in allocations:
        for ident in fulfillment_order_ids:
            claimant = allocation.of(ident)
            if claimant is None:
                continue
            allotted[(ident, allocation.sku)] = claimant.allotted
            if ident not in partial:
                refused.setdefault(ident, allocation.summary())
    limits: dict[str, int] = {}
    capped = [ident for ident in fulfillment_order_ids if ident not in refused]
    if allotted and capped:
        lines = session.exec(
            select(FulfillmentOrderLineItem)
            .where(col(FulfillmentOrderLineItem.fulfillment_order_id).in_(capped))
            .order_by(col(FulfillmentOrderLineItem.id))
        )
        for line in lines:
            key = (line.fulfillment_order_id, line.sku or "")
            if key in allotted:
                limits[line.id] = min(line.remaining_quantity, allotted[key])
                allotted[key] -= limits[line.id]
    return BatchFit(capped, limits, refused)
