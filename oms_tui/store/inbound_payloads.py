"""The shapes of the store's inbound answers: transfers, their shipments and the shipments' lines."""

from __future__ import annotations

from pydantic import AwareDatetime

from oms_tui.store.payloads import PageInfo, Ref, Shape, Shown


class Snapshot(Shape):
    name: Shown
    location: Ref | None = None


class TransferLine(Shape):
    title: Shown | None = None
    inventory_item: Ref | None = None


class TransferLines(Shape):
    nodes: list[TransferLine] = []


class ShipmentRef(Shape):
    id: str
    name: Shown
    status: str


class ShipmentRefs(Shape):
    nodes: list[ShipmentRef] = []


class TransferNode(Shape):
    id: str
    name: Shown
    status: str
    origin: Snapshot | None = None
    destination: Snapshot | None = None
    line_items: TransferLines = TransferLines()
    shipments: ShipmentRefs = ShipmentRefs()


class Item(Shape):
    id: str
    sku: Shown | None = None


class ShipmentLineNode(Shape):
    id: str
    quantity: int
    accepted_quantity: int
    rejected_quantity: int
    unreceived_quantity: int
    inventory_item: Item | None = None


class ShipmentLines(Shape):
    page_info: PageInfo = PageInfo()
    nodes: list[ShipmentLineNode] = []


class Tracking(Shape):
    company: Shown | None = None
    tracking_number: Shown | None = None
    arrives_at: AwareDatetime | None = None


class ShipmentNode(Shape):
    id: str
    name: Shown
    status: str
    date_created: AwareDatetime | None = None
    tracking: Tracking | None = None
    line_items: ShipmentLines = ShipmentLines()
