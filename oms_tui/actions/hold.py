"""A hold on one fulfillment order, with a reason Shopify knows.

The hold carries a handle of ours, which the store refuses to repeat: that handle is the evidence.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import Field

from oms_tui.actions.base import ActionType, Known, Outcome, Payload, Request, Verdict, node, words
from oms_tui.actions.permissions import Permission
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client

DUPLICATE_HANDLE = "DUPLICATE_FULFILLMENT_HOLD_HANDLE"


class HoldReason(enum.StrEnum):
    """Shopify's FulfillmentHoldReason."""

    AWAITING_PAYMENT = "AWAITING_PAYMENT"
    HIGH_RISK_OF_FRAUD = "HIGH_RISK_OF_FRAUD"
    INCORRECT_ADDRESS = "INCORRECT_ADDRESS"
    INVENTORY_OUT_OF_STOCK = "INVENTORY_OUT_OF_STOCK"
    UNKNOWN_DELIVERY_DATE = "UNKNOWN_DELIVERY_DATE"
    OTHER = "OTHER"


class HoldPayload(Payload):
    fulfillment_order_id: str
    reason: HoldReason
    reason_notes: str = Field(default="", max_length=500)
    handle: str = Field(min_length=1, max_length=64)


def hold_text(reason: str, notes: str | None) -> str:
    return f"{words(reason)} ({notes})" if notes else words(reason)


class Hold(ActionType[HoldPayload]):
    kind = ActionKind.HOLD
    payload_model = HoldPayload
    permission = Permission.HOLD
    label = "hold"
    scopes = ("write_merchant_managed_fulfillment_orders", "read_merchant_managed_fulfillment_orders")

    def timeline(self, payload: HoldPayload, locations: Mapping[str, str]) -> str:
        return f"held: {hold_text(payload.reason, payload.reason_notes)}"

    def request(self, payload: HoldPayload) -> Request:
        hold = {
            "reason": payload.reason.value,
            "reasonNotes": payload.reason_notes,
            "handle": payload.handle,
            "notifyMerchant": False,
        }
        variables = {"id": payload.fulfillment_order_id, "fulfillmentHold": hold}
        return Request("fulfillment_order_hold", variables, "fulfillmentOrderHold")

    def fulfillment_orders(self, payload: HoldPayload) -> list[str]:
        return [payload.fulfillment_order_id]

    def duplicate_of_applied(self, errors: list[dict[str, Any]]) -> bool:
        return all(error.get("code") == DUPLICATE_HANDLE for error in errors)

    async def check(
        self, client: Client, action: OutboxAction, payload: HoldPayload, known: Known, now: datetime
    ) -> Verdict:
        fo = await node(client, "nodes_fulfillment_orders", payload.fulfillment_order_id)
        if fo is None:
            return Verdict(Outcome.IMPOSSIBLE, "the fulfillment order is gone from the store")
        if any(hold.get("handle") == payload.handle for hold in fo["fulfillmentHolds"]):
            return Verdict(Outcome.APPLIED, "the hold is at the store")
        if fo["status"] in ("CLOSED", "CANCELLED"):
            return Verdict(
                Outcome.IMPOSSIBLE, f"the fulfillment order is {fo['status'].lower()} at the store"
            )
        return Verdict(Outcome.ABSENT)


HOLD = Hold()
