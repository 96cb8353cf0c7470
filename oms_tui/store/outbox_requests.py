"""Each outbox action as a store request, and how to tell whether the store already has it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oms_tui.cache.models import OutboxAction
from oms_tui.store.sync import Client

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
    variables = {"id": p["fulfillmentOrderId"], "holdIds": p["holdIds"] or None}
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


REQUESTS: dict[str, Callable[[dict[str, Any]], Request]] = {
    "fulfill": _fulfill,
    "hold": _hold,
    "release_hold": _release,
    "move": _move,
    "cancel": _cancel,
    "note": _note,
    "tags": _tags,
}


def refresh_ids(action: OutboxAction) -> tuple[list[str], list[str]]:
    """The order and fulfillment orders an action changed, to re-read by id once it is delivered."""
    fo_id = action.payload.get("fulfillmentOrderId")
    return [action.order_id], [fo_id] if fo_id else []


async def already_applied(client: Client, action: OutboxAction) -> bool:
    """After an unknown outcome: does the store already show this action's effect?

    Notes and tags are safe to send twice, and holds are deduplicated by their handle at the store,
    so only shipments, releases, moves and cancellations need a look.
    """
    payload = action.payload
    if action.kind == "fulfill":
        fo = await _node(client, "nodes_fulfillment_orders", payload["fulfillmentOrderId"])
        remaining = {line["id"]: line["remainingQuantity"] for line in fo["lineItems"]["nodes"]} if fo else {}
        expected = payload["expectedRemaining"]
        if fo is not None and all(remaining.get(ident, 0) <= left for ident, left in expected.items()):
            return True
        tracking = (payload.get("tracking") or {}).get("number")
        order = await _node(client, "nodes_orders", action.order_id) if tracking else None
        return order is not None and any(
            info.get("number") == tracking
            for fulfillment in order.get("fulfillments") or []
            for info in fulfillment.get("trackingInfo") or []
        )
    if action.kind == "release_hold":
        fo = await _node(client, "nodes_fulfillment_orders", payload["fulfillmentOrderId"])
        held = {hold["id"] for hold in fo["fulfillmentHolds"]} if fo else set()
        return fo is not None and not held & set(payload["holdIds"] or held)
    if action.kind == "move":
        fo = await _node(client, "nodes_fulfillment_orders", payload["fulfillmentOrderId"])
        location = ((fo or {}).get("assignedLocation") or {}).get("location") or {}
        return fo is not None and (location.get("id") == payload["newLocationId"] or fo["status"] == "CLOSED")
    if action.kind == "cancel":
        order = await _node(client, "nodes_orders", action.order_id)
        return order is not None and order.get("cancelledAt") is not None
    return False


async def read_nodes(client: Client, document: str, ids: list[str]) -> list[dict[str, Any]]:
    """The objects with these ids, as the store has them now (missing ones left out)."""
    if not ids:
        return []
    data = await client.execute(document, {"ids": ids})
    return [node for node in data["nodes"] if node]


async def _node(client: Client, document: str, ident: str) -> dict[str, Any] | None:
    return next(iter(await read_nodes(client, document, [ident])), None)
