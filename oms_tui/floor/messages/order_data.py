"""What a message template may use of an order, read from the cache: plain dicts and lists (the
sandbox gives templates nothing else)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from oms_tui.cache.models import Fulfillment, LineItem, Order


def order_data(session: Session, order: Order, shop: str) -> dict[str, Any]:
    """`customer`, `order`, `lines`, `address`, `shipping_method`, `shipments`, `tracking` (the latest
    shipment, or None) and `shop`, for the templates."""
    lines = session.exec(
        select(LineItem).where(LineItem.order_id == order.id).order_by(col(LineItem.position))
    ).all()
    shipments = session.exec(
        select(Fulfillment).where(Fulfillment.order_id == order.id).order_by(col(Fulfillment.created_at))
    ).all()
    tracked = [
        {"company": s.tracking_company or "", "number": s.tracking_number, "url": s.tracking_url or ""}
        for s in shipments
        if s.tracking_number
    ]
    name = order.customer_name or ""
    return {
        "shop": shop,
        "customer": {"name": name, "first_name": name.split(" ")[0] if name else "", "email": order.email},
        "order": {
            "name": order.name,
            "placed": order.created_at.strftime("%d %B %Y"),
            "note": order.note or "",
            "tags": list(order.tags),
        },
        "lines": [
            {
                "title": line.title,
                "sku": line.sku or "",
                "quantity": line.current_quantity,
                "left": line.unfulfilled_quantity,
                "shipped": line.current_quantity - line.unfulfilled_quantity,
            }
            for line in lines
            if line.requires_shipping and line.current_quantity > 0
        ],
        "address": _address(order.shipping_address),
        "shipping_method": order.shipping_method or "",
        "shipments": tracked,
        "tracking": tracked[-1] if tracked else None,
    }


def _address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if not address:
        return None
    town = " ".join(part for part in (address.get("zip"), address.get("city")) if part)
    parts = [address.get("name"), address.get("address1"), address.get("address2"), town]
    parts += [address.get("province"), address.get("country")]
    return {**address, "lines": [str(part) for part in parts if part]}
