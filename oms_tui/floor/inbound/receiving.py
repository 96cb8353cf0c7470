"""Receiving an inbound shipment at the dock: scan a bin, then the units (or a SKU and how many) that
go in it; a line's units may be rejected instead, with the reason. Partial receipts are fine (what
is not counted stays expected); units beyond what a line still expects are an over-receipt, refused
unless a manager accepts them.

The receipt is kept in the cache as it is counted (`InboundReceipt`), so a station that restarts
resumes it. Finishing it sends what was received to the store once (`inventory_shipment_receive`)
and applies it here at once: the shipment's lines, the location's stock and our bins.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, or_, select

from oms_tui.actions.permissions import NotPermitted, Permission, require
from oms_tui.cache.enums import BinRole, ReceivingState
from oms_tui.cache.models import (
    BinLocation,
    BinStock,
    InboundReceipt,
    InboundReceiptLine,
    InventoryLevel,
    InventoryShipment,
    InventoryShipmentLine,
    LineItem,
    OutboxAction,
    Staff,
)
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.audit import record_by
from oms_tui.floor.actions.store_actions import Actor, receive_shipment

RECEIVABLE = ("IN_TRANSIT", "PARTIALLY_RECEIVED")
REJECT_REASONS = ("damaged", "wrong item", "expired", "not ordered", "other")
MAX_UNITS = 10_000  # one typed number; more is a typo


class ReceiveRefused(ValueError):
    """The step does not fit the receipt (nothing was changed)."""


class OverReceipt(ReceiveRefused):
    """More units than the line still expects: a manager may accept them."""

    def __init__(self, message: str, sku: str, quantity: int) -> None:
        super().__init__(message)
        self.sku, self.quantity = sku, quantity


@dataclass(frozen=True)
class ReceiptLine:
    line_id: str
    sku: str | None
    title: str
    shipped: int
    had_accepted: int  # at the store before this receipt
    had_rejected: int
    accepted: int  # by this receipt
    rejected: int
    bins: tuple[tuple[str, int], ...]  # where this receipt put the accepted units
    reasons: tuple[str, ...]  # why units were rejected

    @property
    def expected(self) -> int:
        return max(self.shipped - self.had_accepted - self.had_rejected, 0)

    @property
    def counted(self) -> int:
        return self.accepted + self.rejected

    @property
    def left(self) -> int:
        return max(self.expected - self.counted, 0)

    @property
    def over(self) -> int:
        return max(self.counted - self.expected, 0)


@dataclass(frozen=True)
class Receipt:
    id: int
    shipment_id: str
    shipment_name: str
    transfer_name: str
    origin: str
    location_id: str | None
    location_name: str
    staff_code: str
    state: ReceivingState
    lines: tuple[ReceiptLine, ...]

    @property
    def counted(self) -> int:
        return sum(line.counted for line in self.lines)

    @property
    def expected(self) -> int:
        return sum(line.expected for line in self.lines)

    def line_for(self, code: str) -> ReceiptLine | None:
        wanted = code.strip().casefold()
        return next((line for line in self.lines if (line.sku or "").casefold() == wanted), None)


@dataclass(frozen=True)
class InboundRow:
    shipment_id: str
    name: str
    transfer_name: str
    origin: str
    destination: str
    status: str
    expected: int  # units still to receive
    arrives_at: datetime | None
    tracking: str
    receiving: str | None  # who has a receipt of it open


def inbound_queue(session: Session) -> list[InboundRow]:
    """Shipments that can still receive, the soonest to arrive first."""
    expected = (
        select(func.coalesce(func.sum(InventoryShipmentLine.unreceived_quantity), 0))
        .where(InventoryShipmentLine.shipment_id == InventoryShipment.id)
        .scalar_subquery()
    )
    open_by = (
        select(InboundReceipt.staff_code)
        .where(
            InboundReceipt.shipment_id == InventoryShipment.id, InboundReceipt.state == ReceivingState.OPEN
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(InventoryShipment, expected, open_by)
        .where(col(InventoryShipment.status).in_(RECEIVABLE))
        .order_by(
            col(InventoryShipment.arrives_at), col(InventoryShipment.created_at), col(InventoryShipment.id)
        )
    ).all()
    return [
        InboundRow(
            shipment.id,
            shipment.name,
            shipment.transfer_name,
            shipment.origin_name or "",
            shipment.destination_name or "",
            shipment.status,
            int(units),
            shipment.arrives_at,
            " ".join(part for part in (shipment.tracking_company, shipment.tracking_number) if part),
            who,
        )
        for shipment, units, who in rows
    ]


def find_shipment(session: Session, code: str) -> InventoryShipment:
    """By its id, its name, its transfer's name ("#T1001", with or without '#'), or its tracking number."""
    code = code.strip()
    if not code:
        raise ReceiveRefused("name a shipment")
    bare = code.lstrip("#").casefold()
    found = session.exec(
        select(InventoryShipment)
        .where(
            or_(
                col(InventoryShipment.id) == code,
                func.lower(InventoryShipment.name) == f"#{bare}",
                func.lower(InventoryShipment.transfer_name) == f"#{bare}",
                col(InventoryShipment.tracking_number) == code,
            )
        )
        .order_by(col(InventoryShipment.id))
    ).all()
    receivable = [shipment for shipment in found if shipment.status in RECEIVABLE]
    if not found:
        raise ReceiveRefused(f"no inbound shipment {code!r}")
    if not receivable:
        raise ReceiveRefused(f"shipment {found[0].name} is {found[0].status.lower().replace('_', ' ')}")
    if len(receivable) > 1:
        raise ReceiveRefused(f"{code!r} names {len(receivable)} shipments: give the shipment's name")
    return receivable[0]


def open_receipt(session: Session, actor: Actor, code: str) -> Receipt:
    """The shipment's open receipt (taken up at this station), or a new one."""
    if actor.staff_code is None:
        raise ReceiveRefused("sign in first: a receipt is someone's")
    require(session.get(Staff, actor.staff_code), Permission.RECEIVE_STOCK)
    shipment = find_shipment(session, code)
    receipt = _open_row(session, shipment.id)
    if receipt is None:
        receipt = InboundReceipt(shipment_id=shipment.id, staff_code=actor.staff_code, station=actor.station)
        session.add(receipt)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:  # another station opened it at the same moment
            raise ReceiveRefused(f"{shipment.name} is being received at another station") from None
        record_by(session, actor, action="inbound.open", subject=shipment.id, shipment=shipment.name)
    else:
        receipt.station, receipt.staff_code = actor.station, actor.staff_code
    session.flush()
    assert receipt.id is not None
    return read_receipt(session, receipt.id)


def read_receipt(session: Session, receipt_id: int) -> Receipt:
    receipt = session.get(InboundReceipt, receipt_id)
    if receipt is None:
        raise ReceiveRefused(f"no receipt {receipt_id}")
    shipment = session.get_one(InventoryShipment, receipt.shipment_id)
    counted = session.exec(
        select(InboundReceiptLine)
        .where(InboundReceiptLine.receipt_id == receipt_id)
        .order_by(col(InboundReceiptLine.id))
    ).all()
    lines = []
    for line in session.exec(
        select(InventoryShipmentLine)
        .where(InventoryShipmentLine.shipment_id == shipment.id)
        .order_by(col(InventoryShipmentLine.position), col(InventoryShipmentLine.id))
    ):
        mine = [row for row in counted if row.shipment_line_id == line.id]
        bins: dict[str, int] = {}
        for row in mine:
            if row.accepted and row.bin_code:
                bins[row.bin_code] = bins.get(row.bin_code, 0) + row.quantity
        accepted = sum(row.quantity for row in mine if row.accepted)
        rejected = sum(row.quantity for row in mine if not row.accepted)
        # A finished receipt is part of the shipment's received quantities already: not before it
        mine_in = (accepted, rejected) if receipt.state == ReceivingState.FINISHED else (0, 0)
        lines.append(
            ReceiptLine(
                line.id,
                line.sku,
                line.title or line.sku or line.id,
                line.quantity,
                max(line.accepted_quantity - mine_in[0], 0),
                max(line.rejected_quantity - mine_in[1], 0),
                accepted,
                rejected,
                tuple(bins.items()),
                tuple(dict.fromkeys(row.reason for row in mine if row.reason)),
            )
        )
    return Receipt(
        receipt_id,
        shipment.id,
        shipment.name,
        shipment.transfer_name,
        shipment.origin_name or "",
        shipment.destination_location_id,
        shipment.destination_name or "",
        receipt.staff_code,
        receipt.state,
        tuple(lines),
    )


def is_bin(session: Session, location_id: str | None, code: str) -> bool:
    """A bin of the location, as the bin list or our bins' stock know it."""
    code = code.strip().upper()
    if not code or location_id is None:
        return False
    known = select(BinLocation.code).where(BinLocation.location_id == location_id, BinLocation.code == code)
    stocked = select(BinStock.code).where(BinStock.location_id == location_id, BinStock.code == code)
    return (
        session.exec(known.limit(1)).first() is not None or session.exec(stocked.limit(1)).first() is not None
    )


def item_sku(session: Session, receipt: Receipt, code: str) -> str | None:
    """The SKU of the shipment's line this code names: the SKU itself, or its barcode."""
    if (line := receipt.line_for(code)) is not None:
        return line.sku
    skus = {line.sku for line in receipt.lines if line.sku}
    by_barcode = select(LineItem.sku).where(LineItem.barcode == code.strip(), col(LineItem.sku).in_(skus))
    return session.exec(by_barcode.limit(1)).first()


def receive(
    session: Session,
    actor: Actor,
    receipt_id: int,
    code: str,
    quantity: int = 1,
    *,
    bin_code: str | None = None,
    reject_reason: str | None = None,
) -> Receipt:
    """Count `quantity` units of the line `code` names into `bin_code` (accepted), or as rejected
    with `reject_reason`. `actor.approved_by`: a manager accepting units beyond what the line expects."""
    receipt = _open_receipt_of(session, actor, receipt_id)
    sku = item_sku(session, receipt, code)
    line = receipt.line_for(sku) if sku else None
    if line is None:
        raise ReceiveRefused(f"{code.strip()!r} is not on shipment {receipt.shipment_name}")
    if not 0 < quantity <= MAX_UNITS:
        raise ReceiveRefused(f"a quantity from 1 to {MAX_UNITS}, not {quantity}")
    if reject_reason is None:
        if bin_code is None:
            raise ReceiveRefused("scan the bin the units go into first")
        bin_code = bin_code.strip().upper()
    elif reject_reason.strip().casefold() not in REJECT_REASONS:
        raise ReceiveRefused(f"a reason to reject: {', '.join(REJECT_REASONS)}")
    approved = None
    if line.counted + quantity > line.expected:
        beyond = line.counted + quantity - line.expected
        message = (
            f"{line.sku}: {line.counted + quantity} would be {beyond} more than the {line.expected} "
            f"shipment {receipt.shipment_name} still expects: a manager must accept them"
        )
        if actor.approved_by is None:
            raise OverReceipt(message, line.sku or code, quantity)
        try:
            require(
                session.get(Staff, actor.staff_code),
                Permission.ACCEPT_OVER_RECEIPT,
                session.get(Staff, actor.approved_by),
            )
        except NotPermitted as exc:
            raise ReceiveRefused(str(exc)) from None
        approved = actor.approved_by
    session.add(
        InboundReceiptLine(
            receipt_id=receipt_id,
            shipment_line_id=line.line_id,
            sku=line.sku,
            accepted=reject_reason is None,
            quantity=quantity,
            bin_code=bin_code if reject_reason is None else None,
            reason=reject_reason.strip().casefold() if reject_reason else None,
            approved_by=approved,
        )
    )
    record_by(
        session,
        actor,
        action="inbound.count",
        subject=receipt.shipment_id,
        sku=line.sku,
        quantity=quantity,
        bin=bin_code,
        rejected=reject_reason,
        approvedBy=approved,
    )
    session.flush()
    return read_receipt(session, receipt_id)


def finish(session: Session, actor: Actor, receipt_id: int, now: datetime | None = None) -> OutboxAction:
    """Send what was counted to the store (once), and apply it here: the shipment's lines, the
    location's stock and our bins. What was not counted stays expected (a partial receipt)."""
    receipt = _open_receipt_of(session, actor, receipt_id)
    counted = [line for line in receipt.lines if line.counted]
    if not counted:
        raise ReceiveRefused(f"nothing counted on {receipt.shipment_name} yet")
    approvers = session.exec(
        select(InboundReceiptLine.approved_by).where(
            InboundReceiptLine.receipt_id == receipt_id, col(InboundReceiptLine.approved_by).is_not(None)
        )
    ).first()
    items = [
        {"shipmentLineItemId": line.line_id, "quantity": units, "reason": reason}
        for line in counted
        for units, reason in ((line.accepted, "ACCEPTED"), (line.rejected, "REJECTED"))
        if units
    ]
    action = receive_shipment(
        session,
        Actor(actor.station, actor.staff_code, approvers or actor.approved_by),
        receipt.shipment_id,
        shipment_name=receipt.shipment_name,
        line_items=items,
        idempotency_key=f"oms-receipt-{receipt_id}-{uuid.uuid4().hex[:12]}",
        before={line.line_id: (line.had_accepted, line.had_rejected) for line in counted},
        over_receipt=any(line.over for line in counted),
    )
    _apply(session, receipt, counted, now or utcnow())
    row = session.get_one(InboundReceipt, receipt_id)
    row.state, row.finished_at = ReceivingState.FINISHED, now or utcnow()
    session.flush()
    row.action_id = action.id
    record_by(
        session,
        actor,
        action="inbound.finish",
        subject=receipt.shipment_id,
        accepted=sum(line.accepted for line in counted),
        rejected=sum(line.rejected for line in counted),
        left=sum(line.left for line in receipt.lines),
    )
    return action


def _apply(session: Session, receipt: Receipt, counted: Sequence[ReceiptLine], now: datetime) -> None:
    for line in counted:
        row = session.get_one(InventoryShipmentLine, line.line_id)
        row.accepted_quantity += line.accepted
        row.rejected_quantity += line.rejected
        row.unreceived_quantity = max(row.quantity - row.accepted_quantity - row.rejected_quantity, 0)
        if receipt.location_id and row.inventory_item_id:
            level = session.get(InventoryLevel, (row.inventory_item_id, receipt.location_id))
            if level is not None:  # the store's numbers, as it will have them: sync reads them back
                level.on_hand += line.accepted
                level.available += line.accepted
                level.incoming = max(level.incoming - line.counted, 0)
        for code, units in line.bins:
            _into_bin(session, receipt.location_id or "", code, line.sku or "", units, now)
    shipment = session.get_one(InventoryShipment, receipt.shipment_id)
    left = session.exec(
        select(func.sum(InventoryShipmentLine.unreceived_quantity)).where(
            InventoryShipmentLine.shipment_id == shipment.id
        )
    ).one()
    shipment.status = "PARTIALLY_RECEIVED" if left else "RECEIVED"


def _into_bin(session: Session, location_id: str, code: str, sku: str, units: int, now: datetime) -> None:
    held = session.get(BinStock, (location_id, code, sku))
    if held is None:
        picked_from = select(BinLocation.code).where(
            BinLocation.location_id == location_id, BinLocation.sku == sku, BinLocation.code == code
        )
        role = BinRole.PICK if session.exec(picked_from.limit(1)).first() else BinRole.RESERVE
        session.add(
            BinStock(location_id=location_id, code=code, sku=sku, quantity=units, role=role, updated_at=now)
        )
    else:
        held.quantity += units
        held.updated_at = now


def _open_row(session: Session, shipment_id: str) -> InboundReceipt | None:
    return session.exec(
        select(InboundReceipt).where(
            InboundReceipt.shipment_id == shipment_id, InboundReceipt.state == ReceivingState.OPEN
        )
    ).first()


def _open_receipt_of(session: Session, actor: Actor, receipt_id: int) -> Receipt:
    receipt = read_receipt(session, receipt_id)
    if receipt.state != ReceivingState.OPEN:
        raise ReceiveRefused(f"the receipt of {receipt.shipment_name} is finished")
    if actor.staff_code is None:
        raise ReceiveRefused("sign in first: a receipt is someone's")
    return receipt
