"""`ordersCount(query:)` and `orders(query:)` by creation range, status and fulfillment status, as the
reconcile counts them: each figure checked against the shop's own orders, counted by hand."""

from __future__ import annotations

from datetime import timedelta

import httpx

from oms_tui.sim.store import SimStore
from tests.sim.conftest import gql

COUNT = "query($q: String) { ordersCount(query: $q, limit: null) { count precision } }"


async def count(client: httpx.AsyncClient, query: str) -> int:
    body = await gql(client, COUNT, q=query)
    assert body["data"]["ordersCount"]["precision"] == "EXACT", body
    return int(body["data"]["ordersCount"]["count"])


async def test_counts_by_creation_range_status_and_fulfillment_status(
    client: httpx.AsyncClient, store: SimStore
) -> None:
    orders = list(store.orders.values())
    start = orders[10].created_at
    end = orders[40].created_at
    within = [o for o in orders if start <= o.created_at < end]
    span = f"created_at:>='{start:%Y-%m-%dT%H:%M:%SZ}' created_at:<'{end:%Y-%m-%dT%H:%M:%SZ}'"
    assert await count(client, span) == len(within) == 30
    assert await count(client, f"{span} status:cancelled") == sum(o.cancelled_at is not None for o in within)
    fulfilled = sum(o.display_fulfillment_status == "FULFILLED" for o in within)
    assert 0 < fulfilled < 30
    assert await count(client, f"{span} fulfillment_status:fulfilled") == fulfilled
    assert await count(client, f"{span} -fulfillment_status:fulfilled") == 30 - fulfilled
    assert await count(client, f"{span} fulfillment_status:on_hold") == sum(
        o.display_fulfillment_status == "ON_HOLD" for o in within
    )
    updated_since = orders[20].updated_at
    assert await count(client, f"{span} updated_at:>='{updated_since:%Y-%m-%dT%H:%M:%SZ}'") == sum(
        o.updated_at >= updated_since for o in within
    )
    late = store.now() + timedelta(days=1)
    assert await count(client, f"created_at:>='{late:%Y-%m-%d}'") == 0


async def test_orders_by_id_page_through_a_creation_range_only(
    client: httpx.AsyncClient, store: SimStore
) -> None:
    orders = list(store.orders.values())
    start, end = orders[5].created_at, orders[17].created_at
    span = f"created_at:>='{start:%Y-%m-%dT%H:%M:%SZ}' created_at:<'{end:%Y-%m-%dT%H:%M:%SZ}'"
    query = """query($q: String, $after: String, $reverse: Boolean) {
      orders(first: 5, after: $after, query: $q, sortKey: ID, reverse: $reverse) {
        pageInfo { hasNextPage endCursor } nodes { id } } }"""
    for reverse in (False, True):
        seen, after = [], None
        while True:
            page = (await gql(client, query, q=span, after=after, reverse=reverse))["data"]["orders"]
            seen += [node["id"] for node in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        wanted = [o.id for o in orders[5:17]]
        assert seen == (wanted[::-1] if reverse else wanted)
