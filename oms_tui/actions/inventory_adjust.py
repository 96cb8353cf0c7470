"""A correction: a quantity of one item at one location changed by a number of units, with a reason
(shrinkage, damaged, correction...), compare-and-set against the quantity it was computed from.

Evidence after a lost answer: see `stock_common`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import Field

from oms_tui.actions.base import ActionType, Known, Outcome, Payload, Request, Verdict
from oms_tui.actions.permissions import Permission
from oms_tui.actions.stock_common import (
    AdjustName,
    Key,
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


class InventoryAdjustPayload(Payload):
    inventory_item_id: str
    location_id: str
    sku: str
    name: AdjustName = AdjustName.AVAILABLE
    delta: int = Field(ge=-1_000_000, le=1_000_000)
    change_from_quantity: int | None  # the quantity the change was computed against (None: unchecked)
    reason: Reason
    reference_document_uri: Uri
    idempotency_key: Key


class InventoryAdjust(ActionType[InventoryAdjustPayload]):
    kind = ActionKind.INVENTORY_ADJUST
    payload_model = InventoryAdjustPayload
    permission = Permission.STOCK
    label = "stock adjustment"
    scopes = ("write_inventory", "read_inventory")
    of_order = False

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
        variables = {"input": given, "idempotencyKey": payload.idempotency_key}
        return Request("inventory_adjust_quantities", variables, "inventoryAdjustQuantities")

    async def check(
        self,
        client: Client,
        action: OutboxAction,
        payload: InventoryAdjustPayload,
        known: Known,
        now: datetime,
    ) -> Verdict:
        if key_trusted(action, now):
            return resend_with_key()
        if payload.change_from_quantity is None:
            why = "the key may have expired and the change was not compare-and-set: check the item in Shopify"
            return Verdict(Outcome.IMPOSSIBLE, why)
        found = await quantities_at(client, payload.inventory_item_id, payload.location_id)
        if found is None:
            return Verdict(Outcome.IMPOSSIBLE, "the item is no longer stocked at the location")
        base = payload.change_from_quantity
        return judge(found, {payload.name: base + payload.delta}, {payload.name: base})


INVENTORY_ADJUST = InventoryAdjust()
