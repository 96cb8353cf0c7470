"""Requested cost by the rule, hand-computed, and page sizes chosen from it."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, parse

from oms_tui.shopify.cost import MAX_QUERY_COST, requested_cost
from oms_tui.store.documents import load
from oms_tui.store.page_size import NestedSize, largest_batch, largest_first

# One order node in orders_page / nodes_orders (defaults lineItemsFirst 10, fulfillmentsFirst 5):
#   order 1 + customer (1 + defaultEmailAddress 1) + shippingAddress 1 + risk (1 + assessments 1)
#   + shippingLine 1 + totalPriceSet (1 + shopMoney 1) + fulfillments 5 x (1 + trackingInfo 3 x 1)
#   + lineItems (2 + 10 x (1 + variant 1 + lineItemGroup 1))
#   =  1+1+1+2+1+2+20+32 = 60
ORDER_NODE = 60
# One fulfillment order node: 1 + assignedLocation (1 + location 1) + fulfillmentHolds 1
#   + supportedActions 1 + lineItems (2 + 10 x (1 + lineItem 1))  =  1+2+1+1+22 = 27
FULFILLMENT_ORDER_NODE = 27
# One inventory item node: 1 + inventoryLevels (2 + 10 x (1 + location 1 + quantities 8 x 1))  = 103
INVENTORY_ITEM_NODE = 103


@pytest.mark.parametrize(
    ("name", "variables", "expected"),
    [
        ("orders_page", {"first": 1}, 2 + ORDER_NODE),
        ("orders_page", {"first": 20}, 2 + 20 * ORDER_NODE),
        ("orders_page", {"first": 10, "lineItemsFirst": 50}, 2 + 10 * (ORDER_NODE + 40 * 3)),
        ("fulfillment_orders_page", {"first": 36}, 2 + 36 * FULFILLMENT_ORDER_NODE),
        ("inventory_items", {"first": 18}, 2 + 18 * INVENTORY_ITEM_NODE),
        ("locations_page", {"first": 250}, 2 + 250 * 2),  # location 1 + address 1
        ("order_line_items", {"id": "x", "first": 250}, 1 + 2 + 250 * 3),
        ("fulfillment_order_line_items", {"id": "x", "first": 250}, 1 + 2 + 250 * 2),
        ("nodes_orders", {"ids": ["a", "b", "c"]}, 3 * ORDER_NODE),
        ("nodes_fulfillment_orders", {"ids": ["a", "b"]}, 2 * FULFILLMENT_ORDER_NODE),
        ("bulk_status", {"id": "x"}, 1),
        ("fulfillment_create", {}, 10),
        ("order_cancel", {}, 10),
    ],
)
def test_cost_of_documents(full_schema: GraphQLSchema, name: str, variables: dict, expected: int) -> None:
    assert requested_cost(full_schema, load(name).ast, variables) == expected


def test_nesting_multiplies(full_schema: GraphQLSchema) -> None:
    # The pitfall from NOTES.md: 2 + 50 x (1 + 2 + 20 x 1) = 1,152, over the cap.
    ast = parse("{ orders(first: 50) { edges { node { id lineItems(first: 20) { nodes { sku } } } } } }")
    assert requested_cost(full_schema, ast, {}) == 1152


@pytest.mark.parametrize(
    ("name", "budget", "expected"),
    [
        ("orders_page", 1000, 16),  # 2 + 16 x 60 = 962; 17 would be 1,022
        ("orders_page", 500, 8),  # 2 + 8 x 60 = 482; 9 would be 542
        ("orders_page", 5000, 16),  # the per-query cap still holds
        ("fulfillment_orders_page", 1000, 36),  # 2 + 36 x 27 = 974
        ("inventory_items", 1000, 9),  # 2 + 9 x 103 = 929; 10 would be 1,032
        ("locations_page", 1000, 250),  # 502: the 250 page-size cap binds first
        ("order_line_items", 1000, 250),
    ],
)
def test_largest_first(full_schema: GraphQLSchema, name: str, budget: int, expected: int) -> None:
    ast = load(name).ast
    first = largest_first(full_schema, ast, {"id": "x"}, budget)
    assert first == expected
    assert requested_cost(full_schema, ast, {"id": "x", "first": first}) <= min(budget, MAX_QUERY_COST)


def test_largest_first_honours_nested_sizes(full_schema: GraphQLSchema) -> None:
    # 2 + n x (58 + 40 x 3) <= 1000  ->  n = 5
    assert largest_first(full_schema, load("orders_page").ast, {"lineItemsFirst": 50}, 1000) == 5


def test_largest_first_rejects_impossible_budget(full_schema: GraphQLSchema) -> None:
    with pytest.raises(ValueError, match="more than 30 points"):
        largest_first(full_schema, load("orders_page").ast, {}, 30)


def test_largest_batch_of_ids(full_schema: GraphQLSchema) -> None:
    assert largest_batch(full_schema, load("nodes_orders").ast, {}, 1000) == 16  # 16 x 60 = 960
    assert largest_batch(full_schema, load("nodes_fulfillment_orders").ast, {}, 1000) == 37  # 37 x 27


def test_nested_size_waits_for_what_pages_held(full_schema: GraphQLSchema) -> None:
    assert NestedSize().variables(full_schema, load("orders_page").ast, {}, 1000) == {}


@pytest.mark.parametrize(
    ("lengths", "expected"),
    [
        # Every order has 1 or 2 lines: room for 2 (27 + 2 x 2 = 31 an order) gives pages of 32.
        ([1] * 50 + [2] * 50, 2),
        # One order in 100 is long: a follow-up for it costs less than room for 40 lines in every order.
        ([1] * 99 + [40], 1),
        # Most orders are long: room for them beats a follow-up per order.
        ([30] * 80 + [2] * 20, 30),
    ],
)
def test_nested_size_weighs_page_size_against_follow_ups(
    full_schema: GraphQLSchema, lengths: list[int], expected: int
) -> None:
    sizes = NestedSize()
    sizes.observe(lengths)
    assert sizes.variables(full_schema, load("orders_page").ast, {}, 1000) == {"lineItemsFirst": expected}
