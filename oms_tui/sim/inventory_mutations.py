"""inventorySetQuantities, inventoryAdjustQuantities and inventoryMoveQuantities, as 2026-04 has them.

Each needs `@idempotent(key:)` on the field (a request without it is an error); a key seen again with
the same input is answered as the first time and applies nothing (see `inventory_book`). Each call is
all or nothing: every change is checked before any is applied: the reason is one of Shopify's, the
quantity names fit the mutation, the item is stocked at the location, `changeFromQuantity` is given
(null skips the compare-and-set) and matches what the store holds, a ledger document names every
change to a quantity other than `available`. Every change is written to the ledger.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo
from graphql.execution.values import get_directive_values

from oms_tui.sim.fulfillment_mutations import user_error
from oms_tui.sim.inventory_book import InventoryBook, adjust, move
from oms_tui.sim.model import InventoryLevel
from oms_tui.sim.store import SimStore

REASONS = frozenset(
    {
        "correction",
        "cycle_count_available",
        "damaged",
        "movement_created",
        "movement_updated",
        "movement_received",
        "movement_canceled",
        "other",
        "promotion",
        "quality_control",
        "received",
        "reservation_created",
        "reservation_deleted",
        "reservation_updated",
        "restock",
        "safety_stock",
        "shrinkage",
    }
)
SET_NAMES = ("available", "on_hand")
ADJUST_NAMES = ("available", "damaged", "incoming", "quality_control", "reserved", "safety_stock")
MOVE_NAMES = ("available", "damaged", "quality_control", "reserved", "safety_stock")
KEY_MISSING = (
    "An idempotency key is required for this mutation: provide it with the @idempotent(key:) directive"
)


def _store(info: GraphQLResolveInfo) -> SimStore:
    store: SimStore = info.context["store"]
    return store


def _key(info: GraphQLResolveInfo) -> str:
    directive = info.schema.get_directive("idempotent")
    assert directive is not None
    values = get_directive_values(directive, info.field_nodes[0], info.variable_values) or {}
    key = values.get("key")
    if not isinstance(key, str) or not key.strip():
        raise GraphQLError(KEY_MISSING, extensions={"code": "BAD_REQUEST"})
    return key


def _once(info: GraphQLResolveInfo, given: dict[str, Any], apply: Any) -> dict[str, Any]:
    """Run `apply` once per idempotency key; the same key again gets the first answer."""
    key, book = _key(info), _store(info).inventory_book
    fingerprint = json.dumps([info.field_name, given], sort_keys=True, default=str)
    seen = book.remembered(key)
    if seen is not None:
        if seen.fingerprint != fingerprint:
            message = "The idempotency key was used before with different parameters"
            return _refused([user_error(None, message, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH")])
        return seen.answer
    answer: dict[str, Any] = apply(key)
    if not answer["userErrors"]:  # a refused request changed nothing: it may be sent again
        book.remember(key, fingerprint, answer)
    return answer


def _refused(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"inventoryAdjustmentGroup": None, "userErrors": errors}


def _common(given: dict[str, Any], *, reference_required: bool = False) -> list[dict[str, Any]]:
    errors = []
    if given["reason"] not in REASONS:
        errors.append(user_error(["input", "reason"], f"Invalid reason: {given['reason']}", "INVALID_REASON"))
    reference = given.get("referenceDocumentUri")
    if (reference is not None or reference_required) and not _uri(reference):
        message = "The reference document URI must be a URI with a scheme and content"
        errors.append(user_error(["input", "referenceDocumentUri"], message, "INVALID_REFERENCE_DOCUMENT"))
    return errors


def _uri(text: str | None) -> bool:
    scheme, _, rest = (text or "").partition("://")
    return bool(scheme and rest.strip("/"))


def _level(
    store: SimStore, item_id: str, location_id: str, path: list[str], errors: list[dict[str, Any]]
) -> InventoryLevel | None:
    item = store.inventory.get(item_id)
    if item is None:
        errors.append(
            user_error(
                [*path, "inventoryItemId"], "The inventory item could not be found", "INVALID_INVENTORY_ITEM"
            )
        )
        return None
    if location_id not in store.locations:
        errors.append(
            user_error([*path, "locationId"], "The location could not be found", "INVALID_LOCATION")
        )
        return None
    level = item.level_at(location_id)
    if level is None or not level.location.is_active:
        message = "The item is not stocked at the location"
        errors.append(user_error([*path, "locationId"], message, "ITEM_NOT_STOCKED_AT_LOCATION"))
        return None
    return level


def _compare(
    given: dict[str, Any],
    current: int,
    path: list[str],
    errors: list[dict[str, Any]],
    required_code: str | None,
) -> None:
    """`changeFromQuantity` must be given (null skips the check) and match the store's quantity."""
    if "changeFromQuantity" not in given:
        message = "changeFromQuantity must be given (null to skip the compare-and-set check)"
        errors.append(user_error([*path, "changeFromQuantity"], message, required_code))
    elif given["changeFromQuantity"] is not None and given["changeFromQuantity"] != current:
        message = (
            f"The quantity has changed since it was read: expected {given['changeFromQuantity']}, "
            f"the store holds {current}"
        )
        errors.append(user_error([*path, "changeFromQuantity"], message, "CHANGE_FROM_QUANTITY_STALE"))


def _ledger_uri(name: str, uri: str | None, path: list[str], errors: list[dict[str, Any]]) -> None:
    if name == "available" and uri is None:
        return
    if uri is None or not _uri(uri):
        message = f"A ledger document URI is required to change {name}"
        errors.append(user_error([*path, "ledgerDocumentUri"], message, "INVALID_LEDGER_DOCUMENT"))
    elif uri.startswith("gid://shopify/"):
        message = "A ledger document URI cannot be a Shopify global id"
        errors.append(user_error([*path, "ledgerDocumentUri"], message, "INTERNAL_LEDGER_DOCUMENT"))


def _group(store: SimStore, given: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "inventoryAdjustmentGroup": {
            "id": f"gid://shopify/InventoryAdjustmentGroup/{store.new_id()}",
            "createdAt": store.now(),
            "reason": given["reason"],
            "referenceDocumentUri": given.get("referenceDocumentUri"),
            "changes": changes,
        },
        "userErrors": [],
    }


def inventory_set_quantities(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    store = _store(info)

    def apply(key: str) -> dict[str, Any]:
        errors, name = _common(input), input["name"]
        if name not in SET_NAMES:
            errors.append(
                user_error(["input", "name"], "The name must be available or on_hand", "INVALID_NAME")
            )
        seen: set[tuple[str, str]] = set()
        planned: list[tuple[InventoryLevel, int]] = []
        for n, given in enumerate(input["quantities"]):
            path = ["input", "quantities", str(n)]
            pair = (given["inventoryItemId"], given["locationId"])
            if pair in seen:
                message = "The same item and location cannot be set twice"
                errors.append(user_error(path, message, "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR"))
            seen.add(pair)
            level = _level(store, *pair, path, errors)
            if given["quantity"] < 0:
                errors.append(
                    user_error(
                        [*path, "quantity"], "The quantity cannot be negative", "INVALID_QUANTITY_NEGATIVE"
                    )
                )
            if level is not None and name in SET_NAMES:
                _compare(given, level.quantity(name), path, errors, "COMPARE_QUANTITY_REQUIRED")
                planned.append((level, given["quantity"] - level.quantity(name)))
        if errors:
            return _refused(errors)
        changes = []
        for level, delta in planned:
            if delta:
                adjust(level, name, delta)
                changes.append(_record(store.inventory_book, level, name, delta, input, key))
        return _group(store, input, changes)

    return _once(info, input, apply)


def inventory_adjust_quantities(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    store = _store(info)

    def apply(key: str) -> dict[str, Any]:
        errors, name = _common(input), input["name"]
        if name not in ADJUST_NAMES:
            message = f"The quantity name must be one of {', '.join(ADJUST_NAMES)}"
            errors.append(user_error(["input", "name"], message, "INVALID_QUANTITY_NAME"))
        planned: list[tuple[InventoryLevel, int, str | None]] = []
        for n, given in enumerate(input["changes"]):
            path = ["input", "changes", str(n)]
            level = _level(store, given["inventoryItemId"], given["locationId"], path, errors)
            _ledger_uri(name, given.get("ledgerDocumentUri"), path, errors)
            if level is not None and name in ADJUST_NAMES:
                _compare(given, level.quantity(name), path, errors, None)
                planned.append((level, given["delta"], given.get("ledgerDocumentUri")))
        if errors:
            return _refused(errors)
        changes = []
        for level, delta, ledger_uri in planned:
            adjust(level, name, delta)
            changes.append(_record(store.inventory_book, level, name, delta, input, key, ledger_uri))
        return _group(store, input, changes)

    return _once(info, input, apply)


def inventory_move_quantities(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    store = _store(info)

    def apply(key: str) -> dict[str, Any]:
        errors = _common(input, reference_required=True)
        planned: list[tuple[InventoryLevel, int, dict[str, Any], dict[str, Any]]] = []
        for n, given in enumerate(input["changes"]):
            path = ["input", "changes", str(n)]
            source, target, quantity = given["from"], given["to"], given["quantity"]
            for end, side in (("from", source), ("to", target)):
                if side["name"] not in MOVE_NAMES:
                    message = f"The quantity name must be one of {', '.join(MOVE_NAMES)}"
                    errors.append(user_error([*path, end, "name"], message, "INVALID_QUANTITY_NAME"))
                _ledger_uri(side["name"], side.get("ledgerDocumentUri"), [*path, end], errors)
            if source["locationId"] != target["locationId"]:
                message = "Quantities can only be moved within one location"
                errors.append(user_error(path, message, "DIFFERENT_LOCATIONS"))
            if source["name"] == target["name"]:
                errors.append(user_error(path, "The names must differ", "SAME_QUANTITY_NAME"))
            if quantity <= 0:
                message = "The quantity must be greater than 0"
                errors.append(user_error([*path, "quantity"], message, "INVALID_QUANTITY_NEGATIVE"))
            level = _level(store, given["inventoryItemId"], source["locationId"], path, errors)
            if level is None or source["name"] not in MOVE_NAMES or target["name"] not in MOVE_NAMES:
                continue
            _compare(source, level.quantity(source["name"]), [*path, "from"], errors, None)
            _compare(target, level.quantity(target["name"]), [*path, "to"], errors, None)
            if source["name"] != "available" and level.quantity(source["name"]) < quantity:
                message = f"Only {level.quantity(source['name'])} {source['name']} to move"
                errors.append(user_error([*path, "quantity"], message, "INVALID_QUANTITY_TOO_HIGH"))
            planned.append((level, quantity, source, target))
        if errors:
            return _refused(errors)
        changes = []
        for level, quantity, source, target in planned:
            move(level, source["name"], target["name"], quantity)
            book = store.inventory_book
            changes.append(
                _record(book, level, source["name"], -quantity, input, key, source.get("ledgerDocumentUri"))
            )
            changes.append(
                _record(book, level, target["name"], quantity, input, key, target.get("ledgerDocumentUri"))
            )
        return _group(store, input, changes)

    return _once(info, input, apply)


def _record(
    book: InventoryBook,
    level: InventoryLevel,
    name: str,
    delta: int,
    given: dict[str, Any],
    key: str,
    ledger_uri: str | None = None,
) -> dict[str, Any]:
    reference = given.get("referenceDocumentUri")
    return book.record(level, name, delta, given["reason"], reference, ledger_uri=ledger_uri, key=key)


INVENTORY_MUTATIONS = {
    ("Mutation", "inventorySetQuantities"): inventory_set_quantities,
    ("Mutation", "inventoryAdjustQuantities"): inventory_adjust_quantities,
    ("Mutation", "inventoryMoveQuantities"): inventory_move_quantities,
}
