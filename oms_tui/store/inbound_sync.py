"""The `inbound` stream: transfers' shipments on their way to our locations, and what each line has
received, so the dock sees its inbound queue.

A transfer has no `updatedAt` search, and a shop has few of them: each pass reads the transfers,
keeps those bound for a location the cache knows, and reads the lines of each shipment that can still
receive (in transit, partly received) or that the cache does not hold yet. A shipment received
in full and held already is left as it is. Drafts (not shipped) are no one's work yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlmodel import Session, col, delete, select

from oms_tui.cache.models import InventoryShipment, InventoryShipmentLine, Location
from oms_tui.cache.upsert import UpsertResult, upsert_all
from oms_tui.store.inbound_payloads import ShipmentNode, TransferNode
from oms_tui.store.malformed_objects import first_error

if TYPE_CHECKING:
    from oms_tui.store.sync import StreamCounts, SyncEngine

STREAM = "inbound"
RECEIVING = ("IN_TRANSIT", "PARTIALLY_RECEIVED")


async def sync_inbound(engine: SyncEngine, counts: StreamCounts) -> None:
    cache, clock = engine.cache, engine.clock
    with cache.sessions() as session:
        ours = set(session.exec(select(Location.id)))
    async for page in engine.client.paginate(
        "inventory_transfers", {}, connection_path=("inventoryTransfers",)
    ):
        result = UpsertResult([], [], [])
        for transfer in engine.malformed.parse(page, TransferNode, counts.errors, STREAM):
            destination = transfer.destination.location if transfer.destination else None
            if destination is None or destination.id not in ours:
                continue
            for ref in transfer.shipments.nodes:
                if ref.status == "DRAFT" or not await _wanted(engine, ref.id, ref.status):
                    continue
                data = await engine.client.execute("inventory_shipment", {"id": ref.id})
                try:
                    shipment = ShipmentNode.model_validate(data.get("inventoryShipment"))
                except ValidationError as exc:
                    problem = f"malformed InventoryShipment {ref.id}: {first_error(exc)}"
                    counts.errors.append(problem)
                    engine.malformed.report(ref.id, problem)
                    continue
                with cache.sessions() as session:
                    outcome = write_shipment(session, transfer, shipment, clock())
                    session.commit()
                getattr(result, outcome).append(ref.id)
        with cache.sessions() as session:
            engine._commit_page(session, STREAM, counts, result, watermark=None)


async def _wanted(engine: SyncEngine, shipment_id: str, status: str) -> bool:
    with engine.cache.sessions() as session:
        held = session.get(InventoryShipment, shipment_id)
    return held is None or status in RECEIVING or held.status != status


def write_shipment(session: Session, transfer: TransferNode, node: ShipmentNode, now: datetime) -> str:
    """The shipment as the store has it now, its lines replaced by the store's; says whether it was
    "created", "updated" or "unchanged" (then nothing is written)."""
    titles = {line.inventory_item.id: line.title for line in transfer.line_items.nodes if line.inventory_item}
    destination = transfer.destination
    tracking = node.tracking
    shipment = {
        "id": node.id,
        "transfer_id": transfer.id,
        "transfer_name": transfer.name,
        "name": node.name,
        "status": node.status,
        "origin_name": transfer.origin.name if transfer.origin else None,
        "destination_location_id": destination.location.id if destination and destination.location else None,
        "destination_name": destination.name if destination else None,
        "tracking_company": tracking.company if tracking else None,
        "tracking_number": tracking.tracking_number if tracking else None,
        "arrives_at": tracking.arrives_at if tracking else None,
        "created_at": node.date_created,
    }
    lines = node.line_items.nodes
    line_rows = [
        {
            "id": line.id,
            "shipment_id": node.id,
            "position": position,
            "inventory_item_id": line.inventory_item.id if line.inventory_item else None,
            "sku": line.inventory_item.sku if line.inventory_item else None,
            "title": titles.get(line.inventory_item.id) if line.inventory_item else None,
            "quantity": line.quantity,
            "accepted_quantity": line.accepted_quantity,
            "rejected_quantity": line.rejected_quantity,
            "unreceived_quantity": line.unreceived_quantity,
        }
        for position, line in enumerate(lines)
    ]
    held = session.get(InventoryShipment, node.id)
    if held is not None:
        held_lines = session.exec(
            select(InventoryShipmentLine).where(InventoryShipmentLine.shipment_id == node.id)
        ).all()
        by_id = {line.id: line.model_dump() for line in held_lines}
        same = all(getattr(held, key) == value for key, value in shipment.items()) and by_id == {
            str(row["id"]): row for row in line_rows
        }
        if same:
            return "unchanged"
    upsert_all(session, InventoryShipment, [{**shipment, "synced_at": now}])
    session.exec(
        delete(InventoryShipmentLine).where(
            col(InventoryShipmentLine.shipment_id) == node.id,
            col(InventoryShipmentLine.id).not_in([line.id for line in lines]),
        )
    )
    upsert_all(session, InventoryShipmentLine, line_rows)
    return "created" if held is None else "updated"
