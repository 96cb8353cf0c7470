"""Everything the floor knows about one order, read in one go for the order screen.

Lines come with where to find them (bins and stock at their fulfillment order's location) and how
many are fulfilled and remain; the timeline merges what the store did (as sync saw it: the objects'
own times and the change feed), what this floor did (the audit log: who, at which station) and how
each action fared on its way to the store (the outbox).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from oms_tui.actions.hold import hold_text
from oms_tui.actions.registry import declaration
from oms_tui.cache.enums import OUTBOX_WAITING, OutboxState
from oms_tui.cache.models import (
    AuditEvent,
    BinLocation,
    ChangeFeedEntry,
    Fulfillment,
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    InventoryLevel,
    LineItem,
    Location,
    Order,
    OutboxAction,
    Return,
    Staff,
)
from oms_tui.floor.messages.history import message_text
from oms_tui.floor.orders.lookup import NotFound

TIMELINE_LIMIT = 300  # the newest events; an order rarely has a tenth of that


@dataclass(frozen=True)
class Line:
    title: str
    sku: str
    quantity: int  # ordered, less what was removed from the order
    fulfilled: int
    remaining: int
    location: str
    bins: tuple[str, ...]
    stock: int | None  # available at the location; None when the cache has no level for it


@dataclass(frozen=True)
class Hold:
    reason: str
    notes: str
    pending: bool  # placed here, not yet confirmed by the store


@dataclass(frozen=True)
class FulfillmentOrderView:
    id: str
    status: str
    location_id: str | None
    location: str
    remaining: int
    holds: tuple[Hold, ...]


@dataclass(frozen=True)
class Shipment:
    at: datetime
    status: str
    company: str
    number: str


@dataclass(frozen=True)
class Event:
    at: datetime
    source: str  # store, sync, floor, outbox (delivered or discarded), rejected
    who: str
    what: str


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    lines: list[Line]
    fulfillment_orders: list[FulfillmentOrderView]
    shipments: list[Shipment]
    timeline: list[Event]  # newest first
    waiting: int  # this order's actions not yet known to be at the store
    locations: dict[str, str]  # active locations, id -> name (where an order may move)


def load_order_detail(session: Session, order_id: str) -> OrderDetail:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"no order {order_id} in the cache")
    fos = list(
        session.exec(
            select(FulfillmentOrder)
            .where(FulfillmentOrder.order_id == order.id)
            .order_by(col(FulfillmentOrder.created_at), col(FulfillmentOrder.id))
        )
    )
    fo_ids = [fo.id for fo in fos]
    fo_lines = list(
        session.exec(
            select(FulfillmentOrderLineItem).where(
                col(FulfillmentOrderLineItem.fulfillment_order_id).in_(fo_ids)
            )
        )
    )
    holds: dict[str, list[FulfillmentHold]] = {}
    for hold in session.exec(
        select(FulfillmentHold).where(col(FulfillmentHold.fulfillment_order_id).in_(fo_ids))
    ):
        holds.setdefault(hold.fulfillment_order_id, []).append(hold)
    locations = {loc.id: loc for loc in session.exec(select(Location))}
    fulfillments = list(
        session.exec(
            select(Fulfillment).where(Fulfillment.order_id == order.id).order_by(col(Fulfillment.created_at))
        )
    )
    outbox = list(
        session.exec(
            select(OutboxAction).where(OutboxAction.order_id == order.id).order_by(col(OutboxAction.id))
        )
    )
    views = [_fulfillment_order_view(fo, fo_lines, holds.get(fo.id, []), locations) for fo in fos]
    return OrderDetail(
        order=order,
        lines=_lines(session, order, fos, fo_lines, locations),
        fulfillment_orders=views,
        shipments=[
            Shipment(f.created_at, f.status, f.tracking_company or "", f.tracking_number or "")
            for f in fulfillments
        ],
        timeline=_timeline(session, order, fos, fulfillments, holds, outbox, locations),
        waiting=sum(action.state in OUTBOX_WAITING for action in outbox),
        locations={loc.id: loc.name for loc in locations.values() if loc.is_active},
    )


def _fulfillment_order_view(
    fo: FulfillmentOrder,
    fo_lines: list[FulfillmentOrderLineItem],
    holds: list[FulfillmentHold],
    locations: dict[str, Location],
) -> FulfillmentOrderView:
    return FulfillmentOrderView(
        id=fo.id,
        status=fo.status,
        location_id=fo.location_id,
        location=_location_name(fo, locations),
        remaining=sum(line.remaining_quantity for line in fo_lines if line.fulfillment_order_id == fo.id),
        holds=tuple(
            Hold(hold.reason, hold.reason_notes or "", hold.id.startswith("pending:")) for hold in holds
        ),
    )


def _location_name(fo: FulfillmentOrder, locations: dict[str, Location]) -> str:
    """The current location's name: a move recorded here changes the id before sync renames it."""
    known = locations.get(fo.location_id or "")
    return known.name if known is not None else (fo.location_name or "")


def _lines(
    session: Session,
    order: Order,
    fos: list[FulfillmentOrder],
    fo_lines: list[FulfillmentOrderLineItem],
    locations: dict[str, Location],
) -> list[Line]:
    items = list(
        session.exec(select(LineItem).where(LineItem.order_id == order.id).order_by(col(LineItem.position)))
    )
    by_fo = {fo.id: fo for fo in fos}
    # A line split over several fulfillment orders is looked for where most of it remains.
    where: dict[str, FulfillmentOrder] = {}
    for line in sorted(fo_lines, key=lambda line: line.remaining_quantity):
        if line.fulfillment_order_id in by_fo:
            where[line.line_item_id] = by_fo[line.fulfillment_order_id]
    skus = [item.sku for item in items if item.sku]
    location_ids = {fo.location_id for fo in fos if fo.location_id}
    bins: dict[tuple[str, str], list[str]] = {}
    for bin_ in session.exec(
        select(BinLocation)
        .where(col(BinLocation.sku).in_(skus), col(BinLocation.location_id).in_(location_ids))
        .order_by(col(BinLocation.code))
    ):
        bins.setdefault((bin_.location_id, bin_.sku), []).append(bin_.code)
    stock = {
        (level.location_id, level.sku): level.available
        for level in session.exec(
            select(InventoryLevel).where(
                col(InventoryLevel.sku).in_(skus), col(InventoryLevel.location_id).in_(location_ids)
            )
        )
    }
    lines = []
    for item in items:
        fo = where.get(item.id)
        key = (fo.location_id or "" if fo else "", item.sku or "")
        lines.append(
            Line(
                title=item.title,
                sku=item.sku or "",
                quantity=item.current_quantity,
                fulfilled=item.current_quantity - item.unfulfilled_quantity,
                remaining=item.unfulfilled_quantity,
                location=_location_name(fo, locations) if fo else "",
                bins=tuple(bins.get(key, ())),
                stock=stock.get(key),
            )
        )
    return lines


def _timeline(
    session: Session,
    order: Order,
    fos: list[FulfillmentOrder],
    fulfillments: list[Fulfillment],
    holds: dict[str, list[FulfillmentHold]],
    outbox: list[OutboxAction],
    locations: dict[str, Location],
) -> list[Event]:
    events = [Event(order.created_at, "store", "", "order placed")]
    for shipment in fulfillments:
        tracking = " ".join(filter(None, (shipment.tracking_company, shipment.tracking_number)))
        what = "shipped" if shipment.status == "SUCCESS" else f"shipment {shipment.status.lower()}"
        events.append(Event(shipment.created_at, "store", "", f"{what} {tracking}".strip()))
    if order.cancelled_at is not None:
        reason = f" ({order.cancel_reason.lower()})" if order.cancel_reason else ""
        events.append(Event(order.cancelled_at, "store", "", f"order cancelled{reason}"))
    for fo in fos:
        for hold in holds.get(fo.id, []):
            if not hold.id.startswith("pending:"):  # a hold placed here is in the audit log
                events.append(
                    Event(fo.updated_at, "store", "", f"on hold: {hold_text(hold.reason, hold.reason_notes)}")
                )
    subjects = [order.id, *(fo.id for fo in fos)]
    returns = session.exec(select(Return.id).where(Return.order_id == order.id)).all()  # received here
    names = {
        order.id: "order",
        **{fo.id: f"fulfillment order at {_location_name(fo, locations)}" for fo in fos},
    }
    for entry in session.exec(
        select(ChangeFeedEntry)
        .where(col(ChangeFeedEntry.object_id).in_(subjects))
        .order_by(col(ChangeFeedEntry.id).desc())
        .limit(TIMELINE_LIMIT)
    ):
        seen = "first synced" if entry.change == "created" else "changed at the store"
        events.append(Event(entry.at, "sync", "", f"{names[entry.object_id]} {seen}"))
    audit = list(
        session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.subject).in_([*subjects, *returns]))
            .order_by(col(AuditEvent.id).desc())
            .limit(TIMELINE_LIMIT)
        )
    )
    staff = {
        person.code: person.name
        for person in session.exec(
            select(Staff).where(
                col(Staff.code).in_({event.staff_code for event in audit if event.staff_code})
            )
        )
    }
    for event in audit:
        who = staff.get(event.staff_code or "", event.staff_code or "nobody signed in")
        events.append(Event(event.at, "floor", f"{who} @ {event.station}", _describe(event, locations)))
    for action in outbox:
        label = _label(action.kind)
        if action.state == OutboxState.DONE:
            events.append(Event(action.updated_at, "outbox", "", f"store confirmed the {label}"))
        elif action.state == OutboxState.FAILED:
            what = f"store rejected the {label}: {action.last_error}"
            events.append(Event(action.updated_at, "rejected", "", what))
        elif action.state == OutboxState.DISCARDED:
            events.append(Event(action.updated_at, "outbox", "", f"{label} discarded, never sent"))
    events.sort(key=lambda event: event.at, reverse=True)
    return events[:TIMELINE_LIMIT]


def _label(kind: str) -> str:
    """A kind's name on the timeline; one this version does not know reads as itself."""
    try:
        return declaration(kind).label
    except ValueError:
        return kind.replace("_", " ")


def _describe(event: AuditEvent, locations: dict[str, Location]) -> str:
    """An audit event in words; actions no declaration knows read as their name."""
    if event.action.startswith("store."):
        try:
            declared = declaration(event.action.removeprefix("store."))
            details = {key: value for key, value in event.details.items() if key != "approvedBy"}
            what = declared.timeline(
                declared.read(details), {ident: loc.name for ident, loc in locations.items()}
            )
        except (ValueError, ValidationError):  # an older or unknown shape: said plainly, never a crash
            what = event.action.removeprefix("store.").replace("_", " ")
        approver = event.details.get("approvedBy")
        return f"{what} (approved by {approver})" if approver else what
    if event.action.startswith("claim."):
        return _claim_text(event.action, event.details)
    if event.action.startswith("message."):
        return message_text(event.action, event.details)
    if event.action == "rule.fired":  # a manager's rule in the settings
        return f"rule {event.details.get('rule')!r}: {'; '.join(event.details.get('did') or [])}"
    return event.action.replace("_", " ").replace(".", ": ")


def _claim_text(action: str, details: dict[str, Any]) -> str:
    if action == "claim.take":
        return "claimed"
    if action == "claim.release":
        return "released the claim"
    earlier = f"{details.get('from_staff')} at {details.get('from_station')}"
    if action == "claim.take_over":
        return f"took over from {earlier}" + (" (lapsed)" if details.get("lapsed") else "")
    if action == "claim.reassign":
        to = f"{details.get('to_staff')} at {details.get('to_station')}"
        return f"reassigned to {to}" + (f", from {earlier}" if details.get("from_staff") else "")
    return action.replace("_", " ").replace(".", ": ")
