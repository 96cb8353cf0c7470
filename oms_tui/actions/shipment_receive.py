"""Receiving an inbound shipment: the units accepted or rejected per line, sent once with an
idempotency key (the store applies a repeated key once).

Evidence, after a lost answer: the shipment's received quantities. `before` is what each line had
received when the receipt was recorded; the receipt is at the store when every line's accepted and
rejected units have grown by at least this receipt's, and absent when none has moved. Anything
else (the shipment received elsewhere meanwhile) is a person's call: nothing is resent blindly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from pydantic import Field

from oms_tui.actions.base import ActionType, Known, Outcome, Payload, Request, Verdict
from oms_tui.actions.permissions import Permission
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client


class ReceiveLine(Payload):
    shipment_line_item_id: str
    quantity: int = Field(gt=0)
    reason: Literal["ACCEPTED", "REJECTED"]


class ReceivePayload(Payload):
    shipment_id: str
    shipment_name: str
    line_items: list[ReceiveLine] = Field(min_length=1)
    idempotency_key: str = Field(min_length=8, max_length=100)
    before: dict[str, tuple[int, int]]  # line -> (accepted, rejected) at the store, as the cache had them
    over_receipt: bool = False  # more units than a line shipped: a manager accepted them


class ShipmentReceive(ActionType[ReceivePayload]):
    kind = ActionKind.INVENTORY_SHIPMENT_RECEIVE
    payload_model = ReceivePayload
    permission = Permission.RECEIVE_STOCK
    label = "receipt of the shipment"
    scopes = ("write_inventory_shipments_received_items", "read_inventory_shipments")

    def required(self, payload: ReceivePayload) -> Permission:
        return Permission.ACCEPT_OVER_RECEIPT if payload.over_receipt else self.permission

    def timeline(self, payload: ReceivePayload, locations: Mapping[str, str]) -> str:
        accepted = sum(line.quantity for line in payload.line_items if line.reason == "ACCEPTED")
        rejected = sum(line.quantity for line in payload.line_items if line.reason == "REJECTED")
        return f"received {accepted} unit(s) of shipment {payload.shipment_name}" + (
            f", rejected {rejected}" if rejected else ""
        )

    def about(self, payload: ReceivePayload, locations: Mapping[str, str]) -> str:
        return f"shipment {payload.shipment_name}"

    def request(self, payload: ReceivePayload) -> Request:
        items = [line.as_json() for line in payload.line_items]
        variables = {"id": payload.shipment_id, "lineItems": items, "key": payload.idempotency_key}
        return Request("inventory_shipment_receive", variables, "inventoryShipmentReceive")

    async def check(
        self, client: Client, action: OutboxAction, payload: ReceivePayload, known: Known, now: datetime
    ) -> Verdict:
        data = await client.execute("inventory_shipment", {"id": payload.shipment_id})
        shipment = data.get("inventoryShipment")
        if shipment is None:
            return Verdict(Outcome.IMPOSSIBLE, "the shipment is gone from the store")
        now_at = {
            line["id"]: (line["acceptedQuantity"], line["rejectedQuantity"])
            for line in shipment["lineItems"]["nodes"]
        }
        ours = receipt_by_line(payload)
        grown = {
            line: (now_at.get(line, (0, 0))[0] - before[0], now_at.get(line, (0, 0))[1] - before[1])
            for line, before in ((line, payload.before.get(line, (0, 0))) for line in ours)
        }
        if all(grown[line][0] >= want[0] and grown[line][1] >= want[1] for line, want in ours.items()):
            return Verdict(
                Outcome.APPLIED, f"the shipment's received quantities include it ({shipment['status']})"
            )
        if all(moved == (0, 0) for moved in grown.values()):
            if shipment["status"] not in ("IN_TRANSIT", "PARTIALLY_RECEIVED"):
                return Verdict(Outcome.IMPOSSIBLE, f"the shipment is {shipment['status'].lower()}")
            return Verdict(Outcome.ABSENT)
        return Verdict(
            Outcome.IMPOSSIBLE,
            "the shipment's received quantities changed otherwise (received elsewhere?): check it in Shopify",
        )


def receipt_by_line(payload: ReceivePayload) -> dict[str, tuple[int, int]]:
    """Units this receipt adds to each line: (accepted, rejected)."""
    found: dict[str, tuple[int, int]] = {}
    for line in payload.line_items:
        accepted, rejected = found.get(line.shipment_line_item_id, (0, 0))
        if line.reason == "ACCEPTED":
            accepted += line.quantity
        else:
            rejected += line.quantity
        found[line.shipment_line_item_id] = (accepted, rejected)
    return found


SHIPMENT_RECEIVE = ShipmentReceive()
