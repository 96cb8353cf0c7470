"""Returns of shipped orders: seeded with the history (a few shipped orders have one, most of the
older ones closed long ago) and requested live while the shop trades.

Ids derive from (order index, the return's position on the order), so every return object is found
from its id alone: `locate` undoes the arithmetic.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from oms_tui.sim.model import Location, Order, gid
from oms_tui.sim.orders_factory import LINES_PER_ORDER, ORDER_BASE
from oms_tui.sim.return_model import (
    Return,
    ReturnLineItem,
    ReturnReasonDefinition,
    ReverseDelivery,
    ReverseDeliveryTracking,
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrderDisposition,
    ReverseFulfillmentOrderLineItem,
)

RETURNS_PER_ORDER = 8  # id stride: returns one order may have
RETURN_BASE = 9_100_000_000
RFO_BASE = 9_300_000_000
SPLIT_RFO_BASE = 9_400_000_000  # a return's second and later reverse fulfillment orders
SPLIT_RFOS = 4  # id stride: more reverse fulfillment orders one return may have
REVERSE_DELIVERY_BASE = 9_500_000_000
RETURN_LINE_BASE = 17_000_000_000_000
RFO_LINE_BASE = 18_000_000_000_000
SEEDED_SHARE = 0.04  # shipped orders with a return in the seeded history
RECENT_SHARE = 0.4  # the newest part of the history, where most returns are still open
REASONS = [
    ReturnReasonDefinition(gid("ReturnReasonDefinition", 101 + n), handle, name)
    for n, (handle, name) in enumerate(
        [
            ("size-too-small", "Size was too small"),
            ("size-too-large", "Size was too large"),
            ("unwanted", "Customer changed their mind"),
            ("not-as-described", "Item not as described"),
            ("wrong-item", "Received the wrong item"),
            ("defective", "Damaged or defective"),
            ("color", "Color"),
        ]
    )
]
NOTES = {"defective": "Seam came apart after one wash", "wrong-item": "Ordered navy, got black"}


def _slot(order: Order, position: int) -> int:
    return (int(order.legacy_resource_id) - ORDER_BASE) * RETURNS_PER_ORDER + position


def locate(kind: str, legacy: int) -> tuple[int, int] | None:
    """(order index, return position) of a return object's legacy id, or None for another kind."""
    bases = {
        "Return": RETURN_BASE,
        "ReverseFulfillmentOrder": RFO_BASE,
        "ReverseDelivery": REVERSE_DELIVERY_BASE,
    }
    lines = {"ReturnLineItem": RETURN_LINE_BASE, "ReverseFulfillmentOrderLineItem": RFO_LINE_BASE}
    if kind == "ReverseFulfillmentOrder" and legacy >= SPLIT_RFO_BASE:
        slot = (legacy - SPLIT_RFO_BASE) // SPLIT_RFOS
    elif kind in bases and legacy >= bases[kind]:
        slot = legacy - bases[kind]
    elif kind in lines and legacy >= lines[kind]:
        slot = (legacy - lines[kind]) // LINES_PER_ORDER
    else:
        return None
    return divmod(slot, RETURNS_PER_ORDER)


def returnable(order: Order) -> dict[str, int]:
    """Fulfillment line item id -> units shipped and not yet on a return."""
    shipped = {fli.id: fli.quantity for f in order.fulfillments for fli in f.line_items_of(order)}
    for existing in order.returns:
        if existing.status in ("CANCELED", "DECLINED"):
            continue
        for line in existing.return_line_items:
            shipped[line.fulfillment_line_item.id] -= line.quantity
    return {ident: left for ident, left in shipped.items() if left > 0}


def build_return(
    order: Order,
    rng: random.Random,
    created_at: datetime,
    quantities: dict[str, int] | None = None,
    split: Sequence[int] = (),
) -> Return | None:
    """A new open return of `order` (`quantities`: fulfillment line item id -> units; None: drawn by
    `rng`), with a prepaid label; None when nothing is returnable or the order has all the returns it
    may have. `split`: lines per reverse fulfillment order, in order (as Shopify splits a return whose
    items go back to several locations); empty: one for every line."""
    if len(split) > 1 + SPLIT_RFOS or any(size < 1 for size in split):
        raise ValueError(f"a return has 1 to {1 + SPLIT_RFOS} reverse fulfillment orders of 1 line or more")
    left = returnable(order)
    position = len(order.returns)
    if not left or position >= RETURNS_PER_ORDER:
        return None
    if quantities is None:
        chosen = rng.sample(sorted(left), min(len(left), rng.choice((1, 1, 2))))
        quantities = {ident: rng.randint(1, left[ident]) for ident in chosen}
    items = {fli.id: fli for f in order.fulfillments for fli in f.line_items_of(order)}
    slot = _slot(order, position)
    lines, rfo_lines = [], []
    for k, (ident, quantity) in enumerate(quantities.items()):
        if quantity > left.get(ident, 0):
            raise ValueError(f"{ident}: {quantity} to return, {left.get(ident, 0)} returnable")
        reason = rng.choice(REASONS)
        line_legacy = slot * LINES_PER_ORDER + k
        lines.append(
            ReturnLineItem(
                gid("ReturnLineItem", RETURN_LINE_BASE + line_legacy),
                items[ident],
                quantity,
                reason,
                NOTES.get(reason.handle, ""),
                "Please refund to my card" if rng.random() < 0.2 else None,
            )
        )
        rfo_lines.append(
            ReverseFulfillmentOrderLineItem(
                gid("ReverseFulfillmentOrderLineItem", RFO_LINE_BASE + line_legacy), items[ident], quantity
            )
        )
    number = f"9400{rng.randrange(10**18):018d}"
    delivery = ReverseDelivery(
        gid("ReverseDelivery", REVERSE_DELIVERY_BASE + slot),
        ReverseDeliveryTracking(
            "USPS", number, f"https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"
        ),
    )
    sizes = list(split) or [len(rfo_lines)]
    if sum(sizes) != len(rfo_lines):
        raise ValueError(f"{len(rfo_lines)} lines do not split into {sizes}")
    starts = [sum(sizes[:k]) for k in range(len(sizes))]
    rfos = [
        ReverseFulfillmentOrder(
            _rfo_id(slot, k),
            order.id,
            "OPEN",
            rfo_lines[start : start + size],
            [delivery] if k == 0 else [],
        )
        for k, (start, size) in enumerate(zip(starts, sizes, strict=True))
    ]
    created = Return(
        gid("Return", RETURN_BASE + slot),
        order.id,
        f"{order.name}-R{position + 1}",
        "OPEN",
        created_at,
        lines,
        rfos,
    )
    order.returns.append(created)
    return created


def _rfo_id(slot: int, k: int) -> str:
    """The return's k-th reverse fulfillment order (the first keeps the id a one-piece return has)."""
    legacy = SPLIT_RFO_BASE + slot * SPLIT_RFOS + k - 1 if k else RFO_BASE + slot
    return gid("ReverseFulfillmentOrder", legacy)


def seed_returns(seed: int, index: int, order: Order, age: float, restock_at: Location) -> None:
    """The seeded history's returns: some shipped orders have one; most older ones were closed long
    ago (everything restocked), newer ones are still on their way back."""
    rng = random.Random(seed * 7_000_003 + index)  # its own draws: the order itself stays as it was
    if order.cancelled_at is not None or order.display_fulfillment_status != "FULFILLED":
        return
    if rng.random() >= SEEDED_SHARE:
        return
    created = build_return(order, rng, order.updated_at)
    if created is None or rng.random() < (0.8 if age < RECENT_SHARE else 0.25):
        return
    for rfo in created.reverse_fulfillment_orders:
        for line in rfo.line_items:
            line.dispositions.append(
                ReverseFulfillmentOrderDisposition(
                    disposition_id(line.id, 0),
                    created.created_at,
                    restock_at,
                    line.total_quantity,
                    "RESTOCKED",
                )
            )
        rfo.status = "CLOSED"
    created.status, created.closed_at = "CLOSED", created.created_at


def disposition_id(line_id: str, position: int) -> str:
    return gid("ReverseFulfillmentOrderDisposition", int(f"{line_id.rsplit('/', 1)[1]}{position:02d}"))
