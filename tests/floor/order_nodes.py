"""Orders as the store sends them (payload shapes), for tests that write through sync's own writers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from oms_tui.store.payloads import OrderNode
from oms_tui.store.sync_writes import write_orders

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def order_node(
    number: int,
    customer: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    lines: list[tuple[str, str]] = (),  # type: ignore[assignment]  # (sku, barcode)
    tracking: list[str] = (),  # type: ignore[assignment]
    cancelled: bool = False,
    version: int = 0,
) -> OrderNode:
    """Order #`number` (id `number` too); `version` moves its updatedAt on, to be written again."""
    created = T0 + timedelta(minutes=number)
    payload: dict[str, Any] = {
        "id": f"gid://shopify/Order/{number}",
        "name": f"#{number}",
        "createdAt": created.isoformat(),
        "updatedAt": (created + timedelta(hours=version)).isoformat(),
        "cancelledAt": created.isoformat() if cancelled else None,
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "FULFILLED" if tracking else "UNFULFILLED",
        "email": email,
        "customer": {"displayName": customer},
        "shippingAddress": {"name": customer, "city": "Leeds", "countryCodeV2": "GB", "phone": phone},
        "lineItems": {
            "nodes": [
                {
                    "id": f"gid://shopify/LineItem/{number * 100 + k}",
                    "sku": sku,
                    "name": f"Item {sku}",
                    "quantity": 1,
                    "currentQuantity": 1,
                    "unfulfilledQuantity": 0 if tracking else 1,
                    "variant": {"barcode": barcode},
                }
                for k, (sku, barcode) in enumerate(lines)
            ]
        },
        "fulfillments": [
            {
                "id": f"gid://shopify/Fulfillment/{number * 10 + k}",
                "status": "SUCCESS",
                "createdAt": (created + timedelta(hours=1)).isoformat(),
                "trackingInfo": [{"company": "UPS", "number": parcel, "url": None}],
            }
            for k, parcel in enumerate(tracking)
        ],
    }
    return OrderNode.model_validate(payload)


def write(session: Session, *nodes: OrderNode) -> None:
    write_orders(session, list(nodes), {}, T0 + timedelta(days=1))
    session.commit()
