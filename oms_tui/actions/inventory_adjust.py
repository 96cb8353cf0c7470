"""A correction: a quantity of one item at one location changed by a number of units, with a reason
(shrinkage, damaged, correction...), compare-and-set against the quantity it was computed from.

Evidence after a lost answer: see `stock_common`.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from oms_tui.actions.base import Request
from oms_tui.actions.stock_common import (
    AdjustName,
    Expected,
    Reason,
    StockAction,
    StockPayload,
    ledger_uri,
)
from oms_tui.cache.enums import ActionKind


class InventoryAdjustPayload(StockPayload):
    name: AdjustName = AdjustName.AVAILABLE
    delta: int = Field(ge=-1_000_000, le=1_000_000)
    change_from_quantity: int | None  # the quantity the change was computed against (None: unchecked)
    reason: Reason


class InventoryAdjust(StockAction[InventoryAdjustPayload]):
    kind = ActionKind.INVENTORY_ADJUST
    payload_model = InventoryAdjustPayload
    label = "stock adjustment"

    def timeline(self, payload: InventoryAdjustPayload, locations: Mapping[str, str]) -> str:
        where = locations.get(payload.location_id, payload.location_id)
        return f"{payload.sku} {payload.name} {payload.delta:+d} at {where}: {payload.reason}"

    def request(self, payload: InventoryAdjustPayload) -> Request:
        change = {
            "inventoryItemId": payload.inventory_item_id,
            "locationId": payload.location_id,
            "delta": payload.delta,
            "changeFromQuantity": payload.change_from_quantity,
            "ledgerDocumentUri": ledger_uri(payload.reference_document_uri, payload.name),
        }
        given = {
            "name": payload.name.value,
            "reason": payload.reason.value,
            "referenceDocumentUri": payload.reference_document_uri,
            "changes": [change],
        }
        return self.sent("inventory_adjust_quantities", "inventoryAdjustQuantities", given, payload)

    def expected(self, payload: InventoryAdjustPayload) -> Expected | str:
        base = payload.change_from_quantity
        if base is None:
            why = "the key may have expired and the change was not compare-and-set: check the item in Shopify"
            return why
        return {payload.name: base + payload.delta}, {payload.name: base}


INVENTORY_ADJUST = InventoryAdjust()
