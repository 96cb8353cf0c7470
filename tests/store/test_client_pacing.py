"""The client paces itself to the bucket: against a store that throttles by the rule, it never is."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from graphql import GraphQLSchema

from oms_tui.store.bucket import CostBucket

from .conftest import MakeClient
from .fakes import BucketStore, FakeTime

ORDERS = {"orders": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}}
TEN_ORDERS = {"first": 10}  # 2 + 10 x 60 = 602 points


async def test_consecutive_expensive_queries_wait_instead_of_being_throttled(
    make_client: MakeClient, full_schema: GraphQLSchema, fake_time: FakeTime
) -> None:
    store = BucketStore(full_schema, fake_time, maximum=1240, rate=50, data=ORDERS)
    client = make_client(store.transport, pacing_margin=5)
    for _ in range(6):
        await client.execute("orders_page", TEN_ORDERS)
    assert store.throttled == 0
    assert store.served == 6
    # 1,240 points cover two queries, leaving 36; the third waits until 602 + the margin of 5 are
    # there, leaving 5; each further one waits for 602 more.
    assert fake_time.sleeps == pytest.approx([(607 - 36) / 50, 602 / 50, 602 / 50, 602 / 50])


async def test_concurrent_queries_share_the_bucket(
    make_client: MakeClient, full_schema: GraphQLSchema, fake_time: FakeTime
) -> None:
    store = BucketStore(full_schema, fake_time, maximum=620, rate=20, data=ORDERS)
    client = make_client(store.transport)
    # The bucket is unknown until the first answer: the others must wait for it, then for points.
    await asyncio.gather(*(client.execute("orders_page", TEN_ORDERS) for _ in range(6)))
    assert store.throttled == 0
    assert store.served == 6


async def test_without_pacing_the_same_load_would_be_throttled(
    full_schema: GraphQLSchema, fake_time: FakeTime
) -> None:
    """The fake store is strict enough for the tests above to mean something."""
    store = BucketStore(full_schema, fake_time, maximum=1000, rate=50, data=ORDERS)
    body = {
        "query": "query Q($first: Int!) { orders(first: $first) { nodes { id } } }",
        "variables": {"first": 250},
    }
    async with httpx.AsyncClient(transport=store.transport) as raw:
        for _ in range(5):
            await raw.post("http://store/graphql.json", json=body)
    assert store.throttled == 2  # 502 points each: two fit, the rest do not


def test_bucket_model_refills_and_caps() -> None:
    bucket = CostBucket()
    assert bucket.wait_for(900, now=0) == 0  # unknown bucket: nothing to wait for yet
    bucket.spend(100, now=0)
    bucket.settle(
        100,
        now=1.0,
        throttle_status={"maximumAvailable": 1000, "currentlyAvailable": 300, "restoreRate": 100},
    )
    assert bucket.available_at(2.0) == 400
    assert bucket.available_at(100.0) == 1000
    assert bucket.wait_for(500, now=1.0) == pytest.approx(2.0)
    assert bucket.wait_for(5000, now=1.0) == pytest.approx(7.0)  # never asks for more than the bucket holds


def test_bucket_model_counts_requests_in_flight() -> None:
    bucket = CostBucket()
    status = {"maximumAvailable": 1000, "currentlyAvailable": 1000, "restoreRate": 100}
    bucket.spend(200, now=0)
    bucket.spend(300, now=0)
    bucket.settle(200, now=0, throttle_status=status)  # this report may predate the other request
    assert bucket.available_at(0) == 700
