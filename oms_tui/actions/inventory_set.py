"""A count's result: a quantity (on_hand or available) of one item at one location set to what was
counted, compare-and-set against the quantity the count was computed from.

Evidence after a lost answer: see `stock_common` (the same key while it is trusted, then the
quantities: ours, still the base, or moved by someone else, which re-bases the count).
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from oms_tui.actions.base import Request
from oms_tui.actions.stock_common import Expected, Reason, SetName, StockAction, StockPayload
from oms_tui.cache.enums import ActionKind


class InventorySetPayload(StockPayload):
    name: SetName = SetName.ON_HAND
    quantity: int = Field(ge=0)
    change_from_quantity: int | None  # the store's quantity the count was computed against
    reason: Reason = Reason.CYCLE_COUNT_AVAILABLE


class InventorySet(StockAction[InventorySetPayload]):
    kind = ActionKind.INVENTORY_SET
    payload_model = InventorySetPayload
    label = "stock count"

    def timeline(self, payload: InventorySetPayload, locations: Mapping[str, str]) -> str:
        where = locations.get(payload.location_id, payload.location_id)
        was = "" if payload.change_from_quantity is None else f" (was {payload.change_from_quantity})"
        return f"{payload.sku} {payload.name} set to {payload.quantity}{was} at {where}: {payload.reason}"

    def request(self, payload: InventorySetPayload) -> Request:
        quantity = {
            "inventoryItemId": payload.inventory_item_id,
            "locationId": payload.location_id,
            "quantity": payload.quantity,
            "changeFromQuantity": payload.change_from_quantity,
        }
        given = {
            "name": payload.name.value,
            "reason": payload.reason.value,
            "referenceDocumentUri": payload.reference_document_uri,
            "quantities": [quantity],
        }
        return self.sent("inventory_set_quantities", "inventorySetQuantities", given, payload)

    def expected(self, payload: InventorySetPayload) -> Expected:
        return {payload.name: payload.quantity}, {payload.name: payload.change_from_quantity}


INVENTORY_SET = InventorySet()
