"""The simulator's returns: a `Return` of a shipped order, its reverse fulfillment orders and their
dispositions, named after their GraphQL types as in `model.py`.

Ids derive from the order's index and the return's position on it (see `returns_factory`), so an
object is found from its id alone, seeded or live, without a lookup table to save across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from oms_tui.sim.model import FulfillmentLineItem, Location


@dataclass
class ReturnReasonDefinition:
    id: str
    handle: str
    name: str
    deleted: bool = False


@dataclass
class ReturnLineItem:
    id: str
    fulfillment_line_item: FulfillmentLineItem
    quantity: int
    return_reason_definition: ReturnReasonDefinition
    return_reason_note: str = ""
    customer_note: str | None = None


@dataclass
class ReverseFulfillmentOrderDisposition:
    id: str
    created_at: datetime
    location: Location | None
    quantity: int
    type: str


@dataclass
class ReverseFulfillmentOrderLineItem:
    id: str
    fulfillment_line_item: FulfillmentLineItem
    total_quantity: int
    dispositions: list[ReverseFulfillmentOrderDisposition] = field(default_factory=list)

    @property
    def left_to_dispose(self) -> int:
        return self.total_quantity - sum(d.quantity for d in self.dispositions)


@dataclass
class ReverseDeliveryTracking:
    carrier_name: str | None
    number: str | None
    url: str | None


@dataclass
class ReverseDelivery:
    id: str
    tracking: ReverseDeliveryTracking | None


@dataclass
class ReverseFulfillmentOrder:
    id: str
    order_id: str
    status: str  # OPEN, CLOSED, CANCELED
    line_items: list[ReverseFulfillmentOrderLineItem]
    reverse_deliveries: list[ReverseDelivery] = field(default_factory=list)


@dataclass
class Return:
    id: str
    order_id: str
    name: str  # "#1004-R1"
    status: str  # REQUESTED, OPEN, CLOSED, DECLINED, CANCELED
    created_at: datetime
    return_line_items: list[ReturnLineItem]
    reverse_fulfillment_orders: list[ReverseFulfillmentOrder]
    closed_at: datetime | None = None

    @property
    def total_quantity(self) -> int:
        return sum(line.quantity for line in self.return_line_items)

    @property
    def request_approved_at(self) -> datetime | None:
        return None if self.status == "REQUESTED" else self.created_at


@dataclass
class ReverseDeliveryShippingDeliverable:
    """`ReverseDelivery.deliverable`: the one member of its union Shopify has."""

    tracking: ReverseDeliveryTracking | None
    label: None = None
