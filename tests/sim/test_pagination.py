"""Paged walks return every object exactly once; searches filter like Shopify's syntax."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oms_tui.sim.store import SimStore
from oms_tui.sim.testing import sim_client
from tests.sim.conftest import Clock, gql

ORDERS = """query($n: Int, $after: String, $sort: OrderSortKeys, $reverse: Boolean, $q: String) {
  orders(first: $n, after: $after, sortKey: $sort, reverse: $reverse, query: $q) {
    edges { cursor node { id updatedAt } } pageInfo { hasNextPage hasPreviousPage endCursor } } }"""
FOS = """query($n: Int, $after: String, $sort: FulfillmentOrderSortKeys) {
  fulfillmentOrders(first: $n, after: $after, sortKey: $sort, includeClosed: true) {
    nodes { id } pageInfo { hasNextPage endCursor } } }"""


async def walk(client: httpx.AsyncClient, document: str, root: str, **variables: Any) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        body = await gql(client, document, after=after, **variables)
        page = body["data"][root]
        nodes = page["nodes"] if "nodes" in page else [edge["node"] for edge in page["edges"]]
        ids += [node["id"] for node in nodes]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


def touched_store(clock: Clock) -> SimStore:
    """A store where some orders changed after seeding, so updatedAt order differs from id order."""
    store = SimStore(orders=45, seed=3, clock=clock)
    for index in (40, 2, 17):
        clock.advance(30)
        store.touch(store.order_at(index), *store.order_at(index).fulfillment_orders)
    store.add_order()
    return store


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    size=st.integers(1, 60), sort=st.sampled_from(["ID", "UPDATED_AT", "CREATED_AT"]), reverse=st.booleans()
)
def test_order_walk_returns_every_order_once_in_sort_order(
    clock: Clock, size: int, sort: str, reverse: bool
) -> None:
    store = touched_store(clock)

    async def run() -> list[str]:
        async with sim_client(store, plan="plus") as client:
            return await walk(client, ORDERS, "orders", n=size, sort=sort, reverse=reverse)

    ids = asyncio.run(run())
    assert sorted(ids) == sorted(store.orders)
    if sort == "UPDATED_AT":
        expected = sorted(store.orders.values(), key=lambda o: (o.updated_at, int(o.legacy_resource_id)))
    else:
        expected = sorted(store.orders.values(), key=lambda o: int(o.legacy_resource_id))
    assert ids == [o.id for o in (reversed(expected) if reverse else expected)]


@pytest.mark.parametrize("sort", ["ID", "UPDATED_AT"])
async def test_fulfillment_order_walk_returns_each_once(clock: Clock, sort: str) -> None:
    store = touched_store(clock)
    fo = next(f for o in store.orders.values() for f in o.fulfillment_orders if f.status == "OPEN")
    async with sim_client(store, plan="plus") as client:
        await gql(
            client,
            """mutation($id: ID!) { fulfillmentOrderHold(id: $id, fulfillmentHold: {reason: OTHER,
            fulfillmentOrderLineItems: [{id: "%s", quantity: 1}]}) { userErrors { message } } }""".replace(
                "%s", fo.line_items[0].id
            ),
            id=fo.id,
        )
        ids = await walk(client, FOS, "fulfillmentOrders", n=7, sort=sort)
    assert len(ids) == len(set(ids)) == len(store.fulfillment_orders)
    assert set(ids) == set(store.fulfillment_orders)


async def test_last_before_pages_backwards(client: httpx.AsyncClient, store: SimStore) -> None:
    body = await gql(client, "{ orders(last: 5) { nodes { id } pageInfo { hasPreviousPage startCursor } } }")
    page = body["data"]["orders"]
    assert [n["id"] for n in page["nodes"]] == list(store.orders)[-5:]
    assert page["pageInfo"]["hasPreviousPage"]
    body = await gql(
        client,
        "query($c: String) { orders(last: 5, before: $c) { nodes { id } } }",
        c=page["pageInfo"]["startCursor"],
    )
    assert [n["id"] for n in body["data"]["orders"]["nodes"]] == list(store.orders)[-10:-5]


async def test_page_size_is_capped_at_250_and_required(client: httpx.AsyncClient) -> None:
    too_big = await gql(client, "{ orders(first: 251) { nodes { id } } }")
    assert too_big["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    missing = await gql(client, "{ orders { nodes { id } } }")
    assert missing["errors"][0]["message"] == "you must provide one of first or last"


async def test_updated_at_window_and_filters(client: httpx.AsyncClient, store: SimStore) -> None:
    orders = list(store.orders.values())
    since = orders[40].updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    until = orders[50].updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    query = f"updated_at:>='{since}' AND updated_at:<'{until}'"
    ids = await walk(client, ORDERS, "orders", n=4, sort="UPDATED_AT", q=query)
    assert ids == [o.id for o in orders if orders[40].updated_at <= o.updated_at < orders[50].updated_at]
    rush = await walk(client, ORDERS, "orders", n=50, q="tag:rush status:open")
    assert rush == [o.id for o in orders if "rush" in o.tags and not o.closed]
    cancelled = await walk(client, ORDERS, "orders", n=50, q="status:cancelled")
    assert cancelled == [o.id for o in orders if o.cancelled_at is not None]
    sku = orders[0].line_items[0].sku
    by_sku = await walk(client, ORDERS, "orders", n=50, q=f"sku:{sku}")
    assert orders[0].id in by_sku and all(
        sku in {li.sku for li in store.orders[i].line_items} for i in by_sku
    )


async def test_nested_line_items_page_through_a_big_order(client: httpx.AsyncClient) -> None:
    big = SimStore(orders=400, seed=7)
    order = next(o for o in big.orders.values() if len(o.line_items) > 30)
    async with sim_client(big, plan="plus") as client:
        seen: list[str] = []
        after = None
        while True:
            body = await gql(
                client,
                """query($id: ID!, $after: String) { order(id: $id) {
                lineItems(first: 25, after: $after) { nodes { id }
                pageInfo { hasNextPage endCursor } } } }""",
                id=order.id,
                after=after,
            )
            page = body["data"]["order"]["lineItems"]
            seen += [n["id"] for n in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    assert seen == [li.id for li in order.line_items]
