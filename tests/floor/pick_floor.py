"""A small warehouse for pick-list tests: orders with several lines, SKUs with bins, a picker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from oms_tui.cache.models import (
    BinLocation,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Order,
    Role,
    Staff,
)
from oms_tui.cache.priority import order_priority

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
MAIN = "gid://shopify/Location/1"
BINS = {"MUG-1": "A-12-1", "TEE-M": "A-3-2", "CAP-9": "B-1-1", "SOCK-2": "A-3-1"}  # NOTE-0 has no bin
BARCODES = {"MUG-1": "0001112223334", "TEE-M": "0004445556667"}


def add_picker(session: Session, code: str = "P01", name: str = "Ana Pereira") -> None:
    session.add(Staff(code=code, name=name, role=Role.PICKER))
    session.flush()


def add_bins(session: Session, bins: dict[str, str] = BINS, location: str = MAIN) -> None:
    for sku, code in bins.items():
        session.add(BinLocation(location_id=location, sku=sku, code=code))
    session.flush()


def add_order(
    session: Session,
    number: int,
    lines: dict[str, int],
    *,
    location: str = MAIN,
    status: str = "OPEN",
    tags: tuple[str, ...] = (),
    shipping_method: str | None = None,
) -> str:
    """Order #`number` with `lines` (SKU -> units); returns its fulfillment order id."""
    order_id, fo_id = f"gid://shopify/Order/{number}", f"gid://shopify/FulfillmentOrder/{number}"
    created = NOW - timedelta(hours=number % 10)
    session.add(
        Order(
            id=order_id,
            name=f"#{number}",
            fulfillment_status="UNFULFILLED",
            tags=list(tags),
            priority=order_priority(tags),
            shipping_method=shipping_method,
            created_at=created,
            updated_at=created,
            synced_at=NOW,
        )
    )
    session.add(
        FulfillmentOrder(
            id=fo_id,
            order_id=order_id,
            status=status,
            location_id=location,
            created_at=created,
            updated_at=created,
            synced_at=NOW,
        )
    )
    session.flush()
    for position, (sku, units) in enumerate(lines.items()):
        ident = number * 100 + position
        session.add(
            LineItem(
                id=f"gid://shopify/LineItem/{ident}",
                order_id=order_id,
                position=position,
                sku=sku,
                barcode=BARCODES.get(sku),
                title=f"Item {sku}",
                quantity=units,
                current_quantity=units,
                unfulfilled_quantity=units,
            )
        )
        session.add(
            FulfillmentOrderLineItem(
                id=f"gid://shopify/FulfillmentOrderLineItem/{ident}",
                fulfillment_order_id=fo_id,
                line_item_id=f"gid://shopify/LineItem/{ident}",
                sku=sku,
                total_quantity=units,
                remaining_quantity=units,
            )
        )
    session.flush()
    return fo_id
