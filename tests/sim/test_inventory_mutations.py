"""The simulator's inventory mutations keep Shopify's rules: the idempotency key, compare-and-set,
quantity names, ledger documents; and its ledger records every change."""

from __future__ import annotations

from typing import Any

from oms_tui.sim.model import InventoryLevel
from oms_tui.sim.store import SimStore
from oms_tui.sim.testing import GRAPHQL_PATH, sim_client

SET = """mutation($i: InventorySetQuantitiesInput!, $k: String!) {
  inventorySetQuantities(input: $i) @idempotent(key: $k) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { field message code } } }"""
MOVE = """mutation($i: InventoryMoveQuantitiesInput!, $k: String!) {
  inventoryMoveQuantities(input: $i) @idempotent(key: $k) {
    inventoryAdjustmentGroup { changes { name delta quantityAfterChange } }
    userErrors { field message code } } }"""
ADJUST_WITHOUT_KEY = """mutation($i: InventoryAdjustQuantitiesInput!) {
  inventoryAdjustQuantities(input: $i) { userErrors { code } } }"""


def a_level(store: SimStore) -> InventoryLevel:
    return next(lv for item in store.inventory.values() for lv in item.levels if lv.on_hand > 10)


def set_input(level: InventoryLevel, quantity: int, was: int | None) -> dict[str, Any]:
    return {
        "name": "available",
        "reason": "cycle_count_available",
        "referenceDocumentUri": "gid://oms-tui/Count/1",
        "quantities": [
            {
                "inventoryItemId": level.item.id,
                "locationId": level.location.id,
                "quantity": quantity,
                "changeFromQuantity": was,
            }
        ],
    }


async def post(client: Any, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = (
        await client.post(GRAPHQL_PATH, json={"query": query, "variables": variables})
    ).json()
    return answer


async def test_a_repeated_key_is_applied_once_and_answered_the_same() -> None:
    store = SimStore(orders=3)
    level = a_level(store)
    available = level.available
    async with sim_client(store) as client:
        given = {"i": set_input(level, available + 4, available), "k": "count-1-a"}
        first = await post(client, SET, given)
        again = await post(client, SET, given)
        other = await post(
            client, SET, {"i": set_input(level, available + 9, available + 4), "k": "count-1-a"}
        )
        ledger = (await client.get("/__inventory_ledger")).json()["entries"]
    assert first["data"] == again["data"] and not first["data"]["inventorySetQuantities"]["userErrors"]
    assert level.available == available + 4
    assert [e["delta"] for e in ledger] == [4] and ledger[0]["idempotency_key"] == "count-1-a"
    (error,) = other["data"]["inventorySetQuantities"]["userErrors"]
    assert error["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"


async def test_the_key_is_required_and_a_stale_compare_quantity_is_refused() -> None:
    store = SimStore(orders=3)
    level = a_level(store)
    available = level.available
    async with sim_client(store) as client:
        stale = await post(client, SET, {"i": set_input(level, 3, available - 1), "k": "k-stale-1"})
        change = {
            "inventoryItemId": level.item.id,
            "locationId": level.location.id,
            "delta": 1,
            "changeFromQuantity": None,
        }
        adjust = {"name": "available", "reason": "correction", "changes": [change]}
        keyless = await post(client, ADJUST_WITHOUT_KEY, {"i": adjust})
    (error,) = stale["data"]["inventorySetQuantities"]["userErrors"]
    assert error["code"] == "CHANGE_FROM_QUANTITY_STALE"
    assert "@idempotent" in keyless["errors"][0]["message"]
    assert level.available == available and not store.inventory_book.ledger


async def test_a_move_keeps_on_hand_and_needs_ledger_documents_for_held_states() -> None:
    store = SimStore(orders=3)
    level = a_level(store)
    on_hand, available, damaged = level.on_hand, level.available, level.damaged

    def move(ledger: str | None, name: str = "damaged") -> dict[str, Any]:
        source = {"locationId": level.location.id, "name": "available", "changeFromQuantity": available}
        target = {
            "locationId": level.location.id,
            "name": name,
            "changeFromQuantity": damaged,
            "ledgerDocumentUri": ledger,
        }
        change = {"inventoryItemId": level.item.id, "quantity": 2, "from": source, "to": target}
        return {"reason": "damaged", "referenceDocumentUri": "gid://oms-tui/PickList/3", "changes": [change]}

    async with sim_client(store) as client:
        no_ledger = await post(client, MOVE, {"i": move(None), "k": "move-1"})
        bad_name = await post(
            client, MOVE, {"i": move("gid://oms-tui/PickList/3#x", "broken"), "k": "move-2"}
        )
        moved = await post(client, MOVE, {"i": move("gid://oms-tui/PickList/3#damaged"), "k": "move-3"})
    assert no_ledger["data"]["inventoryMoveQuantities"]["userErrors"][0]["code"] == "INVALID_LEDGER_DOCUMENT"
    assert bad_name["data"]["inventoryMoveQuantities"]["userErrors"][0]["code"] == "INVALID_QUANTITY_NAME"
    changes = moved["data"]["inventoryMoveQuantities"]["inventoryAdjustmentGroup"]["changes"]
    assert [(c["name"], c["delta"]) for c in changes] == [("available", -2), ("damaged", 2)]
    assert (level.on_hand, level.available, level.damaged) == (on_hand, available - 2, damaged + 2)
