"""Receiving returns: open a return by its order number or its label's tracking number, count what
came back by scanning, decide per item (restock to a bin, damaged, missing), then send the outcome
to the store through the outbox and raise exceptions for what did not add up.

Here: the queue, what a scan opens, and the rules over a plain `Receiving` (count a unit, choose an
outcome, the dispositions it makes). `floor/receiving.py` keeps the progress in the cache and audits
each step with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from oms_tui.cache.models import (
    BinLocation,
    Fulfillment,
    LineItem,
    Location,
    Order,
    Return,
    ReturnLineItem,
    ReverseDelivery,
    ReverseFulfillmentOrderLineItem,
)
from oms_tui.floor.actions.store_actions import ActionRefused, Disposal
from oms_tui.floor.orders.lookup import NotFound, find_order

RESTOCK, DAMAGED, MISSING = "restock", "damaged", "missing"
DISPOSITION_OF = {RESTOCK: "RESTOCKED", DAMAGED: "NOT_RESTOCKED", MISSING: "MISSING"}
RECEIVABLE = ("OPEN",)


class WrongItem(ValueError):
    """A scan that does not fit the return: not on it, or more units than expected."""


@dataclass
class ReturnItem:
    """One reverse fulfillment order line: what is expected back, and what the desk decided."""

    line_id: str
    sku: str | None
    barcode: str | None
    title: str
    reason: str
    expected: int  # units left to dispose of
    received: int = 0
    outcome: str | None = None  # restock, damaged, missing
    bin_code: str | None = None
    location_id: str | None = None

    def matches(self, code: str) -> bool:
        wanted = code.strip().casefold()
        return wanted in {(self.sku or "").casefold(), (self.barcode or "").casefold()} - {""}

    @property
    def shown_outcome(self) -> str:
        """The decision as it will go to the store: units not received are missing."""
        if self.outcome is None or self.outcome == MISSING:
            return self.outcome or ""
        done = f"restock to {self.bin_code or 'stock'}" if self.outcome == RESTOCK else DAMAGED
        short = self.expected - self.received
        return f"{self.received} {done}, {short} {MISSING}" if short else done


@dataclass
class Receiving:
    return_id: str
    name: str  # "#1004-R1"
    order_id: str
    order_name: str
    customer: str | None
    shipped_at: datetime | None
    tracking: list[str]
    items: list[ReturnItem]
    unexpected: list[str] = field(default_factory=list)

    @property
    def undecided(self) -> list[ReturnItem]:
        return [item for item in self.items if item.outcome is None]


@dataclass(frozen=True)
class QueuedReturn:
    return_id: str
    name: str
    order_name: str
    customer: str | None
    created_at: datetime
    units: int
    reasons: str
    tracking: str


def open_returns(session: Session, limit: int = 200) -> list[QueuedReturn]:
    """Open returns, oldest first: the receiving desk's queue."""
    rows = session.exec(
        select(Return, Order.name, Order.customer_name)
        .join(Order, col(Order.id) == Return.order_id, isouter=True)
        .where(col(Return.status).in_(RECEIVABLE))
        .order_by(col(Return.created_at), col(Return.id))
        .limit(limit)
    ).all()
    ids = [r.id for r, _, _ in rows]
    reasons: dict[str, list[str]] = {}
    for return_id, reason in session.exec(
        select(ReturnLineItem.return_id, ReturnLineItem.reason).where(col(ReturnLineItem.return_id).in_(ids))
    ):
        if reason and reason not in reasons.setdefault(return_id, []):
            reasons[return_id].append(reason)
    labels = dict(
        session.exec(
            select(ReverseDelivery.return_id, func.min(ReverseDelivery.tracking_number))
            .where(col(ReverseDelivery.return_id).in_(ids))
            .group_by(col(ReverseDelivery.return_id))
        ).all()
    )
    return [
        QueuedReturn(
            r.id, r.name, name or "", customer, r.created_at, r.total_quantity,
            "; ".join(reasons.get(r.id, [])), labels.get(r.id) or "",
        )
        for r, name, customer in rows
    ]  # fmt: skip


def find_return(session: Session, code: str) -> Receiving:
    """The open return a scan names: the return label's tracking number, or the order's number."""
    wanted = code.strip()
    label = session.exec(select(ReverseDelivery).where(ReverseDelivery.tracking_number == wanted)).first()
    if label is not None:
        return load_receiving(session, label.return_id)
    try:
        order = find_order(session, wanted)
    except NotFound:
        raise NotFound(f"{wanted} is neither a return label nor an order with a return") from None
    found = session.exec(
        select(Return)
        .where(Return.order_id == order.id, col(Return.status).in_(RECEIVABLE))
        .order_by(col(Return.created_at))
    ).first()
    if found is None:
        raise NotFound(f"{order.name} has no open return")
    return load_receiving(session, found.id)


def load_receiving(session: Session, return_id: str) -> Receiving:
    found = session.get(Return, return_id)
    if found is None:
        raise NotFound(f"no return {return_id} in the cache")
    if found.status not in RECEIVABLE:
        raise NotFound(f"return {found.name} is {found.status.lower()}: nothing to receive")
    order = session.get(Order, found.order_id)
    said = {
        line.line_item_id: line
        for line in session.exec(select(ReturnLineItem).where(ReturnLineItem.return_id == found.id))
    }
    lines = session.exec(
        select(ReverseFulfillmentOrderLineItem, LineItem)
        .join(LineItem, col(LineItem.id) == ReverseFulfillmentOrderLineItem.line_item_id, isouter=True)
        .where(ReverseFulfillmentOrderLineItem.return_id == found.id)
        .order_by(col(ReverseFulfillmentOrderLineItem.id))
    ).all()
    items = []
    for line, item in lines:
        customer = said.get(line.line_item_id)
        reason = " · ".join(
            part for part in (customer.reason, customer.reason_note) if part
        ) if customer else ""  # fmt: skip
        left = line.total_quantity - line.disposed_quantity
        if left > 0:
            items.append(
                ReturnItem(
                    line.id,
                    item.sku if item else (customer.sku if customer else None),
                    item.barcode if item else None,
                    item.title if item else (customer.title if customer else "?"),
                    reason,
                    left,
                )
            )
    shipped = session.exec(
        select(func.max(Fulfillment.created_at)).where(Fulfillment.order_id == found.order_id)
    )
    tracking = session.exec(
        select(ReverseDelivery.tracking_number).where(ReverseDelivery.return_id == found.id)
    ).all()
    return Receiving(
        found.id,
        found.name,
        found.order_id,
        order.name if order else "",
        order.customer_name if order else None,
        shipped.one(),
        [number for number in tracking if number],
        items,
    )


def count_unit(receiving: Receiving, code: str) -> ReturnItem:
    """Count one unit of the item this code names; a code not on the return, or one unit too many,
    raises `WrongItem` (a code not on the return is kept as unexpected)."""
    matching = [item for item in receiving.items if item.matches(code)]
    if not matching:
        receiving.unexpected.append(code.strip())
        raise WrongItem(f"{code.strip()} is not on return {receiving.name}")
    item = next((item for item in matching if item.received < item.expected), None)
    if item is None:
        counted = matching[0]
        raise WrongItem(f"{code.strip()}: all {counted.expected} expected already counted")
    if item.outcome == MISSING:
        item.outcome = None  # it came after all
    item.received += 1
    return item


def choose(receiving: Receiving, line_id: str, outcome: str, bin_code: str | None = None,
           location_id: str | None = None) -> ReturnItem:  # fmt: skip
    """Restock (to a bin at a location) or damaged: for the units received; missing: for an item
    none of which came back."""
    item = next(item for item in receiving.items if item.line_id == line_id)
    if outcome in (RESTOCK, DAMAGED) and item.received == 0:
        raise ActionRefused(f"{item.sku or item.title}: scan it first (nothing of it was counted)")
    if outcome == MISSING and item.received:
        raise ActionRefused(f"{item.sku or item.title}: {item.received} counted, so it is not missing")
    if outcome == RESTOCK and not location_id:
        raise ActionRefused("a restock needs a bin (or a location)")
    item.outcome, item.bin_code = outcome, bin_code if outcome == RESTOCK else None
    item.location_id = location_id if outcome == RESTOCK else None
    return item


@dataclass(frozen=True)
class Shelf:
    """Where a restocked item may go: a bin of the SKU, or just a location when it has no bin."""

    label: str
    bin_code: str | None
    location_id: str


def shelves_for(session: Session, sku: str | None) -> list[Shelf]:
    names = dict(session.exec(select(Location.id, Location.name).where(col(Location.is_active))).all())
    bins = session.exec(
        select(BinLocation).where(BinLocation.sku == (sku or "")).order_by(col(BinLocation.code))
    ).all()
    shelves = [Shelf(f"{b.code} ({names.get(b.location_id, '?')})", b.code, b.location_id) for b in bins]
    return shelves + [
        Shelf(f"{name}, no bin", None, ident) for ident, name in sorted(names.items(), key=lambda n: n[1])
    ]


def disposals(receiving: Receiving) -> list[Disposal]:
    """The decisions as dispositions: received units as decided, the rest of each line missing."""
    if receiving.undecided:
        names = ", ".join(item.sku or item.title for item in receiving.undecided)
        raise ActionRefused(f"decide first: restock, damaged or missing for {names}")
    found = []
    for item in receiving.items:
        if item.outcome in (RESTOCK, DAMAGED):
            kind = DISPOSITION_OF[item.outcome]
            found.append(Disposal(item.line_id, item.received, kind, item.location_id))
        left = item.expected - item.received
        if left:
            found.append(Disposal(item.line_id, left, "MISSING"))
    return found
