"""Units changing state at one location: available to damaged or quality_control (a damaged unit
found while picking, a return that needs checking), and back; compare-and-set on both ends.

Evidence after a lost answer: see `stock_common`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import Field, model_validator

from oms_tui.actions.base import ActionType, Known, Outcome, Payload, Request, Verdict
from oms_tui.actions.permissions import Permission
from oms_tui.actions.stock_common import (
    Key,
    MoveName,
    Reason,
    Uri,
    judge,
    key_trusted,
    ledger_uri,
    quantities_at,
    resend_with_key,
)
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client


class InventoryMovePayload(Payload):
    inventory_item_id: str
    location_id: str
    sku: str
    from_name: MoveName
    to_name: MoveName
    quantity: int = Field(gt=0, le=1_000_000)
    from_quantity: int | None  # each end's quantity the move was computed against
    to_quantity: int | None
    reason: Reason
    reference_document_uri: Uri
    idempotency_key: Key

    @model_validator(mode="after")
    def two_names(self) -> InventoryMovePayload:
        if self.from_name == self.to_name:
            raise ValueError("units move between two different quantity names")
        return self


class InventoryMove(ActionType[InventoryMovePayload]):
    kind = ActionKind.INVENTORY_MOVE
    payload_model = InventoryMovePayload
    permission = Permission.STOCK
    label = "stock move"
    scopes = ("write_inventory", "read_inventory")
    of_order = False

    def timeline(self, payload: InventoryMovePayload, locations: Mapping[str, str]) -> str:
        where = locations.get(payload.location_id, payload.location_id)
        return f"{payload.quantity} x {payload.sku} {payload.from_name} -> {payload.to_name} at {where}"

    def request(self, payload: InventoryMovePayload) -> Request:
        reference = payload.reference_document_uri

        def end(name: MoveName, quantity: int | None) -> dict[str, object]:
            return {
                "locationId": payload.location_id,
                "name": name.value,
                "changeFromQuantity": quantity,
                "ledgerDocumentUri": ledger_uri(reference, name),
            }

        change = {
            "inventoryItemId": payload.inventory_item_id,
            "quantity": payload.quantity,
            "from": end(payload.from_name, payload.from_quantity),
            "to": end(payload.to_name, payload.to_quantity),
        }
        given = {"reason": payload.reason.value, "referenceDocumentUri": reference, "changes": [change]}
        variables = {"input": given, "idempotencyKey": payload.idempotency_key}
        return Request("inventory_move_quantities", variables, "inventoryMoveQuantities")

    async def check(
        self, client: Client, action: OutboxAction, payload: InventoryMovePayload, known: Known, now: datetime
    ) -> Verdict:
        if key_trusted(action, now):
            return resend_with_key()
        found = await quantities_at(client, payload.inventory_item_id, payload.location_id)
        if found is None:
            return Verdict(Outcome.IMPOSSIBLE, "the item is no longer stocked at the location")
        if payload.from_quantity is None or payload.to_quantity is None:
            why = "the key may have expired and the move was not compare-and-set: check the item in Shopify"
            return Verdict(Outcome.IMPOSSIBLE, why)
        made = {
            payload.from_name.value: payload.from_quantity - payload.quantity,
            payload.to_name.value: payload.to_quantity + payload.quantity,
        }
        base: dict[str, int | None] = {
            payload.from_name.value: payload.from_quantity,
            payload.to_name.value: payload.to_quantity,
        }
        return judge(found, made, base)


INVENTORY_MOVE = InventoryMove()
