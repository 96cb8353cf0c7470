"""One order in a cache, as sync leaves it: a customer with an email, lines, a shipment half made."""

from __future__ import annotations

from datetime import UTC, datetime

from oms_tui.cache.database import Cache
from oms_tui.cache.models import Fulfillment, FulfillmentOrder, LineItem, Order
from tests.team import hire

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
ORDER = "gid://shopify/Order/1"
EMAIL = "ana.lima@example.org"


def seed_order(
    cache: Cache, *, email: str | None = EMAIL, note: str | None = "Leave at the back door"
) -> None:
    hire(cache)
    with cache.sessions() as session:
        session.add(
            Order(
                id=ORDER,
                name="#1001",
                customer_name="Ana Lima",
                email=email,
                shipping_address={
                    "name": "Ana Lima",
                    "address1": "Rua Augusta 12",
                    "city": "Lisboa",
                    "zip": "1100-053",
                    "country": "Portugal",
                },
                fulfillment_status="PARTIALLY_FULFILLED",
                note=note,
                shipping_method="UPS Standard",
                created_at=T0,
                updated_at=T0,
                synced_at=T0,
            )
        )
        session.add(
            FulfillmentOrder(
                id="gid://shopify/FulfillmentOrder/1",
                order_id=ORDER,
                status="IN_PROGRESS",
                created_at=T0,
                updated_at=T0,
                synced_at=T0,
            )
        )
        session.flush()
        session.add_all(
            [
                LineItem(
                    id="gid://shopify/LineItem/1",
                    order_id=ORDER,
                    position=0,
                    sku="TEE-RED-M",
                    title="Tee red M",
                    quantity=2,
                    current_quantity=2,
                    unfulfilled_quantity=0,
                ),
                LineItem(
                    id="gid://shopify/LineItem/2",
                    order_id=ORDER,
                    position=1,
                    sku="CAP-BLK",
                    title="Cap black",
                    quantity=1,
                    current_quantity=1,
                    unfulfilled_quantity=1,
                ),
                Fulfillment(
                    id="gid://shopify/Fulfillment/1",
                    order_id=ORDER,
                    status="SUCCESS",
                    tracking_company="UPS",
                    tracking_number="1Z999AA10123456784",
                    created_at=T0,
                ),
            ]
        )
        session.commit()
