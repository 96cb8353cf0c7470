"""The shapes of the store's answers, validated before anything reaches the cache.

A payload that does not fit (a missing id, a quantity that is not a number) raises a pydantic
`ValidationError`, which sync reports as a malformed payload with the object's path.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from oms_tui.plain_text import visible

# Text people typed into the store (names, addresses, notes, tags, SKUs), shown on screens and in the
# shell: a control character in it arrives as its escape, never as a terminal sequence.
Shown = Annotated[str, AfterValidator(visible)]
ShownNote = Annotated[str, AfterValidator(partial(visible, newlines=True))]


def _shown_address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    return (
        None if address is None else {k: visible(v) if isinstance(v, str) else v for k, v in address.items()}
    )


class Shape(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


class PageInfo(Shape):
    has_next_page: bool = False
    end_cursor: str | None = None


class Ref(Shape):
    id: str


class Customer(Shape):
    display_name: Shown | None = None
    number_of_orders: int | None = None  # this order included


class Money(Shape):
    amount: Decimal
    currency_code: str


class MoneyBag(Shape):
    shop_money: Money


class RiskAssessment(Shape):
    risk_level: str | None = None


class Risk(Shape):
    recommendation: str | None = None
    assessments: list[RiskAssessment] = Field(default_factory=list)


class Variant(Shape):
    barcode: Shown | None = None


class LineItemGroup(Shape):
    """The bundle a line is a component of."""

    id: str
    title: Shown
    quantity: int


class LineItemNode(Shape):
    id: str
    sku: Shown | None = None
    name: Shown | None = None
    title: Shown | None = None
    quantity: int
    current_quantity: int
    unfulfilled_quantity: int
    requires_shipping: bool = True
    variant: Variant | None = None
    line_item_group: LineItemGroup | None = None


class LineItemPage(Shape):
    page_info: PageInfo = PageInfo()
    nodes: list[LineItemNode]


class TrackingInfo(Shape):
    company: Shown | None = None
    number: Shown | None = None
    url: Shown | None = None


class FulfillmentNode(Shape):
    id: str
    status: str
    created_at: AwareDatetime
    tracking_info: list[TrackingInfo] = Field(default_factory=list)


class ShippingLine(Shape):
    title: Shown | None = None


class OrderNode(Shape):
    id: str
    name: Shown
    created_at: AwareDatetime
    updated_at: AwareDatetime
    cancelled_at: AwareDatetime | None = None
    cancel_reason: str | None = None
    closed: bool = False
    display_financial_status: str | None = None
    display_fulfillment_status: str
    tags: list[Shown] = Field(default_factory=list)
    note: ShownNote | None = None
    email: Shown | None = None
    customer: Customer | None = None
    shipping_address: Annotated[dict[str, Any] | None, AfterValidator(_shown_address)] = None
    risk: Risk | None = None
    source_name: Shown | None = None  # the sales channel
    shipping_line: ShippingLine | None = None
    total_price_set: MoneyBag | None = None
    line_items: LineItemPage
    fulfillments: list[FulfillmentNode] = Field(default_factory=list)


class AssignedLocation(Shape):
    name: Shown | None = None
    location: Ref | None = None


class HoldNode(Shape):
    id: str
    reason: str
    reason_notes: ShownNote | None = None
    handle: str | None = None


class FulfillmentOrderLineNode(Shape):
    id: str
    sku: Shown | None = None
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
    fulfill_by: AwareDatetime | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    assigned_location: AssignedLocation | None = None
    fulfillment_holds: list[HoldNode] = Field(default_factory=list)
    line_items: FulfillmentOrderLinePage


class LocationNode(Shape):
    id: str
    name: Shown
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
    sku: Shown | None = None
    tracked: bool = True
    updated_at: AwareDatetime
    inventory_levels: InventoryLevelPage
