"""Returns on the simulated shop, and the cache's copy of them, in one comparable shape."""

from __future__ import annotations

import random
from typing import Any

from sqlmodel import select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import Return, ReturnLineItem, ReverseDelivery, ReverseFulfillmentOrderLineItem
from oms_tui.sim.model import Order
from oms_tui.sim.return_model import Return as SimReturn
from oms_tui.sim.returns_factory import build_return
from oms_tui.sim.store import SimStore


def store_returns(store: SimStore, statuses: tuple[str, ...] = ("OPEN", "CLOSED")) -> dict[str, Any]:
    shown = {}
    for order in store.orders.values():
        for found in order.returns:
            if found.status in statuses:
                shown[found.id] = _shape(found, order)
    return shown


def _shape(found: SimReturn, order: Order) -> dict[str, Any]:
    rfo_lines = [line for rfo in found.reverse_fulfillment_orders for line in rfo.line_items]
    return {
        "order": order.id,
        "name": found.name,
        "status": found.status,
        "lines": sorted(
            (
                line.id,
                line.fulfillment_line_item.line_item.sku,
                line.quantity,
                line.return_reason_definition.name,
                line.return_reason_note,
            )
            for line in found.return_line_items
        ),
        "to_dispose": sorted(
            (line.id, line.total_quantity, sorted((d.type, d.quantity) for d in line.dispositions))
            for line in rfo_lines
        ),
        "labels": sorted(
            d.tracking.number
            for rfo in found.reverse_fulfillment_orders
            for d in rfo.reverse_deliveries
            if d.tracking
        ),
    }


def cached_returns(cache: Cache) -> dict[str, Any]:
    with cache.sessions() as session:
        returns = session.exec(select(Return)).all()
        lines = session.exec(select(ReturnLineItem)).all()
        rfo_lines = session.exec(select(ReverseFulfillmentOrderLineItem)).all()
        labels = session.exec(select(ReverseDelivery)).all()
    return {
        r.id: {
            "order": r.order_id,
            "name": r.name,
            "status": r.status,
            "lines": sorted(
                (li.id, li.sku, li.quantity, li.reason, li.reason_note)
                for li in lines
                if li.return_id == r.id
            ),
            "to_dispose": sorted(
                (li.id, li.total_quantity, sorted((d["type"], d["quantity"]) for d in li.dispositions))
                for li in rfo_lines
                if li.return_id == r.id
            ),
            "labels": sorted(d.tracking_number for d in labels if d.return_id == r.id and d.tracking_number),
        }
        for r in returns
    }


def request_return(
    store: SimStore, seed: int = 3, min_lines: int = 1, split: tuple[int, ...] = ()
) -> SimReturn:
    """A new open return of `min_lines` lines on a shipped order with none returned (`split`: its
    lines per reverse fulfillment order)."""
    rng = random.Random(seed)
    with store.lock:
        for order in store.orders.values():
            shipped = {fli.id: fli.quantity for f in order.fulfillments for fli in f.line_items_of(order)}
            if order.returns or len(shipped) < min_lines or order.cancelled_at:
                continue
            created = build_return(order, rng, store.now(), dict(list(shipped.items())[:min_lines]), split)
            assert created is not None
            store.touch(order)
            return created
    raise AssertionError("no shipped order to return")
