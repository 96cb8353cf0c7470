"""The shapes of an order's returns as `returns_page` and `nodes_order_returns` read them."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from oms_tui.store.payloads import PageInfo, Ref, Shape, Shown, ShownNote


class ReasonDefinition(Shape):
    handle: str | None = None
    name: Shown | None = None


class ReturnedLineItem(Shape):
    id: str
    sku: Shown | None = None
    name: Shown | None = None


class FulfillmentLine(Shape):
    line_item: ReturnedLineItem | None = None


class ReturnLineNode(Shape):
    id: str
    quantity: int
    customer_note: ShownNote | None = None
    return_reason_note: ShownNote = ""
    return_reason_definition: ReasonDefinition | None = None
    fulfillment_line_item: FulfillmentLine | None = None


class ReturnLinePage(Shape):
    page_info: PageInfo = PageInfo()
    nodes: list[ReturnLineNode]


class DispositionNode(Shape):
    id: str
    created_at: AwareDatetime
    type: str
    quantity: int
    location: Ref | None = None


class RfoLineNode(Shape):
    id: str
    total_quantity: int
    fulfillment_line_item: FulfillmentLine | None = None
    dispositions: list[DispositionNode] = Field(default_factory=list)


class RfoLinePage(Shape):
    page_info: PageInfo = PageInfo()
    nodes: list[RfoLineNode]


class Tracking(Shape):
    carrier_name: Shown | None = None
    number: Shown | None = None


class Deliverable(Shape):
    tracking: Tracking | None = None


class ReverseDeliveryNode(Shape):
    id: str
    deliverable: Deliverable | None = None


class ReverseDeliveryPage(Shape):
    nodes: list[ReverseDeliveryNode] = Field(default_factory=list)


class RfoNode(Shape):
    id: str
    status: str
    line_items: RfoLinePage
    reverse_deliveries: ReverseDeliveryPage = ReverseDeliveryPage()


class RfoPage(Shape):
    page_info: PageInfo = PageInfo()
    nodes: list[RfoNode]


class ReturnNode(Shape):
    id: str
    name: Shown
    status: str
    created_at: AwareDatetime
    closed_at: AwareDatetime | None = None
    total_quantity: int
    return_line_items: ReturnLinePage
    reverse_fulfillment_orders: RfoPage

    @property
    def cut_short(self) -> bool:
        """More lines or reverse fulfillment orders than one read holds (`return_pages` reads the rest)."""
        return (
            self.return_line_items.page_info.has_next_page
            or self.reverse_fulfillment_orders.page_info.has_next_page
            or any(rfo.line_items.page_info.has_next_page for rfo in self.reverse_fulfillment_orders.nodes)
        )


class ReturnPage(Shape):
    page_info: PageInfo = PageInfo()
    nodes: list[ReturnNode]


class OrderReturnsNode(Shape):
    id: str
    updated_at: AwareDatetime
    returns: ReturnPage
