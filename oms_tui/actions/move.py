"""Moving one fulfillment order to another location. Evidence: it is assigned there (or closed)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from oms_tui.actions.base import ActionType, Known, Outcome, Payload, Request, Verdict, node
from oms_tui.actions.permissions import Permission
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client


class MovePayload(Payload):
    fulfillment_order_id: str
    new_location_id: str
    previous_location_id: str | None = None


class Move(ActionType[MovePayload]):
    kind = ActionKind.MOVE
    payload_model = MovePayload
    permission = Permission.MOVE
    label = "move"
    scopes = ("write_merchant_managed_fulfillment_orders", "read_merchant_managed_fulfillment_orders")

    def timeline(self, payload: MovePayload, locations: Mapping[str, str]) -> str:
        return f"moved to {locations.get(payload.new_location_id, payload.new_location_id)}"

    def request(self, payload: MovePayload) -> Request:
        variables = {"id": payload.fulfillment_order_id, "newLocationId": payload.new_location_id}
        return Request("fulfillment_order_move", variables, "fulfillmentOrderMove")

    def fulfillment_orders(self, payload: MovePayload) -> list[str]:
        return [payload.fulfillment_order_id]

    async def check(
        self, client: Client, action: OutboxAction, payload: MovePayload, known: Known, now: datetime
    ) -> Verdict:
        fo = await node(client, "nodes_fulfillment_orders", payload.fulfillment_order_id)
        location = ((fo or {}).get("assignedLocation") or {}).get("location") or {}
        if fo is not None and (location.get("id") == payload.new_location_id or fo["status"] == "CLOSED"):
            return Verdict(Outcome.APPLIED, "moved at the store")
        return Verdict(Outcome.ABSENT)


MOVE = Move()
