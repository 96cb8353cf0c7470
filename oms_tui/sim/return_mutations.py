"""reverseFulfillmentOrderDispose and returnClose, with Shopify's validation and userErrors.

A dispose call is all or nothing: every input is checked (the line exists, its return is open, the
quantity is at most what is left to dispose, counting earlier valid inputs of the same call; a restock names
an active location) before any is applied. A restock puts the units back on hand at that location.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from oms_tui.sim.fulfillment_mutations import user_error
from oms_tui.sim.return_model import ReverseFulfillmentOrderDisposition, ReverseFulfillmentOrderLineItem
from oms_tui.sim.return_resolvers import find_return_object, rfo_line_owner
from oms_tui.sim.returns_factory import disposition_id
from oms_tui.sim.store import SimStore

DISPOSITIONS = ("RESTOCKED", "PROCESSING_REQUIRED", "NOT_RESTOCKED", "MISSING")


def _store(info: GraphQLResolveInfo) -> SimStore:
    store: SimStore = info.context["store"]
    return store


def reverse_fulfillment_order_dispose(
    _: Any, info: GraphQLResolveInfo, dispositionInputs: list[dict[str, Any]]
) -> dict[str, Any]:
    store = _store(info)
    errors: list[dict[str, Any]] = []
    asked: dict[str, int] = {}  # line id -> units asked for by earlier inputs of this call
    checked: list[tuple[ReverseFulfillmentOrderLineItem, dict[str, Any]]] = []
    for n, given in enumerate(dispositionInputs):
        path, errors_before = ["dispositionInputs", str(n)], len(errors)
        line = find_return_object(store, given["reverseFulfillmentOrderLineItemId"])
        if not isinstance(line, ReverseFulfillmentOrderLineItem):
            errors.append(
                user_error(
                    [*path, "reverseFulfillmentOrderLineItemId"],
                    "Reverse fulfillment order line item not found",
                    "NOT_FOUND",
                )
            )
            continue
        owner, rfo = rfo_line_owner(store, line)
        if owner.status != "OPEN" or rfo.status != "OPEN":
            errors.append(
                user_error(
                    path,
                    f"Return {owner.name} is {owner.status.lower()}: nothing can be disposed",
                    "INVALID_STATE",
                )
            )
            continue
        quantity = given["quantity"]
        left = line.left_to_dispose - asked.get(line.id, 0)
        if quantity <= 0:
            errors.append(user_error([*path, "quantity"], "Quantity must be greater than 0", "GREATER_THAN"))
        elif quantity > left:
            errors.append(
                user_error(
                    [*path, "quantity"],
                    f"Quantity {quantity} exceeds the {left} left to dispose",
                    "LESS_THAN_OR_EQUAL_TO",
                )
            )
        location_id = given.get("locationId")
        if given["dispositionType"] == "RESTOCKED" and not location_id:
            errors.append(user_error([*path, "locationId"], "A restock needs a location", "BLANK"))
        elif location_id is not None:
            location = store.locations.get(location_id)
            if location is None:
                errors.append(user_error([*path, "locationId"], "Location not found", "NOT_FOUND"))
            elif not location.is_active:
                errors.append(
                    user_error([*path, "locationId"], f"Location {location.name} is not active", "INVALID")
                )
        if len(errors) == errors_before:  # a refused input takes nothing from the inputs after it
            asked[line.id] = asked.get(line.id, 0) + quantity
            checked.append((line, given))
    if errors:
        return {"reverseFulfillmentOrderLineItems": None, "userErrors": errors}
    for line, given in checked:
        _apply(store, line, given)
    return {"reverseFulfillmentOrderLineItems": [line for line, _ in checked], "userErrors": []}


def _apply(store: SimStore, line: ReverseFulfillmentOrderLineItem, given: dict[str, Any]) -> None:
    owner, rfo = rfo_line_owner(store, line)
    location = store.locations.get(given.get("locationId") or "")
    kind, quantity = given["dispositionType"], given["quantity"]
    line.dispositions.append(
        ReverseFulfillmentOrderDisposition(
            disposition_id(line.id, len(line.dispositions)), store.now(), location, quantity, kind
        )
    )
    if kind == "RESTOCKED" and location is not None:
        item = store.inventory.get(line.fulfillment_line_item.line_item.variant.inventory_item_id)
        for level in item.levels if item else []:
            if level.location.id == location.id:
                level.on_hand += quantity
                level.item.updated_at = store.now()
    if all(item.left_to_dispose == 0 for item in rfo.line_items):
        rfo.status = "CLOSED"
    order = store.order(owner.order_id)
    assert order is not None
    store.touch(order)


def return_close(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    store = _store(info)
    found = find_return_object(store, id)
    if found is None or found.id != id or not hasattr(found, "return_line_items"):
        return {"return": None, "userErrors": [user_error(["id"], "Return not found", "NOT_FOUND")]}
    if found.status != "OPEN":
        message = f"Return {found.name} is {found.status.lower()}: only an open return can be closed"
        return {"return": None, "userErrors": [user_error(["id"], message, "INVALID_STATE")]}
    found.status, found.closed_at = "CLOSED", store.now()
    for rfo in found.reverse_fulfillment_orders:
        rfo.status = "CLOSED"
    order = store.order(found.order_id)
    assert order is not None
    store.touch(order)
    return {"return": found, "userErrors": []}
