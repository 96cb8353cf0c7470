"""After an unknown outcome (a lost answer, a killed process): is the action already at the store?

Each check reads the store and answers with a `Verdict`. Only evidence counts: a shipment is found as
the fulfillment with its lines (and tracking number) made after the first attempt, not inferred from
remaining quantities; a hold by its handle; a cancellation by the order's `cancelledAt`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from oms_tui.cache.models import OutboxAction
from oms_tui.store.client import Client
from oms_tui.store.reread import read_nodes

# The store's clock and ours may disagree a little: a fulfillment made this long before our first
# attempt still counts as possibly ours (other actions' fulfillments are excluded by id).
CLOCK_SKEW = timedelta(minutes=2)
CANCEL_SETTLE = timedelta(minutes=1)  # Shopify's cancellation jobs take seconds


@dataclass(frozen=True)
class Verdict:
    state: str  # applied, absent (safe to send), impossible (absent, and can no longer be sent), pending
    detail: str = ""
    result: dict[str, Any] | None = None


APPLIED, ABSENT, IMPOSSIBLE, PENDING = "applied", "absent", "impossible", "pending"


async def check(
    client: Client, action: OutboxAction, lines: dict[str, str], taken: set[str], now: datetime
) -> Verdict:
    """`lines`: fulfillment order line id -> line item id; `taken`: fulfillments other actions made."""
    payload = action.payload
    if action.kind == "fulfill":
        return await _check_shipment(client, action, lines, taken)
    if action.kind == "move":
        fo = await _node(client, "nodes_fulfillment_orders", payload["fulfillmentOrderId"])
        location = ((fo or {}).get("assignedLocation") or {}).get("location") or {}
        moved = fo is not None and (
            location.get("id") == payload["newLocationId"] or fo["status"] == "CLOSED"
        )
        return Verdict(APPLIED, "moved at the store") if moved else Verdict(ABSENT)
    if action.kind == "cancel":
        return await check_cancel(client, action, now)
    # Notes and tags are safe to send twice; holds are deduplicated by their handle at the store and
    # releases name the holds they release, so sending again is the check.
    return Verdict(ABSENT)


async def check_cancel(client: Client, action: OutboxAction, now: datetime) -> Verdict:
    """Cancelled at the store, still being cancelled there (its job runs), or failed.

    When the answer (and with it the job's id) was lost, the job may still be running: the order is
    given `CANCEL_SETTLE` to show it before the cancellation is sent again.
    """
    job_id = (action.result or {}).get("job")
    if job_id:
        job = (await client.execute("job", {"id": job_id})).get("job")
        if job is not None and not job.get("done"):
            return Verdict(PENDING, "the store is still cancelling the order", {"job": job_id})
    order = await _node(client, "nodes_orders", action.order_id)
    if order is not None and order.get("cancelledAt"):
        return Verdict(APPLIED, f"cancelled at the store at {order['cancelledAt']}", {"job": job_id})
    if job_id:
        return Verdict(IMPOSSIBLE, "the store's cancellation job finished but the order is not cancelled")
    if action.first_sent_at and now - action.first_sent_at < CANCEL_SETTLE:
        return Verdict(PENDING, "the answer was lost: waiting for the store to show the cancellation")
    return Verdict(ABSENT)


async def _check_shipment(
    client: Client, action: OutboxAction, lines: dict[str, str], taken: set[str]
) -> Verdict:
    payload = action.payload
    fo_id = payload["fulfillmentOrderId"]
    wanted = {lines[line["id"]]: line["quantity"] for line in payload["lines"] if line["id"] in lines}
    tracking = (payload.get("tracking") or {}).get("number")
    since = (action.first_sent_at or action.created_at) - CLOCK_SKEW
    async for page in client.paginate(
        "fulfillment_order_shipments", {"id": fo_id}, connection_path=("fulfillmentOrder", "fulfillments")
    ):
        for fulfillment in page:
            if fulfillment["id"] in taken or _time(fulfillment["createdAt"]) < since:
                continue
            if tracking and tracking not in {info.get("number") for info in fulfillment["trackingInfo"]}:
                continue
            if await _shipped_lines(client, fulfillment) == wanted:
                return Verdict(APPLIED, "found at the store", {"fulfillment": {"id": fulfillment["id"]}})
    return await _still_shippable(client, fo_id, payload["lines"], tracking)


async def _shipped_lines(client: Client, fulfillment: dict[str, Any]) -> dict[str, int]:
    items = await _every_line(client, fulfillment["id"], fulfillment["fulfillmentLineItems"])
    shipped: dict[str, int] = {}
    for item in items:
        shipped[item["lineItem"]["id"]] = shipped.get(item["lineItem"]["id"], 0) + item["quantity"]
    return shipped


async def _still_shippable(
    client: Client, fo_id: str, lines: list[dict[str, Any]], tracking: str | None
) -> Verdict:
    """Not at the store: send it again if the store would still take it, else say why not."""
    what = f"the shipment{f' with tracking {tracking}' if tracking else ''} is not at the store"
    fo = await _node(client, "nodes_fulfillment_orders", fo_id)
    if fo is None:
        return Verdict(IMPOSSIBLE, f"{what} and its fulfillment order is gone")
    if fo["status"] not in ("OPEN", "IN_PROGRESS"):
        return Verdict(
            IMPOSSIBLE, f"{what} and can no longer be sent: the fulfillment order is {fo['status']}"
        )
    items = await _every_line(client, fo_id, fo["lineItems"])
    remaining = {item["id"]: item["remainingQuantity"] for item in items}
    short = [line for line in lines if remaining.get(line["id"], 0) < line["quantity"]]
    if short:
        return Verdict(
            IMPOSSIBLE,
            f"{what} and can no longer be sent: {len(short)} line(s) have fewer units left to ship",
        )
    return Verdict(ABSENT)


async def _every_line(client: Client, owner_id: str, page: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines of a page fetched with their owner, and every line after it."""
    items = list(page["nodes"])
    if page["pageInfo"]["hasNextPage"]:
        items += await client.fetch_remaining_line_items(owner_id, page["pageInfo"]["endCursor"])
    return items


async def _node(client: Client, document: str, ident: str) -> dict[str, Any] | None:
    return next(iter(await read_nodes(client, document, [ident])), None)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
