"""Units changing state at one location: available to damaged or quality_control (a damaged unit
found while picking, a return that needs checking), and back; compare-and-set on both ends.

Evidence after a lost answer: see `stock_common`.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field, model_validator

from oms_tui.actions.base import Request
from oms_tui.actions.stock_common import (
    Expected,
    MoveName,
    Reason,
    StockAction,
    StockPayload,
    ledger_uri,
)
from oms_tui.cache.enums import ActionKind


class InventoryMovePayload(StockPayload):
    from_name: MoveName
    to_name: MoveName
    quantity: int = Field(gt=0, le=1_000_000)
    from_quantity: int | None  # each end's quantity the move was computed against
    to_quantity: int | None
    reason: Reason

    @model_validator(mode="after")
    def two_names(self) -> InventoryMovePayload:
        if self.from_name == self.to_name:
            raise ValueError("units move between two different quantity names")
        return self


class InventoryMove(StockAction[InventoryMovePayload]):
    kind = ActionKind.INVENTORY_MOVE
    payload_model = InventoryMovePayload
    label = "stock move"

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
        return self.sent("inventory_move_quantities", "inventoryMoveQuantities", given, payload)

    def expected(self, payload: InventoryMovePayload) -> Expected | str:
        if payload.from_quantity is None or payload.to_quantity is None:
            why = "the key may have expired and the move was not compare-and-set: check the item in Shopify"
            return why
        made = {
            payload.from_name.value: payload.from_quantity - payload.quantity,
            payload.to_name.value: payload.to_quantity + payload.quantity,
        }
        base: dict[str, int | None] = {
            payload.from_name.value: payload.from_quantity,
            payload.to_name.value: payload.to_quantity,
        }
        return made, base


INVENTORY_MOVE = InventoryMove()
