"""Fulfillment mutations with Shopify's rules: create, hold, release hold, move.

Business-rule failures come back as `userErrors` (HTTP 200, nothing changed). Every change moves the
order's and the touched fulfillment orders' `updatedAt` through `SimStore.touch`.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from oms_tui.sim.model import (
    Fulfillment,
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    TrackingInfo,
    gid,
)
from oms_tui.sim.store import SimStore

HOLD_LIMIT = 10
BAD_QUANTITY = "Invalid fulfillment order line item quantity requested."


def user_error(field: list[str] | None, message: str, code: str | None = None) -> dict[str, Any]:
    return {"field": field, "message": message, "code": code}


def _store(info: GraphQLResolveInfo) -> SimStore:
    store: SimStore = info.context["store"]
    return store


def _requested_quantities(fo: FulfillmentOrder, lines: list[dict[str, Any]] | None) -> dict[str, int] | str:
    """Line id -> quantity asked for (all remaining when `lines` is None), or an error message."""
    if lines is None:
        return {fol.id: fol.remaining_quantity for fol in fo.line_items if fol.remaining_quantity}
    by_id = {fol.id: fol for fol in fo.line_items}
    wanted: dict[str, int] = {}
    for line in lines:
        fol = by_id.get(line["id"])
        if fol is None or line["id"] in wanted or not 0 < line["quantity"] <= fol.remaining_quantity:
            return BAD_QUANTITY
        wanted[line["id"]] = line["quantity"]
    return wanted


def _after_progress(fo: FulfillmentOrder) -> str:
    if not any(fol.remaining_quantity for fol in fo.line_items):
        return "CLOSED"
    started = any(fol.remaining_quantity < fol.total_quantity for fol in fo.line_items)
    return "IN_PROGRESS" if started else "OPEN"


def fulfillment_create(
    _: Any, info: GraphQLResolveInfo, fulfillment: dict[str, Any], message: str | None = None
) -> dict[str, Any]:
    store = _store(info)
    field = ["fulfillment", "lineItemsByFulfillmentOrder"]
    groups = fulfillment["lineItemsByFulfillmentOrder"]
    fos = [store.fulfillment_order(group["fulfillmentOrderId"]) for group in groups]
    if not groups or any(fo is None for fo in fos):
        return {"fulfillment": None, "userErrors": [user_error(field, "Fulfillment order does not exist.")]}
    found = [fo for fo in fos if fo is not None]
    if len({fo.order_id for fo in found}) > 1:
        return {
            "fulfillment": None,
            "userErrors": [user_error(field, "All fulfillment orders must belong to the same order.")],
        }
    if len({fo.location.id for fo in found}) > 1:
        return {
            "fulfillment": None,
            "userErrors": [
                user_error(field, "All fulfillment orders must be assigned to the same location.")
            ],
        }
    plan: list[tuple[FulfillmentOrder, dict[str, int]]] = []
    for fo, group in zip(found, groups, strict=True):
        if "CREATE_FULFILLMENT" not in fo.supported_actions:
            return {
                "fulfillment": None,
                "userErrors": [
                    user_error(
                        field, f"Fulfillment order {fo.id} has an unfulfillable status= {fo.status.lower()}."
                    )
                ],
            }
        wanted = _requested_quantities(fo, group.get("fulfillmentOrderLineItems") or None)
        if isinstance(wanted, str):
            return {"fulfillment": None, "userErrors": [user_error(field, wanted)]}
        plan.append((fo, wanted))
    if not any(wanted for _, wanted in plan):
        return {"fulfillment": None, "userErrors": [user_error(field, BAD_QUANTITY)]}
    order = store.order_of(found[0])
    shipped: dict[str, int] = {}
    for fo, wanted in plan:
        for fol in fo.line_items:
            quantity = wanted.get(fol.id, 0)
            fol.remaining_quantity -= quantity
            fol.line_item.unfulfilled_quantity -= quantity
            if quantity:
                shipped[fol.line_item.id] = shipped.get(fol.line_item.id, 0) + quantity
                _ship_stock(store, fol, fo, quantity)
        fo.status = _after_progress(fo)
    tracking = fulfillment.get("trackingInfo") or {}
    numbers = tracking.get("numbers") or ([tracking["number"]] if tracking.get("number") else [])
    urls = tracking.get("urls") or ([tracking["url"]] if tracking.get("url") else [])
    infos = [
        TrackingInfo(tracking.get("company"), n, urls[i] if i < len(urls) else None)
        for i, n in enumerate(numbers)
    ]
    record = Fulfillment(
        gid("Fulfillment", store.new_id()),
        "SUCCESS",
        store.now(),
        infos,
        found[0].location.id,
        shipped,
        [fo.id for fo, wanted in plan if wanted],
    )
    order.fulfillments.append(record)
    store.touch(order, *found)
    return {"fulfillment": record, "userErrors": []}


def _ship_stock(store: SimStore, fol: FulfillmentOrderLineItem, fo: FulfillmentOrder, quantity: int) -> None:
    item = store.inventory.get(fol.line_item.variant.inventory_item_id)
    level = next((lv for lv in item.levels if lv.location.id == fo.location.id), None) if item else None
    if level is not None:
        level.on_hand -= quantity
        level.committed = max(0, level.committed - quantity)
        level.item.updated_at = store.now()


def _split_off(
    store: SimStore, fo: FulfillmentOrder, keep: dict[str, int], status: str
) -> FulfillmentOrder | None:
    """Move every quantity of `fo` beyond `keep` (line id -> quantity) to a new fulfillment order."""
    moved_lines = []
    for fol in fo.line_items:
        extra = fol.remaining_quantity - keep.get(fol.id, 0)
        if extra > 0:
            fol.remaining_quantity -= extra
            fol.total_quantity -= extra
            moved_lines.append(
                FulfillmentOrderLineItem(
                    gid("FulfillmentOrderLineItem", store.new_id()), fol.line_item, extra, extra
                )
            )
    fo.line_items = [fol for fol in fo.line_items if fol.total_quantity]
    if not moved_lines:
        return None
    now = store.now()
    return FulfillmentOrder(
        gid("FulfillmentOrder", store.new_id()), fo.order_id, status, now, now, fo.location, moved_lines
    )


def fulfillment_order_hold(
    _: Any, info: GraphQLResolveInfo, id: str, fulfillmentHold: dict[str, Any]
) -> dict[str, Any]:
    store = _store(info)
    empty: dict[str, Any] = {
        "fulfillmentHold": None,
        "fulfillmentOrder": None,
        "remainingFulfillmentOrder": None,
    }
    fo = store.fulfillment_order(id)
    if fo is None:
        return {
            **empty,
            "userErrors": [user_error(["id"], "Fulfillment order not found.", "FULFILLMENT_ORDER_NOT_FOUND")],
        }
    if "HOLD" not in fo.supported_actions:
        return {
            **empty,
            "userErrors": [
                user_error(
                    ["id"], f"Fulfillment order cannot be put on hold with status {fo.status.lower()}."
                )
            ],
        }
    handle = fulfillmentHold.get("handle") or None  # the schema's default is ""
    if handle is not None and any(h.handle == handle for h in fo.holds):
        return {
            **empty,
            "userErrors": [
                user_error(
                    ["fulfillmentHold", "handle"],
                    "The handle provided for the fulfillment hold is already in use "
                    "by this app for another hold on this fulfillment order.",
                    "DUPLICATE_FULFILLMENT_HOLD_HANDLE",
                )
            ],
        }
    if len(fo.holds) >= HOLD_LIMIT:
        return {
            **empty,
            "userErrors": [
                user_error(
                    ["id"],
                    "The maximum number of fulfillment holds has been reached.",
                    "FULFILLMENT_ORDER_HOLD_LIMIT_REACHED",
                )
            ],
        }
    lines = fulfillmentHold.get("fulfillmentOrderLineItems") or None  # default []: the whole order
    keep = _requested_quantities(fo, lines)
    if isinstance(keep, str):
        code = (
            "GREATER_THAN_ZERO"
            if lines and any(line["quantity"] <= 0 for line in lines)
            else ("INVALID_LINE_ITEM_QUANTITY")
        )
        return {
            **empty,
            "userErrors": [user_error(["fulfillmentHold", "fulfillmentOrderLineItems"], keep, code)],
        }
    remaining = _split_off(store, fo, keep, "OPEN") if lines is not None else None
    hold = FulfillmentHold(
        gid("FulfillmentHold", store.new_id()),
        fulfillmentHold["reason"],
        fulfillmentHold.get("reasonNotes"),
        handle,
    )
    fo.holds.append(hold)
    fo.status = "ON_HOLD"
    order = store.order_of(fo)
    if remaining is not None:
        order.fulfillment_orders.append(remaining)
    store.touch(order, fo, *([remaining] if remaining else []))
    return {
        "fulfillmentHold": hold,
        "fulfillmentOrder": fo,
        "remainingFulfillmentOrder": remaining,
        "userErrors": [],
    }


def fulfillment_order_release_hold(
    _: Any, info: GraphQLResolveInfo, id: str, holdIds: list[str] | None = None
) -> dict[str, Any]:
    store = _store(info)
    fo = store.fulfillment_order(id)
    if fo is None:
        return {
            "fulfillmentOrder": None,
            "userErrors": [user_error(["id"], "Fulfillment order not found.", "FULFILLMENT_ORDER_NOT_FOUND")],
        }
    if fo.status != "ON_HOLD":
        return {
            "fulfillmentOrder": None,
            "userErrors": [user_error(["id"], "The fulfillment order is not on hold.")],
        }
    known = {h.id for h in fo.holds}
    if holdIds is not None and not set(holdIds) <= known:
        return {
            "fulfillmentOrder": None,
            "userErrors": [user_error(["holdIds"], "Fulfillment hold not found.")],
        }
    release = known if holdIds is None else set(holdIds)
    fo.holds = [h for h in fo.holds if h.id not in release]
    if not fo.holds:
        fo.status = _after_progress(fo)
    store.touch(store.order_of(fo), fo)
    return {"fulfillmentOrder": fo, "userErrors": []}


def fulfillment_order_move(
    _: Any,
    info: GraphQLResolveInfo,
    id: str,
    newLocationId: str,
    fulfillmentOrderLineItems: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    store = _store(info)
    empty: dict[str, Any] = {
        "movedFulfillmentOrder": None,
        "originalFulfillmentOrder": None,
        "remainingFulfillmentOrder": None,
    }
    fo = store.fulfillment_order(id)
    if fo is None:
        return {**empty, "userErrors": [user_error(["id"], "Fulfillment order does not exist.")]}
    if "MOVE" not in fo.supported_actions:
        return {
            **empty,
            "userErrors": [
                user_error(["id"], f"Cannot move a fulfillment order with status {fo.status.lower()}.")
            ],
        }
    location = store.locations.get(newLocationId)
    if location is None or not location.is_active:
        return {**empty, "userErrors": [user_error(["newLocationId"], "Location not found.")]}
    if location.id == fo.location.id:
        return {
            **empty,
            "userErrors": [
                user_error(
                    ["newLocationId"], "Cannot move a fulfillment order to the location it is assigned to."
                )
            ],
        }
    wanted = _requested_quantities(fo, fulfillmentOrderLineItems or None)
    if isinstance(wanted, str):
        return {**empty, "userErrors": [user_error(["fulfillmentOrderLineItems"], wanted)]}
    order = store.order_of(fo)
    untouched = all(fol.remaining_quantity == fol.total_quantity for fol in fo.line_items)
    whole = all(wanted.get(fol.id, 0) == fol.remaining_quantity for fol in fo.line_items)
    if whole and untouched:
        fo.location = location
        store.touch(order, fo)
        return {
            "movedFulfillmentOrder": fo,
            "originalFulfillmentOrder": fo,
            "remainingFulfillmentOrder": None,
            "userErrors": [],
        }
    stay = {fol.id: fol.remaining_quantity - wanted.get(fol.id, 0) for fol in fo.line_items}
    moved = _split_off(store, fo, stay, "OPEN")
    assert moved is not None  # `wanted` holds at least one positive quantity
    moved.location = location
    fo.status = _after_progress(fo)
    order.fulfillment_orders.append(moved)
    store.touch(order, fo, moved)
    return {
        "movedFulfillmentOrder": moved,
        "originalFulfillmentOrder": fo,
        "remainingFulfillmentOrder": None if fo.is_closed else fo,
        "userErrors": [],
    }
