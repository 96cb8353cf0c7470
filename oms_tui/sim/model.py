"""The simulator's objects: plain dataclasses named after their GraphQL types, fields in snake_case.

`id` is always the global id (`gid://shopify/Order/5801000000`). Times are UTC `datetime`s at second
resolution, as Shopify serves them. Quantities follow Shopify: `current_quantity` drops when an order
is cancelled, `unfulfilled_quantity` when a fulfillment is created, and a fulfillment order line's
`remaining_quantity` is what may still be fulfilled from that fulfillment order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oms_tui.sim.return_model import Return


def gid(kind: str, legacy_id: int) -> str:
    return f"gid://shopify/{kind}/{legacy_id}"


def legacy_id_of(global_id: str) -> tuple[str, int] | None:
    """`gid://shopify/Order/12?x=y` -> ("Order", 12); None if it is not a Shopify gid."""
    prefix = "gid://shopify/"
    if not global_id.startswith(prefix):
        return None
    kind, _, rest = global_id[len(prefix) :].partition("/")
    number = rest.split("?", 1)[0]
    return (kind, int(number)) if number.isdigit() else None


@dataclass
class LocationAddress:
    address1: str | None
    address2: str | None
    city: str | None
    province: str | None
    province_code: str | None
    zip: str | None
    country: str | None
    country_code: str | None
    phone: str | None


@dataclass
class Location:
    id: str
    name: str
    is_active: bool
    address: LocationAddress


@dataclass
class Variant:
    """A sellable SKU: its ProductVariant and InventoryItem share the catalogue index."""

    id: str
    inventory_item_id: str
    sku: str
    barcode: str
    title: str
    requires_shipping: bool

    @property
    def price(self) -> Decimal:
        """A price of its own, the same at every start (the catalogue has none)."""
        return Decimal(9 + int(self.id.rsplit("/", 1)[1]) % 40 * 5) + Decimal("0.99")


@dataclass
class InventoryQuantity:
    id: str
    name: str
    quantity: int


# The quantity names Shopify keeps per level. `on_hand` is the sum of the states a unit on the shelf
# can be in (available, committed, reserved, damaged, quality_control, safety_stock); `incoming` is
# not on hand yet. `available` is what is left of `on_hand`, so changing it changes `on_hand` too.
QUANTITY_NAMES = (
    "available",
    "on_hand",
    "committed",
    "incoming",
    "damaged",
    "reserved",
    "quality_control",
    "safety_stock",
)
HELD_STATES = ("committed", "reserved", "damaged", "quality_control", "safety_stock")


@dataclass
class InventoryLevel:
    id: str
    location: Location
    item: InventoryItem
    on_hand: int
    committed: int
    # Plain defaults (class attributes): a level of a shop saved before they existed reads them as 0.
    incoming: int = 0
    damaged: int = 0
    reserved: int = 0
    quality_control: int = 0
    safety_stock: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - sum(getattr(self, name) for name in HELD_STATES)

    def quantity(self, name: str) -> int:
        return int(getattr(self, name))

    def quantities(self, names: list[str]) -> list[InventoryQuantity]:
        return [
            InventoryQuantity(f"{self.id}&name={n}", n, self.quantity(n))
            for n in names
            if n in QUANTITY_NAMES
        ]


# A shop saved before items kept `updated_at` restores them with this (as unchanged since long ago).
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class InventoryItem:
    id: str
    sku: str
    levels: list[InventoryLevel] = field(default_factory=list)
    updated_at: datetime = LONG_AGO  # moves when a level's quantity changes, as `inventoryItems` filters it
    tracked: bool = True

    def level_at(self, location_id: str) -> InventoryLevel | None:
        return next((level for level in self.levels if level.location.id == location_id), None)


@dataclass
class Customer:
    id: str
    first_name: str
    last_name: str
    email: str
    number_of_orders: int = 1  # this one included: 1 is a first order

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def default_email_address(self) -> dict[str, str] | None:
        return {"emailAddress": self.email} if self.email else None


@dataclass
class MailingAddress:
    id: str
    name: str | None
    address1: str | None
    address2: str | None
    city: str | None
    province: str | None
    province_code: str | None
    zip: str | None
    country: str | None
    country_code_v2: str | None
    phone: str | None


@dataclass
class RiskAssessment:
    risk_level: str


@dataclass
class OrderRisk:
    recommendation: str
    assessments: list[RiskAssessment]


@dataclass
class ShippingLine:
    title: str  # what the customer chose at checkout: "UPS Ground"
    carrier_identifier: str | None = None  # set when a carrier service computed the rate


@dataclass
class LineItemGroup:
    """A bundle sold as one product, whose components are the order's lines that name it."""

    id: str
    title: str
    quantity: int
    variant_sku: str | None = None


@dataclass
class LineItem:
    id: str
    variant: Variant
    name: str
    quantity: int
    current_quantity: int
    unfulfilled_quantity: int
    # A plain default (a class attribute): a line of a shop saved before bundles reads it as None.
    line_item_group: LineItemGroup | None = None

    @property
    def sku(self) -> str:
        return self.variant.sku

    @property
    def title(self) -> str:
        return self.name.split(" - ", 1)[0]

    @property
    def requires_shipping(self) -> bool:
        return self.variant.requires_shipping


@dataclass
class TrackingInfo:
    company: str | None
    number: str | None
    url: str | None


@dataclass
class Fulfillment:
    id: str
    status: str
    created_at: datetime
    tracking_info: list[TrackingInfo]
    location_id: str
    quantities: dict[str, int]  # line item gid -> quantity shipped
    fulfillment_order_ids: list[str] = field(default_factory=list)

    def line_items_of(self, order: Order) -> list[FulfillmentLineItem]:
        """One line per line item shipped, as `Fulfillment.fulfillmentLineItems` serves them."""
        items = {item.id: item for item in order.line_items}
        legacy = self.id.rsplit("/", 1)[1]
        return [
            FulfillmentLineItem(f"gid://shopify/FulfillmentLineItem/{legacy}{n:03d}", items[ident], quantity)
            for n, (ident, quantity) in enumerate(self.quantities.items())
        ]


@dataclass
class FulfillmentLineItem:
    id: str
    line_item: LineItem
    quantity: int


@dataclass
class FulfillmentHold:
    id: str
    reason: str
    reason_notes: str | None
    handle: str | None


@dataclass
class FulfillmentOrderLineItem:
    id: str
    line_item: LineItem
    total_quantity: int
    remaining_quantity: int

    @property
    def sku(self) -> str:
        return self.line_item.sku


@dataclass
class FulfillmentOrder:
    id: str
    order_id: str
    status: str
    created_at: datetime
    updated_at: datetime
    location: Location
    line_items: list[FulfillmentOrderLineItem]
    fulfill_at: datetime | None = None  # a scheduled (pre-order) one opens then
    fulfill_by: datetime | None = None  # the store's deadline
    request_status: str = "UNSUBMITTED"
    holds: list[FulfillmentHold] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        return self.status in ("CLOSED", "CANCELLED", "INCOMPLETE")

    @property
    def supported_actions(self) -> list[str]:
        if self.status in ("OPEN", "IN_PROGRESS"):
            return ["CREATE_FULFILLMENT", "HOLD", "MOVE"]
        if self.status == "ON_HOLD":
            return ["RELEASE_HOLD", "HOLD"]
        return []


@dataclass
class CancelRequest:
    """What `orderCancel` was asked: the refund and restock decisions, as the client sent them."""

    reason: str
    restock: bool
    refund_method: dict[str, Any] | None  # OrderCancelRefundMethodInput, None when not given
    notify_customer: bool
    staff_note: str | None

    @property
    def refunds(self) -> bool:
        method = self.refund_method or {}
        return bool(method.get("originalPaymentMethodsRefund")) or method.get("storeCreditRefund") is not None


@dataclass
class Order:
    id: str
    number: int
    created_at: datetime
    updated_at: datetime
    email: str | None
    customer: Customer | None
    shipping_address: MailingAddress | None
    line_items: list[LineItem]
    fulfillment_orders: list[FulfillmentOrder]
    display_financial_status: str | None = "PAID"
    risk: OrderRisk = field(default_factory=lambda: OrderRisk("ACCEPT", [RiskAssessment("LOW")]))
    tags: list[str] = field(default_factory=list)
    note: str | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    cancel_request: CancelRequest | None = None  # set by orderCancel; cancelled_at follows when its job ran
    fulfillments: list[Fulfillment] = field(default_factory=list)
    source_name: str = "web"  # the sales channel
    shipping_line: ShippingLine | None = None
    returns: list[Return] = field(default_factory=list)
    currency: str = "USD"

    @property
    def total_price_set(self) -> dict[str, Any]:
        total = sum((li.variant.price * li.quantity for li in self.line_items), Decimal(0))
        return {"shopMoney": {"amount": str(total), "currencyCode": self.currency}}

    @property
    def name(self) -> str:
        return f"#{self.number}"

    @property
    def legacy_resource_id(self) -> str:
        return self.id.rsplit("/", 1)[1]

    @property
    def processed_at(self) -> datetime:
        return self.created_at

    @property
    def display_fulfillment_status(self) -> str:
        fulfilled = sum(li.current_quantity - li.unfulfilled_quantity for li in self.line_items)
        if fulfilled and not any(li.unfulfilled_quantity for li in self.line_items):
            return "FULFILLED"
        if fulfilled:
            return "PARTIALLY_FULFILLED"
        statuses = {fo.status for fo in self.fulfillment_orders}
        if "ON_HOLD" in statuses and not statuses & {"OPEN", "IN_PROGRESS"}:
            return "ON_HOLD"
        return "IN_PROGRESS" if "IN_PROGRESS" in statuses else "UNFULFILLED"

    @property
    def closed(self) -> bool:
        """Shopify archives cancelled orders, and fulfilled paid ones (the default auto-archive)."""
        if self.cancelled_at is not None:
            return True
        return self.display_fulfillment_status == "FULFILLED" and self.display_financial_status == "PAID"

    @property
    def return_status(self) -> str:
        """`OrderReturnStatus`, as the `return_status` search filter sees it."""
        statuses = {r.status for r in self.returns}
        if "REQUESTED" in statuses:
            return "RETURN_REQUESTED"
        if "OPEN" in statuses:
            return "IN_PROGRESS"
        return "RETURNED" if "CLOSED" in statuses else "NO_RETURN"
