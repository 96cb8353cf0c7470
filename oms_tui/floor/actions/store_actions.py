"""Floor actions that the store must hear about: their effect on the cache.

Each one changes the cache at once (the station sees it done), records an audit event, and queues an
outbox action for the store, all in the caller's transaction: either all three happen or none. Each
action is checked, then recorded, then applied, so a refusal raises before anything changes. Who may
do it is checked in `_queue`, the one way an action is recorded, for the app and the CLI alike. What
each kind is (payload, permission, request, evidence check) is declared in `oms_tui.actions`; the
outbox pusher delivers it later, exactly once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import Session, col, select

from oms_tui.actions.base import P, Payload
from oms_tui.actions.cancel import CancelPayload, CancelReason, Refund
from oms_tui.actions.fulfill import FulfillPayload
from oms_tui.actions.hold import HoldPayload, HoldReason
from oms_tui.actions.message_note import MessageNotePayload, appended
from oms_tui.actions.move import MovePayload
from oms_tui.actions.note import NotePayload
from oms_tui.actions.permissions import ActionRefused, require
from oms_tui.actions.registry import declared_for
from oms_tui.actions.release_hold import ReleasePayload
from oms_tui.actions.return_close import ClosePayload
from oms_tui.actions.return_dispose import DisposePayload, DispositionType
from oms_tui.actions.shipment_receive import ReceivePayload
from oms_tui.actions.tags import TagsPayload
from oms_tui.actions.text_rules import split_tags
from oms_tui.cache.models import (
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    InventoryLevel,
    LineItem,
    Order,
    OutboxAction,
    PickList,
    PickListLine,
    Return,
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrderLineItem,
    Staff,
)
from oms_tui.cache.order_tags import refresh_order_tags
from oms_tui.cache.priority import order_priority
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.actor import Actor
from oms_tui.floor.actions.audit import record_by

HOLD_REASONS = tuple(HoldReason)
CANCEL_REASONS = tuple(CancelReason)
DISPOSITIONS = tuple(DispositionType)


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
    payload = _payload(
        FulfillPayload,
        fulfillment_order_id=fo.id,
        lines=[{"id": ident, "quantity": quantity} for ident, quantity in wanted.items()],
        tracking={"number": tracking.number, "company": tracking.company, "url": tracking.url}
        if tracking
        else None,
        notify_customer=notify_customer,
        expected_remaining=expected_remaining,
    )
    action = _queue(session, actor, fo.order_id, fo.id, payload)
    for ident, quantity in wanted.items():
        line = lines[ident]
        line.remaining_quantity -= quantity
        item = session.get(LineItem, line.line_item_id)
        if item is not None:
            item.unfulfilled_quantity = max(0, item.unfulfilled_quantity - quantity)
    fo.status = "CLOSED" if all(line.remaining_quantity == 0 for line in lines.values()) else "IN_PROGRESS"
    _off_pick_lists(session, fo.id, wanted)
    return action


def _off_pick_lists(session: Session, fo_id: str, shipped: dict[str, int]) -> None:
    """Picked units that ship leave their pick lists' totes: what a partial shipment leaves open is
    then picked again, not packed from a tote already emptied."""
    rows = session.exec(
        select(PickListLine)
        .join(PickList, col(PickList.id) == PickListLine.pick_list_id)
        .where(
            PickListLine.fulfillment_order_id == fo_id,
            col(PickList.state).in_(("open", "done")),
            col(PickListLine.withdrawn).is_(None),
            col(PickListLine.shipped) < PickListLine.picked,
        )
        .order_by(col(PickListLine.id))
    )
    left = dict(shipped)
    for row in rows:
        line = row.fulfillment_order_line_item_id
        taken = min(left.get(line, 0), row.picked - row.shipped)
        row.shipped += taken
        left[line] = left.get(line, 0) - taken


def hold(
    session: Session, actor: Actor, fulfillment_order_id: str, reason: str, notes: str = ""
) -> OutboxAction:
    if reason not in HOLD_REASONS:
        raise ActionRefused(f"hold reason must be one of {', '.join(HOLD_REASONS)}")
    fo = _fulfillment_order(session, fulfillment_order_id)
    if fo.status in ("CLOSED", "CANCELLED"):
        raise ActionRefused(f"fulfillment order is {fo.status.lower()}: it cannot be held")
    handle = f"oms-{uuid.uuid4().hex[:16]}"  # makes the hold idempotent at the store
    payload = _payload(
        HoldPayload, fulfillment_order_id=fo.id, reason=reason, reason_notes=notes, handle=handle
    )
    action = _queue(session, actor, fo.order_id, fo.id, payload)
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
    return action


def release_hold(session: Session, actor: Actor, fulfillment_order_id: str) -> OutboxAction:
    fo = _fulfillment_order(session, fulfillment_order_id)
    holds = list(session.exec(select(FulfillmentHold).where(FulfillmentHold.fulfillment_order_id == fo.id)))
    if not holds:
        raise ActionRefused("fulfillment order has no hold to release")
    payload = _payload(
        ReleasePayload,
        fulfillment_order_id=fo.id,
        hold_ids=[h.id for h in holds if not h.id.startswith("pending:")],
        hold_handles=[h.handle for h in holds if h.handle],
        hold_reasons=sorted({h.reason for h in holds}),
    )
    action = _queue(session, actor, fo.order_id, fo.id, payload)
    for existing in holds:
        session.delete(existing)
    fo.status = "OPEN"
    return action


def move(session: Session, actor: Actor, fulfillment_order_id: str, location_id: str) -> OutboxAction:
    fo = _fulfillment_order(session, fulfillment_order_id)
    if fo.status in ("CLOSED", "CANCELLED"):
        raise ActionRefused(f"fulfillment order is {fo.status.lower()}: it cannot move")
    if fo.location_id == location_id:
        raise ActionRefused("fulfillment order is already at that location")
    payload = _payload(
        MovePayload,
        fulfillment_order_id=fo.id,
        new_location_id=location_id,
        previous_location_id=fo.location_id,
    )
    action = _queue(session, actor, fo.order_id, fo.id, payload)
    fo.location_id = location_id
    return action


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
    payload = _payload(
        CancelPayload,
        order_id=order.id,
        reason=reason,
        refund=refund,
        restock=restock,
        notify_customer=notify,
        staff_note=staff_note,
    )
    action = _queue(session, actor, order.id, order.id, payload)
    order.cancelled_at, order.cancel_reason = utcnow(), reason
    return action


def set_note(session: Session, actor: Actor, order_id: str, note: str) -> OutboxAction:
    order = _order(session, order_id)
    payload = _payload(NotePayload, order_id=order.id, note=note, previous=order.note or "")
    action = _queue(session, actor, order.id, order.id, payload)
    order.note = note
    return action


def append_note(session: Session, actor: Actor, order_id: str, line: str) -> OutboxAction:
    """Add `line` below the order's note (here at once; at the store below whatever its note is then)."""
    order = _order(session, order_id)
    payload = _payload(MessageNotePayload, order_id=order.id, line=line)
    action = _queue(session, actor, order.id, order.id, payload)
    order.note = appended(order.note, line)
    return action


def add_tags(session: Session, actor: Actor, order_id: str, tags: list[str]) -> OutboxAction:
    """Add tags (each may be typed as "rush, gift": split on commas, as Shopify splits them)."""
    order = _order(session, order_id)
    try:
        tags = list(dict.fromkeys(tag for text in tags for tag in split_tags(text)))
    except ValueError as exc:
        raise ActionRefused(str(exc)) from None
    if not tags:
        raise ActionRefused("no tags to add")
    payload = _payload(TagsPayload, order_id=order.id, tags=tags)
    action = _queue(session, actor, order.id, order.id, payload)
    order.tags = list(dict.fromkeys([*order.tags, *tags]))
    order.priority = order_priority(order.tags)
    session.flush()  # the queues' tag filter finds it at once, as the station expects
    refresh_order_tags(session.connection(), [order.id])
    return action


@dataclass(frozen=True)
class Disposal:
    """Units of one reverse fulfillment order line, and what became of them."""

    line_id: str
    quantity: int
    kind: str  # a DispositionType: RESTOCKED (with a location), NOT_RESTOCKED (damaged), MISSING
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
    planned: dict[str, int] = {}  # units this call disposes per line, checked before anything changes
    for disposal in disposals:
        line = lines.get(disposal.line_id)
        if line is None:
            raise ActionRefused(f"line {disposal.line_id} is not on return {found.name}")
        if disposal.kind not in DISPOSITIONS:
            raise ActionRefused(f"disposition must be one of {', '.join(DISPOSITIONS)}")
        if disposal.kind == "RESTOCKED" and not disposal.location_id:
            raise ActionRefused("a restock needs a location")
        left = line.total_quantity - line.disposed_quantity - planned.get(line.id, 0)
        if not 0 < disposal.quantity <= left:
            raise ActionRefused(f"{disposal.quantity} to dispose but {left} left on that line")
        planned[line.id] = planned.get(line.id, 0) + disposal.quantity
    payload = _payload(
        DisposePayload,
        return_id=found.id,
        dispositions=[
            {
                "reverse_fulfillment_order_line_item_id": d.line_id,
                "quantity": d.quantity,
                "disposition_type": d.kind,
                "location_id": d.location_id,
            }
            for d in disposals
        ],
        disposed_before={d.line_id: before[d.line_id] for d in disposals},
    )
    action = _queue(session, actor, found.order_id, found.id, payload)
    for disposal in disposals:
        line = lines[disposal.line_id]
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
    return action


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
    action = _queue(session, actor, found.order_id, found.id, _payload(ClosePayload, return_id=found.id))
    found.status, found.closed_at = "CLOSED", utcnow()
    return action


def receive_shipment(session: Session, actor: Actor, shipment_id: str, **fields: object) -> OutboxAction:
    """Queue a shipment's receipt for the store; its local effect (the shipment's lines, the stock,
    the bins) is `floor.inbound.receiving`'s. The shipment stands in the order's place in the outbox."""
    payload = _payload(ReceivePayload, shipment_id=shipment_id, **fields)
    return _queue(session, actor, shipment_id, shipment_id, payload)


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


def _payload(model: type[P], **fields: object) -> P:
    """The kind's payload, validated as it is recorded: bad input is one line and records nothing."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise ActionRefused(
            f"{where}: {problem['msg'].removeprefix('Value error, ')}" if where else problem["msg"]
        ) from None


def record_action(
    session: Session, actor: Actor, order_id: str, subject: str, model: type[P], **fields: object
) -> OutboxAction:
    """Record an action of a kind declared elsewhere (the label workflow's): its payload validated,
    its permission checked and its audit event written, like every action here."""
    return _queue(session, actor, order_id, subject, _payload(model, **fields))


def _queue(session: Session, actor: Actor, order_id: str, subject: str, payload: Payload) -> OutboxAction:
    """Record the action for the store, once the actor may do it (or a manager approved it)."""
    declared = declared_for(payload)
    staff = _person(session, actor.staff_code)
    approver = _person(session, actor.approved_by) if actor.approved_by else None
    require(staff, declared.required(payload), approver)
    action = OutboxAction(
        order_id=order_id,
        kind=declared.kind,
        payload=payload.as_json(),
        station=actor.station,
        staff_code=actor.staff_code,
    )
    session.add(action)
    approval = {"approvedBy": actor.approved_by} if actor.approved_by else {}
    record_by(
        session, actor, action=f"store.{declared.kind}", subject=subject, **payload.as_json(), **approval
    )
    return action


def _person(session: Session, code: str | None) -> Staff | None:
    """The person with this code (None: nobody signed in); refused when unknown."""
    if code is None:
        return None
    person = session.get(Staff, code)
    if person is None:
        raise ActionRefused(f"unknown staff code {code!r}")
    return person


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
