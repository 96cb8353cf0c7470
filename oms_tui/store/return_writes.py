"""Store returns -> cache rows: one page of orders' returns written with their lines, reverse
fulfillment orders and labels; the change feed names each return created or updated."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from oms_tui.cache.models import (
    ChangeFeedEntry,
    HeldBack,
    OutboxAction,
    Return,
    ReturnLineItem,
    ReverseDelivery,
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrderLineItem,
)
from oms_tui.cache.sync_state import OUTBOX_WAITING
from oms_tui.cache.upsert import UpsertResult, replace_children, upsert_all, upsert_newer
from oms_tui.store.return_payloads import OrderReturnsNode, ReturnNode

STREAM = "returns"


def return_row(node: ReturnNode, order: OrderReturnsNode, now: datetime) -> dict[str, Any]:
    return {
        "id": node.id,
        "order_id": order.id,
        "name": node.name,
        "status": node.status,
        "total_quantity": node.total_quantity,
        "created_at": node.created_at,
        "closed_at": node.closed_at,
        "version": order.updated_at,
        "synced_at": now,
    }


def return_line_rows(node: ReturnNode) -> list[dict[str, Any]]:
    rows = []
    for position, line in enumerate(node.return_line_items.nodes):
        item = line.fulfillment_line_item.line_item if line.fulfillment_line_item else None
        reason = line.return_reason_definition
        rows.append(
            {
                "id": line.id,
                "return_id": node.id,
                "position": position,
                "line_item_id": item.id if item else None,
                "sku": item.sku if item else None,
                "title": (item.name or "") if item else "",
                "quantity": line.quantity,
                "reason": reason.name if reason else None,
                "reason_note": line.return_reason_note,
                "customer_note": line.customer_note,
            }
        )
    return rows


def rfo_rows(node: ReturnNode) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Reverse fulfillment orders, their lines, and their labels."""
    rfos, lines, deliveries = [], [], []
    for rfo in node.reverse_fulfillment_orders.nodes:
        rfos.append({"id": rfo.id, "return_id": node.id, "status": rfo.status})
        for line in rfo.line_items.nodes:
            item = line.fulfillment_line_item.line_item if line.fulfillment_line_item else None
            dispositions = [
                {
                    "id": d.id,
                    "type": d.type,
                    "quantity": d.quantity,
                    "locationId": d.location.id if d.location else None,
                    "createdAt": d.created_at.isoformat(),
                }
                for d in line.dispositions
            ]
            lines.append(
                {
                    "id": line.id,
                    "rfo_id": rfo.id,
                    "return_id": node.id,
                    "line_item_id": item.id if item else None,
                    "total_quantity": line.total_quantity,
                    "disposed_quantity": sum(d.quantity for d in line.dispositions),
                    "dispositions": dispositions,
                }
            )
        for delivery in rfo.reverse_deliveries.nodes:
            tracking = delivery.deliverable.tracking if delivery.deliverable else None
            deliveries.append(
                {
                    "id": delivery.id,
                    "rfo_id": rfo.id,
                    "return_id": node.id,
                    "carrier": tracking.carrier_name if tracking else None,
                    "tracking_number": tracking.number if tracking else None,
                }
            )
    return rfos, lines, deliveries


def write_returns(session: Session, orders: list[OrderReturnsNode], now: datetime) -> UpsertResult:
    """Upsert the returns of these orders (the newer copy wins), children replaced with the store's.

    Orders with floor actions still on their way to the store are left alone, as sync does for
    orders: the cache shows what the floor did until the outbox has delivered it and read it again.
    """
    orders, held = _hold_back(session, orders)
    pairs = [(node, order) for order in orders for node in order.returns.nodes]
    result = upsert_newer(session, Return, [return_row(n, o, now) for n, o in pairs], version="version")
    result.unchanged += held
    changed_ids = set(result.created) | set(result.updated)
    changed = [node for node, _ in pairs if node.id in changed_ids]
    rfos, rfo_lines, deliveries = [], [], []
    for node in changed:
        parts = rfo_rows(node)
        rfos += parts[0]
        rfo_lines += parts[1]
        deliveries += parts[2]
    lines = [row for node in changed for row in return_line_rows(node)]
    replace_children(session, ReturnLineItem, "return_id", result.updated, lines)
    replace_children(session, ReverseFulfillmentOrder, "return_id", result.updated, rfos)
    replace_children(session, ReverseFulfillmentOrderLineItem, "return_id", result.updated, rfo_lines)
    replace_children(session, ReverseDelivery, "return_id", result.updated, deliveries)
    entries = [
        {"at": now, "stream": STREAM, "object_id": ident, "change": change}
        for change, idents in (("created", result.created), ("updated", result.updated))
        for ident in idents
    ]
    if entries:
        session.connection().execute(insert(ChangeFeedEntry), entries)
    return result


def _hold_back(session: Session, orders: list[OrderReturnsNode]) -> tuple[list[OrderReturnsNode], list[str]]:
    waiting = set(
        session.exec(
            select(OutboxAction.order_id).where(
                col(OutboxAction.state).in_(OUTBOX_WAITING),
                col(OutboxAction.order_id).in_({order.id for order in orders}),
            )
        )
    )
    if not waiting:
        return orders, []
    held = [order.id for order in orders if order.id in waiting]
    upsert_all(session, HeldBack, [held_back_row(order_id) for order_id in held])
    return [o for o in orders if o.id not in waiting], held


def held_back_row(order_id: str) -> dict[str, str]:
    """The note to read an order's returns again by id (its own key: the order may be noted too)."""
    return {"object_id": f"{order_id}#returns", "stream": STREAM, "order_id": order_id}
