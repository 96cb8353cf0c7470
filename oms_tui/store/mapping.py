"""Store payloads -> cache rows (plain dicts, ready for `oms_tui.cache.upsert`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oms_tui.cache.priority import order_priority
from oms_tui.cache.stock_state import QUANTITY_NAMES
from oms_tui.store.payloads import (
    FulfillmentOrderLineNode,
    FulfillmentOrderNode,
    InventoryItemNode,
    LineItemNode,
    LocationNode,
    OrderNode,
)

RISK_RANK = {"HIGH": 4, "MEDIUM": 3, "LOW": 2, "NONE": 1, "PENDING": 0}


def location_row(node: LocationNode, now: datetime) -> dict[str, Any]:
    return {"id": node.id, "name": node.name, "is_active": node.is_active, "synced_at": now}


def order_row(node: OrderNode, now: datetime) -> dict[str, Any]:
    levels = [a.risk_level for a in node.risk.assessments if a.risk_level] if node.risk else []
    return {
        "id": node.id,
        "name": node.name,
        "customer_name": node.customer.display_name if node.customer else None,
        "email": node.email,
        "shipping_address": node.shipping_address,
        "financial_status": node.display_financial_status,
        "fulfillment_status": node.display_fulfillment_status,
        "risk_level": max(levels, key=lambda level: RISK_RANK.get(level, -1)) if levels else None,
        "risk_recommendation": node.risk.recommendation if node.risk else None,
        "tags": list(node.tags),
        "priority": order_priority(node.tags),
        "note": node.note,
        "closed": node.closed,
        "created_at": node.created_at,
        "updated_at": node.updated_at,
        "cancelled_at": node.cancelled_at,
        "cancel_reason": node.cancel_reason,
        "channel": node.source_name,
        "shipping_method": node.shipping_line.title if node.shipping_line else None,
        "total": node.total_price_set.shop_money.amount if node.total_price_set else None,
        "currency": node.total_price_set.shop_money.currency_code if node.total_price_set else None,
        "customer_orders": node.customer.number_of_orders if node.customer else None,
        "synced_at": now,
    }


def line_item_rows(order_id: str, items: list[LineItemNode]) -> list[dict[str, Any]]:
    return [
        {
            "id": item.id,
            "order_id": order_id,
            "position": position,
            "sku": item.sku,
            "barcode": item.variant.barcode if item.variant else None,
            "title": item.name or item.title or "",
            "quantity": item.quantity,
            "current_quantity": item.current_quantity,
            "unfulfilled_quantity": item.unfulfilled_quantity,
            "requires_shipping": item.requires_shipping,
            "bundle_id": item.line_item_group.id if item.line_item_group else None,
            "bundle_title": item.line_item_group.title if item.line_item_group else None,
            "bundle_quantity": item.line_item_group.quantity if item.line_item_group else None,
        }
        for position, item in enumerate(items)
    ]


def fulfillment_rows(node: OrderNode) -> list[dict[str, Any]]:
    rows = []
    for fulfillment in node.fulfillments:
        tracking = fulfillment.tracking_info[0] if fulfillment.tracking_info else None
        rows.append(
            {
                "id": fulfillment.id,
                "order_id": node.id,
                "status": fulfillment.status,
                "tracking_company": tracking.company if tracking else None,
                "tracking_number": tracking.number if tracking else None,
                "tracking_url": tracking.url if tracking else None,
                "created_at": fulfillment.created_at,
            }
        )
    return rows


def fulfillment_order_row(node: FulfillmentOrderNode, now: datetime) -> dict[str, Any]:
    assigned = node.assigned_location
    return {
        "id": node.id,
        "order_id": node.order_id,
        "status": node.status,
        "request_status": node.request_status,
        "location_id": assigned.location.id if assigned and assigned.location else None,
        "location_name": assigned.name if assigned else None,
        "fulfill_at": node.fulfill_at,
        "fulfill_by": node.fulfill_by,
        "created_at": node.created_at,
        "updated_at": node.updated_at,
        "synced_at": now,
    }


def hold_rows(node: FulfillmentOrderNode) -> list[dict[str, Any]]:
    return [
        {
            "id": hold.id,
            "fulfillment_order_id": node.id,
            "reason": hold.reason,
            "reason_notes": hold.reason_notes,
            "handle": hold.handle,
        }
        for hold in node.fulfillment_holds
    ]


def fulfillment_order_line_rows(fo_id: str, lines: list[FulfillmentOrderLineNode]) -> list[dict[str, Any]]:
    return [
        {
            "id": line.id,
            "fulfillment_order_id": fo_id,
            "line_item_id": line.line_item.id,
            "sku": line.sku,
            "total_quantity": line.total_quantity,
            "remaining_quantity": line.remaining_quantity,
        }
        for line in lines
    ]


def inventory_rows(node: InventoryItemNode, now: datetime) -> list[dict[str, Any]]:
    """One row per location; a quantity name the store left out is 0 (it has none of that kind)."""
    rows = []
    for level in node.inventory_levels.nodes:
        quantities = {quantity.name: quantity.quantity for quantity in level.quantities}
        rows.append(
            {
                "inventory_item_id": node.id,
                "location_id": level.location.id,
                "sku": node.sku or "",
                **{name: quantities.get(name, 0) for name in QUANTITY_NAMES},
                "synced_at": now,
            }
        )
    return rows


def inventory_item_row(node: InventoryItemNode, now: datetime) -> dict[str, Any]:
    return {
        "id": node.id,
        "sku": node.sku or "",
        "tracked": node.tracked,
        "updated_at": node.updated_at,
        "synced_at": now,
    }
