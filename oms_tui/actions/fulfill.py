"""A shipment: lines of one fulfillment order, with or without a tracking number.

Evidence: a fulfillment with exactly these lines (and tracking number) made since the first attempt,
that no other action of the order claimed; not inferred from remaining quantities.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from sqlmodel import Session, select

from oms_tui.actions.base import (
    CLOCK_SKEW,
    ActionType,
    Known,
    Outcome,
    Payload,
    Request,
    Verdict,
    delivered_results,
    node,
    store_time,
)
from oms_tui.actions.permissions import Permission
from oms_tui.actions.text_rules import tracking_number
from oms_tui.cache.enums import ActionKind
from oms_tui.cache.models import FulfillmentOrderLineItem, OutboxAction
from oms_tui.store.client import Client


class ShippedLine(Payload):
    id: str
    quantity: int = Field(gt=0)


class TrackingInfo(Payload):
    number: Annotated[str, AfterValidator(tracking_number)]
    company: str | None = Field(default=None, max_length=100)
    url: str | None = Field(default=None, max_length=500)


class FulfillPayload(Payload):
    fulfillment_order_id: str
    lines: list[ShippedLine] = Field(min_length=1)
    tracking: TrackingInfo | None = None
    notify_customer: bool = True
    expected_remaining: dict[str, int] = Field(default_factory=dict)


class Fulfill(ActionType[FulfillPayload]):
    kind = ActionKind.FULFILL
    payload_model = FulfillPayload
    permission = Permission.SHIP
    label = "shipment"
    scopes = ("write_merchant_managed_fulfillment_orders", "read_merchant_managed_fulfillment_orders")

    def timeline(self, payload: FulfillPayload, locations: Mapping[str, str]) -> str:
        units = sum(line.quantity for line in payload.lines)
        return f"shipped {units} units" + (
            f", tracking {payload.tracking.number}" if payload.tracking else ""
        )

    def request(self, payload: FulfillPayload) -> Request:
        fulfillment: dict[str, Any] = {
            "lineItemsByFulfillmentOrder": [
                {
                    "fulfillmentOrderId": payload.fulfillment_order_id,
                    "fulfillmentOrderLineItems": [
                        {"id": line.id, "quantity": line.quantity} for line in payload.lines
                    ],
                }
            ],
            "notifyCustomer": payload.notify_customer,
        }
        if payload.tracking:
            fulfillment["trackingInfo"] = {
                key: value for key, value in payload.tracking.as_json().items() if value
            }
        return Request("fulfillment_create", {"fulfillment": fulfillment}, "fulfillmentCreate")

    def fulfillment_orders(self, payload: FulfillPayload) -> list[str]:
        return [payload.fulfillment_order_id]

    def known(self, session: Session, action: OutboxAction) -> Known:
        lines = {
            line.id: line.line_item_id
            for line in session.exec(
                select(FulfillmentOrderLineItem).where(
                    FulfillmentOrderLineItem.fulfillment_order_id == action.payload.get("fulfillmentOrderId")
                )
            )
        }
        taken = {(result.get("fulfillment") or {}).get("id") for result in delivered_results(session, action)}
        return Known(lines, frozenset(ident for ident in taken if ident))

    async def check(
        self, client: Client, action: OutboxAction, payload: FulfillPayload, known: Known, now: datetime
    ) -> Verdict:
        fo_id = payload.fulfillment_order_id
        wanted = {known.lines[line.id]: line.quantity for line in payload.lines if line.id in known.lines}
        tracking = payload.tracking.number if payload.tracking else None
        since = (action.first_sent_at or action.created_at) - CLOCK_SKEW
        async for page in client.paginate(
            "fulfillment_order_shipments", {"id": fo_id}, connection_path=("fulfillmentOrder", "fulfillments")
        ):
            for fulfillment in page:
                if fulfillment["id"] in known.taken or store_time(fulfillment["createdAt"]) < since:
                    continue
                if tracking and tracking not in {info.get("number") for info in fulfillment["trackingInfo"]}:
                    continue
                if await _shipped_lines(client, fulfillment) == wanted:
                    found = {"fulfillment": {"id": fulfillment["id"]}}
                    return Verdict(Outcome.APPLIED, "found at the store", found)
        return await _still_shippable(client, payload, tracking)


async def _shipped_lines(client: Client, fulfillment: dict[str, Any]) -> dict[str, int]:
    items = await every_line(client, fulfillment["id"], fulfillment["fulfillmentLineItems"])
    shipped: dict[str, int] = {}
    for item in items:
        shipped[item["lineItem"]["id"]] = shipped.get(item["lineItem"]["id"], 0) + item["quantity"]
    return shipped


async def _still_shippable(client: Client, payload: FulfillPayload, tracking: str | None) -> Verdict:
    """Not at the store: send it again if the store would still take it, else say why not."""
    what = f"the shipment{f' with tracking {tracking}' if tracking else ''} is not at the store"
    fo = await node(client, "nodes_fulfillment_orders", payload.fulfillment_order_id)
    if fo is None:
        return Verdict(Outcome.IMPOSSIBLE, f"{what} and its fulfillment order is gone")
    if fo["status"] not in ("OPEN", "IN_PROGRESS"):
        why = f"the fulfillment order is {fo['status']}"
        return Verdict(Outcome.IMPOSSIBLE, f"{what} and can no longer be sent: {why}")
    items = await every_line(client, payload.fulfillment_order_id, fo["lineItems"])
    remaining = {item["id"]: item["remainingQuantity"] for item in items}
    short = [line for line in payload.lines if remaining.get(line.id, 0) < line.quantity]
    if short:
        why = f"{len(short)} line(s) have fewer units left to ship"
        return Verdict(Outcome.IMPOSSIBLE, f"{what} and can no longer be sent: {why}")
    return Verdict(Outcome.ABSENT)


async def every_line(client: Client, owner_id: str, page: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines of a page fetched with their owner, and every line after it."""
    items = list(page["nodes"])
    if page["pageInfo"]["hasNextPage"]:
        items += await client.fetch_remaining_line_items(owner_id, page["pageInfo"]["endCursor"])
    return items


FULFILL = Fulfill()
