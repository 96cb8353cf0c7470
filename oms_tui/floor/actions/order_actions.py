"""Floor actions on a whole order, for people who name an order rather than a fulfillment order.

An order may have several fulfillment orders (split by location, by a partial hold, by a move); each
action here applies `store_actions` to the ones it fits and refuses, changing nothing, when none fits.
Everything happens in the caller's transaction.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from oms_tui.cache.models import (
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    Location,
    Order,
    OutboxAction,
)
from oms_tui.floor.actions import store_actions
from oms_tui.floor.actions.store_actions import ActionRefused, Actor, Tracking

OPEN = ("OPEN", "IN_PROGRESS")  # what can ship, be held or move
LINE_GID = "gid://shopify/FulfillmentOrderLineItem/"


def ship(
    session: Session,
    actor: Actor,
    order: Order,
    lines: list[tuple[str, int]] | None = None,
    tracking: Tracking | None = None,
    notify_customer: bool = True,
) -> list[OutboxAction]:
    """Ship `lines` ((SKU or fulfillment order line id, quantity) pairs), or everything left to ship."""
    fos = _fulfillment_orders(session, order)
    open_fos = {fo.id for fo in fos if fo.status in OPEN}
    fo_lines = _lines(session, [fo.id for fo in fos])
    shipments: list[tuple[str, dict[str, int] | None]]
    if lines is None:
        left = {line.fulfillment_order_id for line in fo_lines if line.remaining_quantity}
        shipments = [(fo.id, None) for fo in fos if fo.id in open_fos & left]
        if not shipments:
            raise ActionRefused(f"{order.name} has nothing to ship{_held_hint(fos)}")
    else:
        picked: dict[str, dict[str, int]] = {}
        for key, quantity in lines:
            line = _line(order, key, fo_lines, open_fos, fos)
            shipping = picked.setdefault(line.fulfillment_order_id, {})
            if line.id in shipping:
                raise ActionRefused(f"{key} is named twice: give its whole quantity once")
            shipping[line.id] = quantity
        shipments = [(fo.id, picked[fo.id]) for fo in fos if fo.id in picked]
    return [
        store_actions.ship(session, actor, fo_id, quantities, tracking, notify_customer)
        for fo_id, quantities in shipments
    ]


def hold(session: Session, actor: Actor, order: Order, reason: str, notes: str = "") -> list[OutboxAction]:
    fos = _fulfillment_orders(session, order)
    holding = [fo for fo in fos if fo.status in OPEN]
    if not holding:
        raise ActionRefused(f"{order.name} has no open fulfillment order to hold{_held_hint(fos)}")
    return [store_actions.hold(session, actor, fo.id, reason, notes) for fo in holding]


def release(session: Session, actor: Actor, order: Order) -> list[OutboxAction]:
    fos = _fulfillment_orders(session, order)
    held = set(
        session.exec(
            select(FulfillmentHold.fulfillment_order_id).where(
                col(FulfillmentHold.fulfillment_order_id).in_([fo.id for fo in fos])
            )
        )
    )
    if not held:
        raise ActionRefused(f"{order.name} has no hold to release")
    return [store_actions.release_hold(session, actor, fo.id) for fo in fos if fo.id in held]


def move(session: Session, actor: Actor, order: Order, location: Location) -> list[OutboxAction]:
    fos = [fo for fo in _fulfillment_orders(session, order) if fo.status in OPEN]
    if not fos:
        raise ActionRefused(f"{order.name} has no open fulfillment order to move")
    moving = [fo for fo in fos if fo.location_id != location.id]
    if not moving:
        raise ActionRefused(f"{order.name} is already at {location.name}")
    return [store_actions.move(session, actor, fo.id, location.id) for fo in moving]


def _fulfillment_orders(session: Session, order: Order) -> list[FulfillmentOrder]:
    return list(
        session.exec(
            select(FulfillmentOrder)
            .where(FulfillmentOrder.order_id == order.id)
            .order_by(col(FulfillmentOrder.created_at), col(FulfillmentOrder.id))
        )
    )


def _lines(session: Session, fo_ids: list[str]) -> list[FulfillmentOrderLineItem]:
    return list(
        session.exec(
            select(FulfillmentOrderLineItem)
            .where(col(FulfillmentOrderLineItem.fulfillment_order_id).in_(fo_ids))
            .order_by(col(FulfillmentOrderLineItem.id))
        )
    )


def _line(
    order: Order,
    key: str,
    fo_lines: list[FulfillmentOrderLineItem],
    open_fos: set[str],
    fos: list[FulfillmentOrder],
) -> FulfillmentOrderLineItem:
    """The one open fulfillment order line that `key` (a SKU or a line id) names."""
    named = [line for line in fo_lines if (line.id if key.startswith(LINE_GID) else line.sku) == key]
    if not named:
        raise ActionRefused(f"{key} is not on {order.name}")
    shippable = [line for line in named if line.fulfillment_order_id in open_fos and line.remaining_quantity]
    if not shippable:
        held = {fo.id for fo in fos if fo.status == "ON_HOLD"}
        if any(line.fulfillment_order_id in held and line.remaining_quantity for line in named):
            raise ActionRefused(f"{key} on {order.name} is on hold")
        raise ActionRefused(f"{key} on {order.name}: nothing left to ship")
    if len(shippable) > 1:
        ids = ", ".join(line.id for line in shippable)
        raise ActionRefused(
            f"{key} is on {len(shippable)} open lines of {order.name}: name one by id ({ids})"
        )
    return shippable[0]


def _held_hint(fos: list[FulfillmentOrder]) -> str:
    return " (it is on hold)" if any(fo.status == "ON_HOLD" for fo in fos) else ""
