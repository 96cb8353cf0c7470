"""The shapes of the store's answers, validated before anything reaches the cache.

A payload that does not fit (a missing id, a quantity that is not a number) raises a pydantic
`ValidationError`, which sync reports as a malformed payload with the object's path.
"""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class Shape(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


class PageInfo(Shape):
    has_next_page: bool = False
    end_cursor: str | None = None


class Ref(Shape):
    id: str


class Customer(Shape):
    display_name: str | None = None


class RiskAssessment(Shape):
    risk_level: str | None = None


class Risk(Shape):
    recommendation: str | None = None
    assessments: list[RiskAssessment] = Field(default_factory=list)


class Variant(Shape):
    barcode: str | None = None


class LineItemNode(Shape):
    id: str
    sku: str | None = None
    name: str | None = None
    title: str | None = None
    quantity: int
    current_quantity: int
    unfulfilled_quantity: int
    requires_shipping: bool = True
    variant: Variant | None = None


class LineItemPage(Shape):
    page_info: PageInfo = PageInfo()
    nodes: list[LineItemNode]


class TrackingInfo(Shape):
    company: str | None = None
    number: str | None = None
    url: str | None = None


class FulfillmentNode(Shape):
    id: str
    status: str
    created_at: AwareDatetime
    tracking_info: list[TrackingInfo] = Field(default_factory=list)


class ShippingLine(Shape):
    title: str | None = None


class OrderNode(Shape):
    id: str
    name: str
    created_at: AwareDatetime
    updated_at: AwareDatetime
    cancelled_at: AwareDatetime | None = None
    cancel_reason: str | None = None
    closed: bool = False
    display_financial_status: str | None = None
    display_fulfillment_status: str
    tags: list[str] = Field(default_factory=list)
    note: str | None = None
    email: str | None = None
    customer: Customer | None = None
    shipping_address: dict[str, Any] | None = None
    risk: Risk | None = None
    source_name: str | None = None  # the sales channel
    shipping_line: ShippingLine | None = None
    line_items: LineItemPage
    fulfillments: list[FulfillmentNode] = Field(default_factory=list)


class AssignedLocation(Shape):
    name: str | None = None
    location: Ref | None = None


class HoldNode(Shape):
    id: str
    reason: str
    reason_notes: str | None = None
    handle: str | None = None


class FulfillmentOrderLineNode(Shape):
    id: str
    sku: str | None = None
    total_quantity: int
    remaining_quantity: int
    line_item: Ref


class FulfillmentOrderLinePage(Shape):
    page_info: PageInfo = PageInfo()
    nodes: list[FulfillmentOrderLineNode]


class FulfillmentOrderNode(Shape):
    id: str
    order_id: str
    status: str
    request_status: str | None = None
    fulfill_at: AwareDatetime | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    assigned_location: AssignedLocation | None = None
    fulfillment_holds: list[HoldNode] = Field(default_factory=list)
    line_items: FulfillmentOrderLinePage


class LocationNode(Shape):
    id: str
    name: str
    is_active: bool = True


class Quantity(Shape):
    name: str
    quantity: int


class InventoryLevelNode(Shape):
    location: Ref
    quantities: list[Quantity]


class InventoryLevelPage(Shape):
    nodes: list[InventoryLevelNode]


class InventoryItemNode(Shape):
    id: str
    sku: str | None = None
    inventory_levels: InventoryLevelPage
