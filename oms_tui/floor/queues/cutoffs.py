"""Carrier cut-offs on the floor: the orders due before each carrier's next collection, and those
that will not make it at the rate the floor picks.

Orders come from the open fulfillment orders (the stage index: the floor's backlog, not the shop's
history), so it costs the same at a million orders as at a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from oms_tui.cache.models import FulfillmentOrder, Order, PickList, PickListLine
from oms_tui.cache.ship_by import ShipByPolicy

OPEN = ("OPEN", "IN_PROGRESS")
RATE_WINDOW = timedelta(hours=1)  # the pick rate: orders picked over the last hour
WARN_BEFORE = timedelta(hours=1)  # an order that cannot make a cut-off is an exception this long before


@dataclass(frozen=True)
class DueOrder:
    order_id: str
    name: str
    ship_by: datetime
    priority: int


@dataclass(frozen=True)
class CarrierCutoff:
    carrier: str
    cutoff: datetime  # the next collection, in UTC
    due: list[DueOrder]  # still to ship by then, in queue order

    def left(self, now: datetime) -> timedelta:
        return self.cutoff - now


def next_cutoffs(session: Session, policy: ShipByPolicy, now: datetime) -> list[CarrierCutoff]:
    """Each carrier's next cut-off (the earliest of its methods'), with the open orders due by it."""
    by_carrier: dict[str, tuple[datetime, list[str]]] = {}
    for name, promise in policy.methods.items():
        cutoff = policy.next_cutoff(now, promise)
        if cutoff is None:
            continue
        earliest, names = by_carrier.get(promise.carrier, (cutoff, []))
        by_carrier[promise.carrier] = (min(earliest, cutoff), [*names, name])
    found = []
    for carrier, (cutoff, names) in sorted(by_carrier.items(), key=lambda item: (item[1][0], item[0])):
        rows = session.exec(
            select(Order.id, Order.name, Order.ship_by, Order.priority)
            .where(
                col(Order.id).in_(
                    select(FulfillmentOrder.order_id).where(col(FulfillmentOrder.status).in_(OPEN))
                ),
                col(Order.cancelled_at).is_(None),
                col(Order.ship_by) <= cutoff,
                func.lower(Order.shipping_method).in_(names),
            )
            .order_by(col(Order.priority), col(Order.ship_by), col(Order.id))
        )
        found.append(CarrierCutoff(carrier, cutoff, [DueOrder(*row) for row in rows]))
    return found


def pick_rate(session: Session, now: datetime) -> float:
    """Orders (fulfillment orders) the floor picked in the last hour, per hour."""
    picked = session.exec(
        select(func.count(func.distinct(PickListLine.fulfillment_order_id)))
        .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
        .where(col(PickList.completed_at) > now - RATE_WINDOW, col(PickList.completed_at) <= now)
    ).one()
    return picked / (RATE_WINDOW.total_seconds() / 3600)


def will_miss(cutoff: CarrierCutoff, rate: float, now: datetime) -> list[DueOrder]:
    """Within `WARN_BEFORE` of the cut-off: the orders due by it beyond what the floor picks by then
    at `rate` (the first in queue order are picked first)."""
    left = cutoff.left(now)
    if left > WARN_BEFORE or left <= timedelta(0):
        return []
    can_pick = int(rate * left.total_seconds() / 3600)
    return cutoff.due[can_pick:]
