"""inventoryShipmentReceive, with Shopify's rules: the `@idempotent(key:)` directive is required (from
2026-04), a key applied once is answered again without applying it twice (the same key with other
arguments is IDEMPOTENCY_KEY_PARAMETER_MISMATCH), and the call is all or nothing: the shipment exists
and is in transit or partly received, each line is on it with a quantity above 0.

Accepted units go on hand at the destination; rejected ones do not; both leave its `incoming`. Units
beyond what a line shipped are taken (an over-receipt is the receiver's call, not the store's).
"""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo
from graphql.execution.values import get_directive_values

from oms_tui.sim.fulfillment_mutations import user_error
from oms_tui.sim.store import SimStore
from oms_tui.sim.transfer_model import InventoryShipment, InventoryTransfer
from oms_tui.sim.transfer_resolvers import find_shipment

RECEIVABLE = ("IN_TRANSIT", "PARTIALLY_RECEIVED")


def idempotency_key(info: GraphQLResolveInfo) -> str | None:
    directive = info.schema.get_directive("idempotent")
    if directive is None:
        return None
    values = get_directive_values(directive, info.field_nodes[0], info.variable_values)
    return str(values["key"]) if values and values.get("key") else None


def inventory_shipment_receive(
    _: Any,
    info: GraphQLResolveInfo,
    id: str,
    lineItems: list[dict[str, Any]] | None = None,
    dateReceived: str | None = None,
    bulkReceiveAction: str | None = None,
) -> dict[str, Any]:
    store: SimStore = info.context["store"]
    key = idempotency_key(info)
    if key is None:
        raise GraphQLError(
            "inventoryShipmentReceive requires an idempotency key: add @idempotent(key: ...) to the field",
            extensions={"code": "BAD_REQUEST"},
        )
    asked = json.dumps([id, lineItems, bulkReceiveAction], sort_keys=True)
    if key in store.received_keys:
        before, shipment_id = store.received_keys[key]
        if before != asked:
            error = user_error(
                None,
                "The idempotency key was used with other arguments",
                "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
            )
            return {"inventoryShipment": None, "userErrors": [error]}
        found = find_shipment(store, shipment_id)
        return {"inventoryShipment": found[1] if found else None, "userErrors": []}
    found = find_shipment(store, id)
    if found is None:
        return {
            "inventoryShipment": None,
            "userErrors": [user_error(["id"], "Shipment not found", "SHIPMENT_NOT_FOUND")],
        }
    transfer, shipment = found
    errors = _check(transfer, shipment, lineItems or [], bulkReceiveAction)
    if errors:
        return {"inventoryShipment": None, "userErrors": errors}
    items = lineItems or [
        {"shipmentLineItemId": line.id, "quantity": line.unreceived_quantity, "reason": bulkReceiveAction}
        for line in shipment.line_items
        if line.unreceived_quantity
    ]
    _apply(store, transfer, shipment, items)
    store.received_keys[key] = (asked, shipment.id)
    store.changes += 1
    return {"inventoryShipment": shipment, "userErrors": []}


def _check(
    transfer: InventoryTransfer, shipment: InventoryShipment, items: list[dict[str, Any]], bulk: str | None
) -> list[dict[str, Any]]:
    if shipment.status not in RECEIVABLE:
        status = shipment.status.lower().replace("_", " ")
        return [
            user_error(
                ["id"],
                f"Shipment {shipment.name} is {status}: it cannot be received",
                "INVALID_SHIPMENT_STATUS",
            )
        ]
    destination = transfer.destination.location if transfer.destination else None
    if destination is None:
        return [user_error(["id"], "The shipment's destination was not found", "LOCATION_NOT_FOUND")]
    if not destination.is_active:
        return [user_error(["id"], f"Location {destination.name} is not active", "LOCATION_NOT_ACTIVE")]
    if not items and bulk is None:
        return [user_error(["lineItems"], "Give line items or a bulk receive action", "INVALID_QUANTITY")]
    lines = {line.id for line in shipment.line_items}
    errors = []
    for n, item in enumerate(items):
        path = ["lineItems", str(n)]
        if item["shipmentLineItemId"] not in lines:
            errors.append(
                user_error(
                    [*path, "shipmentLineItemId"], "Line item not found on the shipment", "ITEM_NOT_FOUND"
                )
            )
        if item["quantity"] <= 0:
            errors.append(
                user_error([*path, "quantity"], "Quantity must be greater than 0", "INVALID_QUANTITY")
            )
    return errors


def _apply(
    store: SimStore, transfer: InventoryTransfer, shipment: InventoryShipment, items: list[dict[str, Any]]
) -> None:
    now = store.now()
    destination = transfer.destination.location if transfer.destination else None
    assert destination is not None
    lines = {line.id: line for line in shipment.line_items}
    for item in items:
        line, quantity = lines[item["shipmentLineItemId"]], item["quantity"]
        level = line.inventory_item.level_at(destination.id)
        if item["reason"] == "ACCEPTED":
            line.accepted_quantity += quantity
            if level is not None:
                level.on_hand += quantity
        else:
            line.rejected_quantity += quantity
        if level is not None:
            level.incoming -= min(level.incoming, quantity)
        line.inventory_item.updated_at = now
    shipment.status = (
        "RECEIVED"
        if all(not line.unreceived_quantity for line in shipment.line_items)
        else "PARTIALLY_RECEIVED"
    )
    shipment.date_received = now
    if all(other.status == "RECEIVED" for other in transfer.shipments):
        transfer.status = "TRANSFERRED"
