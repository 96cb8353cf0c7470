"""Each outbox action as a store request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client
from oms_tui.store.reread import read_nodes

Request = tuple[str, dict[str, Any], str]  # document, variables, mutation field of the result


def _fulfill(p: dict[str, Any]) -> Request:
    fulfillment: dict[str, Any] = {
        "lineItemsByFulfillmentOrder": [
            {
                "fulfillmentOrderId": p["fulfillmentOrderId"],
                "fulfillmentOrderLineItems": [
                    {"id": line["id"], "quantity": line["quantity"]} for line in p["lines"]
                ],
            }
        ],
        "notifyCustomer": p["notifyCustomer"],
    }
    if p.get("tracking"):
        fulfillment["trackingInfo"] = {key: value for key, value in p["tracking"].items() if value}
    return "fulfillment_create", {"fulfillment": fulfillment}, "fulfillmentCreate"


def _hold(p: dict[str, Any]) -> Request:
    hold = {
        "reason": p["reason"],
        "reasonNotes": p["reasonNotes"],
        "handle": p["handle"],
        "notifyMerchant": False,
    }
    return (
        "fulfillment_order_hold",
        {"id": p["fulfillmentOrderId"], "fulfillmentHold": hold},
        "fulfillmentOrderHold",
    )


def _release(p: dict[str, Any]) -> Request:
    # The pusher replaces holdIds with `holds_to_release` first, and sends nothing when it is empty.
    variables = {"id": p["fulfillmentOrderId"], "holdIds": p["holdIds"]}
    return "fulfillment_order_release_hold", variables, "fulfillmentOrderReleaseHold"


def _move(p: dict[str, Any]) -> Request:
    variables = {"id": p["fulfillmentOrderId"], "newLocationId": p["newLocationId"]}
    return "fulfillment_order_move", variables, "fulfillmentOrderMove"


# The canceller's refund decision (floor `Refund`) as Shopify's OrderCancelRefundMethodInput.
REFUND_METHODS: dict[str, dict[str, Any]] = {
    "original": {"originalPaymentMethodsRefund": True},
    "store-credit": {"originalPaymentMethodsRefund": False, "storeCreditRefund": {"expiresAt": None}},
    "none": {"originalPaymentMethodsRefund": False},
}


def _cancel(p: dict[str, Any]) -> Request:
    variables = {
        "orderId": p["orderId"],
        "reason": p["reason"],
        "refundMethod": REFUND_METHODS[p["refund"]],
        "restock": p["restock"],
        "notifyCustomer": p["notifyCustomer"],
        "staffNote": p["staffNote"] or None,
    }
    return "order_cancel", variables, "orderCancel"


def _note(p: dict[str, Any]) -> Request:
    return "order_update", {"input": {"id": p["orderId"], "note": p["note"]}}, "orderUpdate"


def _tags(p: dict[str, Any]) -> Request:
    return "tags_add", {"id": p["orderId"], "tags": p["tags"]}, "tagsAdd"


def _dispose(p: dict[str, Any]) -> Request:
    inputs = [{key: value for key, value in d.items() if value is not None} for d in p["dispositions"]]
    variables = {"dispositionInputs": inputs}
    return "reverse_fulfillment_order_dispose", variables, "reverseFulfillmentOrderDispose"


def _close_return(p: dict[str, Any]) -> Request:
    return "return_close", {"id": p["returnId"]}, "returnClose"


RETURN_ACTIONS = ("return_dispose", "return_close")

REQUESTS: dict[str, Callable[[dict[str, Any]], Request]] = {
    "fulfill": _fulfill,
    "hold": _hold,
    "release_hold": _release,
    "move": _move,
    "cancel": _cancel,
    "note": _note,
    "tags": _tags,
    "return_dispose": _dispose,
    "return_close": _close_return,
}


def refresh_ids(action: OutboxAction) -> tuple[str, list[str]]:
    """The order and fulfillment orders an action changed, to re-read by id once it is answered."""
    fo_id = action.payload.get("fulfillmentOrderId")
    return action.order_id, [fo_id] if fo_id else []


async def holds_to_release(client: Client, payload: dict[str, Any]) -> list[str]:
    """The ids of the holds this release means that the store still has.

    A hold placed from this station may not have had its id synced when the release was recorded:
    it is found by its handle. Never none (`holdIds: null` would release every hold, others' too).
    """
    nodes = await read_nodes(client, "nodes_fulfillment_orders", [payload["fulfillmentOrderId"]])
    meant_ids, meant_handles = set(payload["holdIds"]), set(payload.get("holdHandles") or [])
    return [
        hold["id"]
        for node in nodes
        for hold in node["fulfillmentHolds"]
        if hold["id"] in meant_ids or (hold.get("handle") and hold["handle"] in meant_handles)
    ]
