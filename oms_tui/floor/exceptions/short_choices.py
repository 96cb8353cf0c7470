"""What a person does with work flagged short of stock: hold it as out of stock, move it to a
location that has the stock, or ship it partial (its pick list then takes what it was allotted).

Each choice is the existing floor action (a hold, a move) or a resolution the pick batch reads
(`short_stock.SHIP_PARTIAL`), and closes the exception saying which, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from oms_tui.cache.enums import ExceptionKind
from oms_tui.cache.models import (
    FloorException,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    InventoryLevel,
    Location,
    Order,
)
from oms_tui.floor.actions import order_actions
from oms_tui.floor.actions.store_actions import ActionRefused, Actor
from oms_tui.floor.allocation.short_stock import FOR_ORDERS, SHIP_PARTIAL
from oms_tui.floor.exceptions.records import ExceptionRefused, resolve

OUT_OF_STOCK = "INVENTORY_OUT_OF_STOCK"  # Shopify's FulfillmentHoldReason


@dataclass(frozen=True)
class ShortChoice:
    value: str  # "hold", "partial", or "move:<location id>"
    label: str


def choices(session: Session, exception_id: int) -> list[ShortChoice]:
    """The choices for a short-stock exception: a move is offered to each location with enough stock."""
    row = _short_row(session, exception_id)
    offered = [ShortChoice("hold", "Hold it as out of stock (INVENTORY_OUT_OF_STOCK)")]
    offered += [
        ShortChoice(f"move:{location.id}", f"Move it to {location.name} (stock there)")
        for location in locations_with_stock(session, row.subject or "")
    ]
    offered.append(ShortChoice("partial", "Ship it partial: what is there now, the rest later"))
    return offered


def locations_with_stock(session: Session, fulfillment_order_id: str) -> list[Location]:
    """Other active locations whose stock on hand covers every line the fulfillment order has left
    (their own open work aside: a move is a person's call, the next pass re-allocates)."""
    needs = dict(
        session.execute(
            select(FulfillmentOrderLineItem.sku, func.sum(FulfillmentOrderLineItem.remaining_quantity))
            .where(FulfillmentOrderLineItem.fulfillment_order_id == fulfillment_order_id)
            .where(col(FulfillmentOrderLineItem.remaining_quantity) > 0)
            .group_by(col(FulfillmentOrderLineItem.sku))
        ).all()
    )
    skus = [sku for sku in needs if sku]
    if not skus:
        return []
    stock: dict[str, dict[str, int]] = {}
    for sku, location, units in session.execute(
        select(InventoryLevel.sku, InventoryLevel.location_id, FOR_ORDERS).where(
            col(InventoryLevel.sku).in_(skus)
        )
    ):
        stock.setdefault(location, {})[sku] = units
    fo = session.get(FulfillmentOrder, fulfillment_order_id)
    here = fo.location_id if fo else None
    return [
        location
        for location in session.exec(
            select(Location).where(col(Location.is_active), col(Location.id).in_(list(stock)))
        )
        if location.id != here and all(stock[location.id].get(sku, 0) >= needs[sku] for sku in skus)
    ]


def choose(session: Session, actor: Actor, exception_id: int, value: str) -> str:
    """Carry out a choice; returns what was done, in words (the exception's resolution)."""
    if actor.staff_code is None:
        raise ExceptionRefused("sign in first: a choice is a person's")
    row = _short_row(session, exception_id)
    order = session.get(Order, row.order_id) if row.order_id else None
    if order is None:
        raise ExceptionRefused("the order of this exception is not in the cache")
    try:
        if value == "hold":
            order_actions.hold(session, actor, order, OUT_OF_STOCK, row.message)
            note = "held: out of stock"
        elif value.startswith("move:"):
            location = session.get(Location, value.removeprefix("move:"))
            if location is None:
                raise ExceptionRefused("no such location")
            order_actions.move(session, actor, order, location)
            note = f"moved to {location.name}"
        elif value == "partial":
            note = f"{SHIP_PARTIAL}: {row.message}"
        else:
            raise ExceptionRefused(f"not a choice: {value}")
    except ActionRefused as exc:
        raise ExceptionRefused(str(exc)) from None
    resolve(session, exception_id, staff_code=actor.staff_code, station=actor.station, note=note)
    return note


def _short_row(session: Session, exception_id: int) -> FloorException:
    row = session.get(FloorException, exception_id)
    if row is None or row.kind != ExceptionKind.SHORT_STOCK:
        raise ExceptionRefused(f"exception {exception_id} is not about short stock")
    return row
