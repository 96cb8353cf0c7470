"""Live activity: the shop keeps trading while the floor works (new orders, payments, edits, cancels,
returns requested for shipped orders, stock sold at another channel or corrected by another app)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from oms_tui.sim.live_stock import adjusted_by_app, sold_elsewhere
from oms_tui.sim.order_mutations import cancel_order
from oms_tui.sim.returns_factory import build_return

if TYPE_CHECKING:
    from oms_tui.sim.store import SimStore

RECENT = 300  # events touch the newest orders: the floor's open work
EVENTS = (
    ("new_order", 40),
    ("payment_captured", 15),
    ("address_edited", 10),
    ("tags_changed", 15),
    ("note_changed", 10),
    ("cancelled", 10),
    ("return_requested", 6),
    ("sold_elsewhere", 6),
    ("adjusted_by_app", 2),
)


def apply_random_event(store: SimStore, rng: random.Random) -> str:
    """Apply one event chosen by `rng`; returns its name (e.g. "cancelled: #1042")."""
    kind = rng.choices([k for k, _ in EVENTS], weights=[w for _, w in EVENTS])[0]
    if kind == "sold_elsewhere":
        return sold_elsewhere(store, rng)
    if kind == "adjusted_by_app":
        return adjusted_by_app(store, rng)
    if kind == "new_order" or store.order_count == 0:
        return f"new_order: {store.add_order().name}"
    order = store.order_at(rng.randrange(max(0, store.order_count - RECENT), store.order_count))
    if order.cancelled_at is not None:
        return f"skipped: {order.name} is cancelled"
    if kind == "payment_captured":
        if order.display_financial_status not in ("PENDING", "AUTHORIZED"):
            return f"skipped: {order.name} is {order.display_financial_status}"
        order.display_financial_status = "PAID"
    elif kind == "address_edited" and order.shipping_address is not None:
        order.shipping_address.address1 = (
            f"{rng.randrange(1, 999)} {rng.choice(('Oak', 'Elm', 'Bay'))} Street"
        )
        order.shipping_address.zip = order.shipping_address.zip or f"{rng.randrange(10000, 99999)}"
    elif kind == "tags_changed":
        tag = rng.choice(("rush", "vip", "wholesale", "check-address"))
        order.tags = [t for t in order.tags if t != tag] if tag in order.tags else [*order.tags, tag]
    elif kind == "note_changed":
        order.note = rng.choice(("Leave at the back door", "Customer called: ship together", None))
    elif kind == "return_requested":
        if build_return(order, rng, store.now()) is None:
            return f"skipped: {order.name} has nothing shipped to return"
    elif kind == "cancelled":
        if order.display_fulfillment_status == "FULFILLED":
            return f"skipped: {order.name} is fulfilled"
        cancel_order(store, order, rng.choice(("CUSTOMER", "FRAUD", "INVENTORY")), restock=True)
        return f"cancelled: {order.name}"
    store.touch(order)
    return f"{kind}: {order.name}"
