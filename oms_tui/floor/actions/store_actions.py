"""Floor actions that the store must hear about.

Each one changes the cache at once (the station sees it done), records an audit event, and queues an
outbox action for the store, all in the caller's transaction: either all three happen or none.
The outbox pusher (`oms_tui.store.outbox`) delivers the action later, exactly once.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from oms_tui.cache.models import (
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    InventoryLevel,
    LineItem,
    Order,
    OutboxAction,
    Return,
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrderLineItem,
)
from oms_tui.cache.order_tags import refresh_order_tags
from oms_tui.cache.priority import order_priority
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.audit import record_by

HOLD_REASONS = (
    "AWAITING_PAYMENT",
    "HIGH_RISK_OF_FRAUD",
    "INCORRECT_ADDRESS",
    "INVENTORY_OUT_OF_STOCK",
    "UNKNOWN_DELIVERY_DATE",
    "OTHER",
)
CANCEL_REASONS = ("CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "STAFF", "OTHER")
DISPOSITIONS = ("RESTOCKED", "NOT_RESTOCKED", "MISSING", "PROCESSING_REQUIRED")


class Refund(enum.StrEnum):
    """Where a cancelled order's money goes: the person cancelling decides (there is no default)."""

    ORIGINAL = "original"  # back to the original payment methods
    STORE_CREDIT = "store-credit"
    NONE = "none"


class ActionRefused(ValueError):
    """The action does not fit the cached state (nothing was changed)."""


@dataclass(frozen=True)
class Actor:
    station: str
    staff_code: str | None = None


@dataclass(frozen=True)
class Tracking:
    number: str
    company: str | None = None
    url: str | None = None


def ship(
    session: Session,
    actor: Actor,
    fulfillment_order_id: str,
    quantities: dict[str, int] | None = None,
    tracking: Tracking | None = None,
    notify_customer: bool = True,
) -> OutboxAction:
    """Record a shipment of `quantities` (FO line item id -> quantity; None ships everything left)."""
    fo = _fulfillment_order(session, fulfillment_order_id)
    if fo.status not in ("OPEN", "IN_PROGRESS"):
        raise ActionRefused(f"fulfillment order is {fo.status.lower().replace('_', ' ')}: it cannot ship")
    lines = {
        line.id: line
        for line in session.exec(
            select(FulfillmentOrderLineItem).where(FulfillmentOrderLineItem.fulfillment_order_id == fo.id)
        )
    }
    wanted = (
        quantities
        if quantities is not None
        else {ident: line.remaining_quantity for ident, line in lines.items()}
    )
    wanted = {ident: quantity for ident, quantity in wanted.items() if quantity > 0}
    if not wanted:
        raise ActionRefused("nothing to ship: every line is already fulfilled")
    for ident, quantity in wanted.items():
        line = lines.get(ident)
        if line is None:
            raise ActionRefused(f"line {ident} is not on this fulfillment order")
        if quantity > line.remaining_quantity:
            raise ActionRefused(
                f"{line.sku or ident}: {quantity} to ship but only {line.remaining_quantity} left"
            )
    expected_remaining = {
        ident: lines[ident].remaining_quantity - quantity for ident, quantity in wanted.items()
    }
    for ident, quantity in wanted.items():
        line = lines[ident]
        line.remaining_quantity -= quantity
        item = session.get(LineItem, line.line_item_id)
        if item is not None:
            item.unfulfilled_quantity = max(0, item.unfulfilled_quantity - quantity)
    fo.status = "CLOSED" if all(line.remaining_quantity == 0 for line in lines.values()) else "IN_PROGRESS"
    payload = {
        "fulfillmentOrderId": fo.id,
        "lines": [{"id": ident, "quantity": quantity} for ident, quantity in wanted.items()],
        "tracking": {"number": tracking.number, "company": tracking.company, "url": tracking.url}
        if tracking
        else None,
        "notifyCustomer": notify_customer,
        "expectedRemaining": expected_remaining,
    }
    return _queue(session, actor, "fulfill", fo.order_id, fo.id, payload)


def hold(
    session: Session, actor: Actor, fulfillment_order_id: str, reason: str, notes: str = ""
) -> OutboxAction:
    if reason not in HOLD_REASONS:
        raise ActionRefused(f"hold reason must be one of {', '.join(HOLD_REASONS)}")
    fo = _fulfillment_order(session, fulfillment_order_id)
    if fo.status in ("CLOSED", "CANCELLED"):
        raise ActionRefused(f"fulfillment order is {fo.status.lower()}: it cannot be held")
    handle = f"oms-{uuid.uuid4().hex[:16]}"  # makes the hold idempotent at the store
    session.add(
        FulfillmentHold(
            id=f"pending:{handle}",
            fulfillment_order_id=fo.id,
            reason=reason,
            reason_notes=notes,
            handle=handle,
        )
    )
    fo.status = "ON_HOLD"
    payload = {"fulfillmentOrderId": fo.id, "reason": reason, "reasonNotes": notes, "handle": handle}
    return _queue(session, actor, "hold", fo.order_id, fo.id, payload)


def release_hold(session: Session, actor: Actor, fulfillment_order_id: str) -> OutboxAction:
    fo = _fulfillment_order(session, fulfillment_order_id)
    holds = list(session.exec(select(FulfillmentHold).where(FulfillmentHold.fulfillment_order_id == fo.id)))
    if not holds:
        raise ActionRefused("fulfillment order has no hold to release")
    for existing in holds:
        session.delete(existing)
    fo.status = "OPEN"
    payload = {
        "fulfillmentOrderId": fo.id,
        "holdIds": [h.id for h in holds if not h.id.startswith("pending:")],
        "holdHandles": [h.handle for h in holds if h.handle],
    }
    return _queue(session, actor, "release_hold", fo.order_id, fo.id, payload)


def move(session: Session, actor: Actor, fulfillment_order_id: str, location_id: str) -> OutboxAction:
    fo = _fulfillment_order(session, fulfillment_order_id)
    if fo.status in ("CLOSED", "CANCELLED"):
        raise ActionRefused(f"fulfillment order is {fo.status.lower()}: it cannot move")
    if fo.location_id == location_id:
        raise ActionRefused("fulfillment order is already at that location")
    previous, fo.location_id = fo.location_id, location_id
    payload = {"fulfillmentOrderId": fo.id, "newLocationId": location_id, "previousLocationId": previous}
    return _queue(session, actor, "move", fo.order_id, fo.id, payload)


def cancel(
    session: Session,
    actor: Actor,
    order_id: str,
    reason: str,
    *,
    refund: Refund,
    restock: bool,
    notify: bool = True,
    staff_note: str = "",
) -> OutboxAction:
    """Cancel the order; `refund` and `restock` are the canceller's decisions, sent as they are."""
    if reason not in CANCEL_REASONS:
        raise ActionRefused(f"cancel reason must be one of {', '.join(CANCEL_REASONS)}")
    if refund not in set(Refund):
        raise ActionRefused(f"refund must be one of {', '.join(Refund)}")
    order = _order(session, order_id)
    if order.cancelled_at is not None:
        raise ActionRefused(f"{order.name} is already cancelled")
    order.cancelled_at, order.cancel_reason = utcnow(), reason
    payload = {
        "orderId": order.id,
        "reason": reason,
        "refund": str(refund),
        "restock": restock,
        "notifyCustomer": notify,
        "staffNote": staff_note,
    }
    return _queue(session, actor, "cancel", order.id, order.id, payload)


def set_note(session: Session, actor: Actor, order_id: str, note: str) -> OutboxAction:
    order = _order(session, order_id)
    order.note = note
    return _queue(session, actor, "note", order.id, order.id, {"orderId": order.id, "note": note})


def add_tags(session: Session, actor: Actor, order_id: str, tags: list[str]) -> OutboxAction:
    order = _order(session, order_id)
    tags = [tag.strip() for tag in tags if tag.strip()]
    if not tags:
        raise ActionRefused("no tags to add")
    order.tags = list(dict.fromkeys([*order.tags, *tags]))
    order.priority = order_priority(order.tags)
    session.flush()  # the queues' tag filter finds it at once, as the station expects
    refresh_order_tags(session.connection(), [order.id])
    return _queue(session, actor, "tags", order.id, order.id, {"orderId": order.id, "tags": tags})


@dataclass(frozen=True)
class Disposal:
    """Units of one reverse fulfillment order line, and what became of them."""

    line_id: str
    quantity: int
    kind: str  # one of DISPOSITIONS: RESTOCKED (with a location), NOT_RESTOCKED (damaged), MISSING
    location_id: str | None = None


def dispose_return(session: Session, actor: Actor, return_id: str, disposals: list[Disposal]) -> OutboxAction:
    """Record what became of returned units; a restock adds them to the location's stock at once."""
    found = _open_return(session, return_id)
    lines = {
        line.id: line
        for line in session.exec(
            select(ReverseFulfillmentOrderLineItem).where(
                ReverseFulfillmentOrderLineItem.return_id == found.id
            )
        )
    }
    before = {ident: line.disposed_quantity for ident, line in lines.items()}
    if not disposals:
        raise ActionRefused("nothing to dispose")
    for disposal in disposals:
        line = lines.get(disposal.line_id)
        if line is None:
            raise ActionRefused(f"line {disposal.line_id} is not on return {found.name}")
        if disposal.kind not in DISPOSITIONS:
            raise ActionRefused(f"disposition must be one of {', '.join(DISPOSITIONS)}")
        if disposal.kind == "RESTOCKED" and not disposal.location_id:
            raise ActionRefused("a restock needs a location")
        left = line.total_quantity - line.disposed_quantity
        if not 0 < disposal.quantity <= left:
            raise ActionRefused(f"{disposal.quantity} to dispose but {left} left on that line")
        line.disposed_quantity += disposal.quantity
        kept = {"type": disposal.kind, "quantity": disposal.quantity, "locationId": disposal.location_id}
        line.dispositions = [*line.dispositions, kept]  # a new list: JSON columns track assignment
        if disposal.kind == "RESTOCKED":
            _restock(session, line, disposal)
    for rfo in session.exec(
        select(ReverseFulfillmentOrder).where(ReverseFulfillmentOrder.return_id == found.id)
    ):
        if all(
            line.disposed_quantity >= line.total_quantity for line in lines.values() if line.rfo_id == rfo.id
        ):
            rfo.status = "CLOSED"
    payload = {
        "returnId": found.id,
        "dispositions": [
            {
                "reverseFulfillmentOrderLineItemId": d.line_id,
                "quantity": d.quantity,
                "dispositionType": d.kind,
                "locationId": d.location_id,
            }
            for d in disposals
        ],
        "disposedBefore": {d.line_id: before[d.line_id] for d in disposals},
    }
    return _queue(session, actor, "return_dispose", found.order_id, found.id, payload)


def close_return(session: Session, actor: Actor, return_id: str) -> OutboxAction:
    """Close a return whose every unit has been disposed of."""
    found = _open_return(session, return_id)
    left = session.exec(
        select(ReverseFulfillmentOrderLineItem).where(
            ReverseFulfillmentOrderLineItem.return_id == found.id,
            ReverseFulfillmentOrderLineItem.disposed_quantity
            < ReverseFulfillmentOrderLineItem.total_quantity,
        )
    ).first()
    if left is not None:
        raise ActionRefused(f"return {found.name} still has items nobody has handled")
    found.status, found.closed_at = "CLOSED", utcnow()
    return _queue(session, actor, "return_close", found.order_id, found.id, {"returnId": found.id})


def _open_return(session: Session, return_id: str) -> Return:
    found = session.get(Return, return_id)
    if found is None:
        raise ActionRefused(f"unknown return {return_id}")
    if found.status != "OPEN":
        raise ActionRefused(f"return {found.name} is {found.status.lower()}")
    return found


def _restock(session: Session, line: ReverseFulfillmentOrderLineItem, disposal: Disposal) -> None:
    """The cached stock count follows the restock (sync brings the store's own count later)."""
    item = session.get(LineItem, line.line_item_id) if line.line_item_id else None
    if item is None or not item.sku:
        return
    level = session.exec(
        select(InventoryLevel).where(
            InventoryLevel.sku == item.sku, InventoryLevel.location_id == disposal.location_id
        )
    ).first()
    if level is not None:
        level.available += disposal.quantity
        level.on_hand += disposal.quantity


def _queue(
    session: Session, actor: Actor, kind: str, order_id: str, subject: str, payload: dict[str, Any]
) -> OutboxAction:
    action = OutboxAction(
        order_id=order_id,
        kind=kind,
        payload=payload,
        station=actor.station,
        staff_code=actor.staff_code,
    )
    session.add(action)
    record_by(
        session,
        actor,
        action=f"store.{kind}",
        subject=subject,
        **payload,
    )
    return action


def _fulfillment_order(session: Session, ident: str) -> FulfillmentOrder:
    fo = session.get(FulfillmentOrder, ident)
    if fo is None:
        raise ActionRefused(f"unknown fulfillment order {ident}")
    return fo


def _order(session: Session, ident: str) -> Order:
    order = session.get(Order, ident)
    if order is None:
        raise ActionRefused(f"unknown order {ident}")
    return order
