"""Query cost by Shopify's rule, the leaky bucket, and what a throttled or over-budget call returns."""

from __future__ import annotations

import httpx
import pytest
from graphql import parse

from oms_tui.shopify.cost import actual_cost, cost_shape, requested_cost
from oms_tui.shopify.schema import subset_schema
from oms_tui.sim.store import SimStore
from oms_tui.sim.testing import sim_client
from oms_tui.sim.throttle import LeakyBucket
from tests.sim.conftest import gql


@pytest.mark.parametrize(
    ("document", "variables", "expected"),
    [
        # orders: 2 + 50 x (order 1 + lineItems (2 + 20 x line item 1)) = 2 + 50 x 23 = 1152
        ("{ orders(first: 50) { nodes { id lineItems(first: 20) { nodes { id } } } } }", {}, 1152),
        # 2 + 10 x (order 1 + customer 1 + shippingAddress 1); scalars and pageInfo cost nothing = 32
        (
            "query($n: Int) { orders(first: $n) { edges { cursor node { id customer { email } "
            "shippingAddress { zip } } } pageInfo { hasNextPage } } }",
            {"n": 10},
            32,
        ),
        # fulfillment orders: 2 + 100 x (FO 1 + assignedLocation 1 + location 1 + holds 1 + actions 1
        #   + lineItems (2 + 10 x (FO line 1 + lineItem 1))) = 2 + 100 x 27 = 2702
        (
            "{ fulfillmentOrders(first: 100) { nodes { id assignedLocation { location { id } } "
            "fulfillmentHolds { id } supportedActions { action } lineItems(first: 10) { nodes { id "
            "lineItem { id } } } } } }",
            {},
            2702,
        ),
        # order(id): object 1 + lineItems (2 + 5 x 1) = 8
        ('{ order(id: "gid://shopify/Order/1") { id lineItems(last: 5) { nodes { sku } } } }', {}, 8),
        # nodes(ids) with 3 ids: 3 x (1 + the dearest fragment: Order's customer 1) = 6
        (
            '{ nodes(ids: ["a", "b", "c"]) { id ... on Order { customer { id } } '
            "... on Location { name } } }",
            {},
            6,
        ),
        # defaults count: 2 + 4 x (order 1 + fulfillments 3 x (1 + trackingInfo 2 x 1)) = 2 + 4 x 10 = 42
        (
            "query($n: Int = 4, $f: Int = 3) { orders(first: $n) { nodes { id "
            "fulfillments(first: $f) { id trackingInfo(first: 2) { number } } } } }",
            {},
            42,
        ),
        # a mutation costs 10 whatever its payload selects
        ('mutation { tagsAdd(id: "x", tags: ["a"]) { node { id } userErrors { message } } }', {}, 10),
    ],
)
def test_requested_cost_follows_the_rule(document: str, variables: dict[str, int], expected: int) -> None:
    assert requested_cost(subset_schema(), parse(document), variables) == expected


def test_actual_cost_counts_returned_nodes() -> None:
    document = parse("{ orders(first: 50) { nodes { id lineItems(first: 20) { nodes { id } } } } }")
    data = {
        "orders": {
            "nodes": [
                {"id": "1", "lineItems": {"nodes": [{"id": "a"}, {"id": "b"}]}},
                {"id": "2", "lineItems": {"nodes": []}},
            ]
        }
    }
    # 2 + (order 1 + 2 + 2 lines) + (order 1 + 2 + 0 lines) = 2 + 5 + 3 = 10
    assert actual_cost(subset_schema(), document, {}, data) == 10


def test_bucket_throttles_then_restores_at_the_plan_rate() -> None:
    now = [0.0]
    bucket = LeakyBucket.for_plan("standard", clock=lambda: now[0])
    assert bucket.status().maximum_available == 2000 and bucket.restore_rate == 100
    assert bucket.try_take(1500)
    assert not bucket.try_take(600)  # 500 left
    now[0] += 1.0  # +100 points
    assert not bucket.try_take(601)
    assert bucket.try_take(600)
    now[0] += 100.0
    assert bucket.available() == 2000  # never above the bucket size
    bucket.refund(50)
    assert bucket.available() == 2000


async def test_throttled_call_is_http_200_with_shopify_shape_and_refunds_unused_cost() -> None:
    now = [0.0]
    async with sim_client(
        SimStore(orders=20), restore_rate=10, bucket=100, bucket_clock=lambda: now[0]
    ) as client:
        query = "{ orders(first: 30) { nodes { id } } }"  # requested 2 + 30 = 32; 20 orders exist: actual 22
        first = await gql(client, query)
        assert first["extensions"]["cost"] == {
            "requestedQueryCost": 32,
            "actualQueryCost": 22,
            "throttleStatus": {"maximumAvailable": 100, "currentlyAvailable": 78, "restoreRate": 10},
        }
        await gql(client, query)  # 78 - 22 = 56 left
        await gql(client, query)  # 56 - 22 = 34 left
        throttled = await gql(client, "{ orders(first: 40) { nodes { id } } }")  # needs 42
        assert throttled["errors"][0]["message"] == "Throttled"
        assert throttled["errors"][0]["extensions"]["code"] == "THROTTLED"
        assert throttled["extensions"]["cost"]["requestedQueryCost"] == 42
        assert throttled["extensions"]["cost"]["actualQueryCost"] is None
        assert "data" not in throttled
        now[0] += 1.0  # 34 + 10 = 44 >= 42
        assert "data" in await gql(client, "{ orders(first: 40) { nodes { id } } }")


async def test_query_above_1000_points_is_refused(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ orders(first: 50) { nodes { id lineItems(first: 20) { nodes { id } } } } }")
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "MAX_COST_EXCEEDED", "cost": 1152, "maxCost": 1000}
    assert "Query cost is 1152" in error["message"]
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1152


def test_the_shape_of_a_query_is_what_its_cost_depends_on() -> None:
    """Numbers and list lengths, not cursors, searches or ids: pages of one walk share one shape."""
    page = {"first": 16, "lineItemsFirst": 3, "after": "abc", "query": "status:open", "id": "gid://x/1"}
    assert cost_shape(page) == (("first", 16), ("lineItemsFirst", 3))
    assert cost_shape({**page, "after": "def"}) == cost_shape(page)
    assert cost_shape({**page, "lineItemsFirst": 4}) != cost_shape(page)
    assert cost_shape({"ids": ["a", "b"]}) == cost_shape({"ids": ["c", "d"]}) != cost_shape({"ids": ["a"]})
