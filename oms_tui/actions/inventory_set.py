"""A count's result: a quantity (on_hand or available) of one item at one location set to what was
counted, compare-and-set against the quantity the count was computed from.

Evidence after a lost answer: see `stock_common` (the same key while it is trusted, then the
quantities: ours, still the base, or moved by someone else, which re-bases the count).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import Field

from oms_tui.actions.base import ActionType, Known, Outcome, Payload, Request, Verdict
from oms_tui.actions.permissions import Permission
from oms_tui.actions.stock_common import (
    Key,
    Reason,
    SetName,
    Uri,
    judge,
    key_trusted,
    quantities_at,
    resend_with_key,
)
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client


class InventorySetPayload(Payload):
    inventory_item_id: str
    location_id: str
    sku: str
    name: SetName = SetName.ON_HAND
    quantity: int = Field(ge=0)
    change_from_quantity: int | None  # the store's quantity the count was computed against
    reason: Reason = Reason.CYCLE_COUNT_AVAILABLE
    reference_document_uri: Uri  # the count: gid://oms-tui/Count/12
    idempotency_key: Key


class InventorySet(ActionType[InventorySetPayload]):
    kind = ActionKind.INVENTORY_SET
    payload_model = InventorySetPayload
    permission = Permission.STOCK
    label = "stock count"
    scopes = ("write_inventory", "read_inventory")
    of_order = False

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
        variables = {"input": given, "idempotencyKey": payload.idempotency_key}
        return Request("inventory_set_quantities", variables, "inventorySetQuantities")

    async def check(
        self, client: Client, action: OutboxAction, payload: InventorySetPayload, known: Known, now: datetime
    ) -> Verdict:
        if key_trusted(action, now):
            return resend_with_key()
        found = await quantities_at(client, payload.inventory_item_id, payload.location_id)
        if found is None:
            return Verdict(Outcome.IMPOSSIBLE, "the item is no longer stocked at the location")
        return judge(found, {payload.name: payload.quantity}, {payload.name: payload.change_from_quantity})


INVENTORY_SET = InventorySet()
