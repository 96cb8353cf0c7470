"""Inventory transfers between locations, their shipments and the shipments' lines, as Shopify has
them (`InventoryTransfer`, `InventoryShipment`, `InventoryShipmentLineItem`), and a few seeded ones
on their way to the first warehouse: the dock's inbound work.

What a shipment line has received is what `inventoryShipmentReceive` added to it: accepted units went
on hand at the destination, rejected ones did not; both leave the destination's `incoming`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from oms_tui.sim.model import InventoryItem, Location, LocationAddress, gid

TRANSFER_BASE = 9_100_000
SHIPMENT_BASE = 9_200_000
SHIPMENT_LINE_BASE = 9_300_000
TRANSFER_LINE_BASE = 9_400_000
SEEDED_TRANSFERS = 3
CARRIERS = ("UPS", "FedEx", "DHL Express")


@dataclass
class LocationSnapshot:
    name: str
    location: Location | None
    address: LocationAddress
    snapshotted_at: datetime


@dataclass
class ShipmentTracking:
    company: str | None
    tracking_number: str | None
    tracking_url: str | None = None
    arrives_at: datetime | None = None


@dataclass
class ShipmentLine:
    id: str
    inventory_item: InventoryItem
    quantity: int
    accepted_quantity: int = 0
    rejected_quantity: int = 0

    @property
    def unreceived_quantity(self) -> int:
        return max(self.quantity - self.accepted_quantity - self.rejected_quantity, 0)


@dataclass
class InventoryShipment:
    id: str
    name: str
    status: str  # DRAFT, IN_TRANSIT, PARTIALLY_RECEIVED, RECEIVED, OTHER
    line_items: list[ShipmentLine]
    tracking: ShipmentTracking | None
    date_created: datetime
    date_shipped: datetime | None = None
    date_received: datetime | None = None
    barcode: str | None = None

    @property
    def line_item_total_quantity(self) -> int:
        return sum(line.quantity for line in self.line_items)

    @property
    def total_accepted_quantity(self) -> int:
        return sum(line.accepted_quantity for line in self.line_items)

    @property
    def total_rejected_quantity(self) -> int:
        return sum(line.rejected_quantity for line in self.line_items)

    @property
    def total_received_quantity(self) -> int:
        return self.total_accepted_quantity + self.total_rejected_quantity


@dataclass
class TransferLine:
    id: str
    inventory_item: InventoryItem
    title: str
    total_quantity: int
    shipped_quantity: int


@dataclass
class InventoryTransfer:
    id: str
    name: str
    status: str  # DRAFT, READY_TO_SHIP, IN_PROGRESS, TRANSFERRED, CANCELED, OTHER
    origin: LocationSnapshot | None
    destination: LocationSnapshot | None
    line_items: list[TransferLine]
    shipments: list[InventoryShipment]
    date_created: datetime
    reference_name: str | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def total_quantity(self) -> int:
        return sum(line.total_quantity for line in self.line_items)

    @property
    def received_quantity(self) -> int:
        return sum(shipment.total_received_quantity for shipment in self.shipments)


def snapshot(location: Location, at: datetime) -> LocationSnapshot:
    return LocationSnapshot(location.name, location, location.address, at)


def build_transfers(
    seed: int, anchor: datetime, locations: list[Location], items: list[InventoryItem], titles: dict[str, str]
) -> list[InventoryTransfer]:
    """A few transfers from the second location to the first, each with one shipment in transit;
    the destination's `incoming` counts their units (a generator of its own: nothing else moves)."""
    rng = random.Random(f"{seed}:transfers")
    origin, destination = locations[1], locations[0]
    transfers = []
    for n in range(SEEDED_TRANSFERS):
        created = anchor - timedelta(days=SEEDED_TRANSFERS - n, hours=rng.randrange(12))
        chosen = rng.sample(items, rng.randint(3, 5))
        quantities = [rng.choice((6, 12, 12, 24, 48)) for _ in chosen]
        lines = [
            ShipmentLine(gid("InventoryShipmentLineItem", SHIPMENT_LINE_BASE + n * 100 + k), item, quantity)
            for k, (item, quantity) in enumerate(zip(chosen, quantities, strict=True))
        ]
        company = rng.choice(CARRIERS)
        shipment = InventoryShipment(
            gid("InventoryShipment", SHIPMENT_BASE + n),
            f"#T{1001 + n:04d}-S1",
            "IN_TRANSIT",
            lines,
            ShipmentTracking(company, f"{company[:2].upper()}{rng.randrange(10**10):010d}", None, anchor),
            created,
            created + timedelta(hours=2),
        )
        transfers.append(
            InventoryTransfer(
                gid("InventoryTransfer", TRANSFER_BASE + n),
                f"#T{1001 + n:04d}",
                "IN_PROGRESS",
                snapshot(origin, created),
                snapshot(destination, created),
                [
                    TransferLine(
                        gid("InventoryTransferLineItem", TRANSFER_LINE_BASE + n * 100 + k),
                        item,
                        titles.get(item.sku, item.sku),
                        quantity,
                        quantity,
                    )
                    for k, (item, quantity) in enumerate(zip(chosen, quantities, strict=True))
                ],
                [shipment],
                created,
                reference_name=f"PO-{rng.randrange(10_000, 99_999)}",
            )
        )
        for item, quantity in zip(chosen, quantities, strict=True):
            level = item.level_at(destination.id)
            if level is not None:
                level.incoming += quantity
    return transfers
