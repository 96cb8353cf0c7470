"""Paging: sizes from the cost rule, shrinking when the store finds a page too costly, line-item tails."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from oms_tui.shopify.cost import requested_cost
from oms_tui.store import client as client_module
from oms_tui.store import page_size as page_size_module
from oms_tui.store.errors import QueryTooCostly, StoreAuthError

from .conftest import MakeClient
from .fakes import Script, graphql_error, ok


def connection_page(items: list[str], variables: dict) -> dict:
    """The slice of `items` that `first`/`after` select, as a connection with nodes and pageInfo."""
    start = int(variables.get("after") or 0)
    end = start + variables["first"]
    return {
        "pageInfo": {"hasNextPage": end < len(items), "endCursor": str(min(end, len(items)))},
        "nodes": [{"id": item} for item in items[start:end]],
    }


def serve(items: list[str], wrap, *, max_first: int = 250):
    """A responder paging through `items`; refuses pages larger than `max_first` as too costly."""

    def respond(request: httpx.Request) -> httpx.Response:
        variables = json.loads(request.content)["variables"]
        if variables["first"] > max_first:
            return graphql_error("MAX_COST_EXCEEDED", "Query cost exceeds the single query max")
        return ok(wrap(connection_page(items, variables)))

    return respond


async def test_orders_are_paged_at_the_size_the_cost_rule_allows(make_client: MakeClient) -> None:
    orders = [f"gid://shopify/Order/{n}" for n in range(48)]
    script = Script(*[serve(orders, lambda c: {"orders": c})] * 3)
    client = make_client(script.transport)
    pages = [
        page
        async for page in client.paginate(
            "orders_page", {"query": "status:open"}, connection_path=("orders",)
        )
    ]
    assert [len(p) for p in pages] == [16, 16, 16]  # 2 + 16 x 60 = 962 <= 1,000
    assert [n["id"] for p in pages for n in p] == orders
    assert script.variables() == [
        {"query": "status:open", "first": 16},
        {"query": "status:open", "first": 16, "after": "16"},
        {"query": "status:open", "first": 16, "after": "32"},
    ]


async def test_page_size_respects_a_bucket_smaller_than_the_query_cap(make_client: MakeClient) -> None:
    orders = [f"gid://shopify/Order/{n}" for n in range(22)]
    first = serve(orders, lambda c: {"orders": c})

    def small_bucket(request: httpx.Request) -> httpx.Response:
        response = first(request)
        body = response.json() | {"extensions": {"cost": {"throttleStatus": {
            "maximumAvailable": 400, "currentlyAvailable": 400, "restoreRate": 20}}}}  # fmt: skip
        return httpx.Response(200, json=body)

    script = Script(small_bucket, small_bucket)
    client = make_client(script.transport)
    pages = [page async for page in client.paginate("orders_page", connection_path=("orders",))]
    assert [v["first"] for v in script.variables()] == [16, 6]  # then 2 + 6 x 60 = 362 <= 400
    assert [len(p) for p in pages] == [16, 6]


async def test_too_costly_pages_are_halved_until_they_fit(make_client: MakeClient) -> None:
    orders = [f"gid://shopify/Order/{n}" for n in range(10)]
    respond = serve(orders, lambda c: {"orders": c}, max_first=7)
    script = Script(*[respond] * 5)
    client = make_client(script.transport)
    pages = [page async for page in client.paginate("orders_page", connection_path=("orders",))]
    assert [v["first"] for v in script.variables()] == [16, 8, 4, 4, 4]
    assert [len(p) for p in pages] == [4, 4, 2]


async def test_a_single_item_that_is_too_costly_is_reported(make_client: MakeClient) -> None:
    refuse = graphql_error("MAX_COST_EXCEEDED", "too costly")
    script = Script(*[refuse] * 6)
    client = make_client(script.transport)
    with pytest.raises(QueryTooCostly):
        async for _ in client.paginate("orders_page", connection_path=("orders",)):
            pass
    assert [v["first"] for v in script.variables()] == [16, 8, 4, 2, 1]


async def test_remaining_line_items_of_an_order(make_client: MakeClient) -> None:
    lines = [f"gid://shopify/LineItem/{n}" for n in range(300)]
    order_id = "gid://shopify/Order/9"
    respond = serve(lines, lambda c: {"order": {"id": order_id, "lineItems": c}})
    script = Script(respond, respond)
    items = await make_client(script.transport).fetch_remaining_line_items(order_id, "10")
    assert [i["id"] for i in items] == lines[10:]
    assert script.variables() == [
        {"id": order_id, "after": "10", "first": 250},
        {"id": order_id, "after": "260", "first": 250},
    ]
    assert all("OrderLineItems" in json.loads(r.content)["query"] for r in script.requests)


async def test_remaining_line_items_of_a_fulfillment_order(make_client: MakeClient) -> None:
    lines = [f"gid://shopify/FulfillmentOrderLineItem/{n}" for n in range(15)]
    fo_id = "gid://shopify/FulfillmentOrder/4"
    script = Script(serve(lines, lambda c: {"fulfillmentOrder": {"id": fo_id, "lineItems": c}}))
    items = await make_client(script.transport).fetch_remaining_line_items(fo_id, "10")
    assert [i["id"] for i in items] == lines[10:]
    assert "FulfillmentOrderLineItems" in json.loads(script.requests[0].content)["query"]


async def test_remaining_line_items_of_a_deleted_order_are_none(make_client: MakeClient) -> None:
    script = Script(ok({"order": None}))
    assert await make_client(script.transport).fetch_remaining_line_items("gid://shopify/Order/1", "10") == []


async def test_remaining_line_items_reject_other_ids(make_client: MakeClient) -> None:
    with pytest.raises(ValueError, match="not an order, fulfillment order or fulfillment id"):
        await make_client(Script().transport).fetch_remaining_line_items("gid://shopify/Product/1", "x")


async def test_the_next_page_is_asked_for_while_the_caller_handles_this_one(make_client: MakeClient) -> None:
    """A remote store works on page two while the sync writes page one; a caller that stops early
    leaves no request behind."""
    orders = [f"gid://shopify/Order/{n}" for n in range(48)]
    script = Script(*[serve(orders, lambda c: {"orders": c})] * 3)
    client = make_client(script.transport)
    pages = client.paginate("orders_page", {}, connection_path=("orders",))
    first = await anext(pages)
    for _ in range(5):  # the caller's own awaits (a write in a thread, say)
        await asyncio.sleep(0)
    assert len(first) == 16 and len(script.variables()) == 2
    await pages.aclose()
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(script.variables()) == 2


async def test_a_walk_to_the_end_reads_pages_ahead_of_its_caller(make_client: MakeClient) -> None:
    """The sync's history walk: while it writes, the store answers later pages, as many as asked."""
    orders = [f"gid://shopify/Order/{n}" for n in range(160)]
    script = Script(*[serve(orders, lambda c: {"orders": c})] * 10)
    client = make_client(script.transport)
    pages = client.paginate("orders_page", {}, connection_path=("orders",), read_ahead=3)
    first = await anext(pages)
    for _ in range(20):  # the caller is busy writing page one
        await asyncio.sleep(0)
    assert len(first) == 16 and len(script.variables()) == 4  # this page and three ahead, no more
    rest = [page async for page in pages]
    assert [n["id"] for p in [first, *rest] for n in p] == orders
    assert len(script.variables()) == 10


async def test_a_failure_ahead_of_the_caller_comes_after_the_pages_read_before_it(
    make_client: MakeClient,
) -> None:
    orders = [f"gid://shopify/Order/{n}" for n in range(160)]
    respond = serve(orders, lambda c: {"orders": c})
    gone = httpx.Response(401, json={"errors": "[API] Invalid API key or access token"})
    script = Script(respond, respond, respond, lambda _request: gone)
    client = make_client(script.transport)
    read = []
    with pytest.raises(StoreAuthError):
        async for page in client.paginate("orders_page", {}, connection_path=("orders",), read_ahead=8):
            for _ in range(20):
                await asyncio.sleep(0)  # the failure is in by now
            read.append(page)
    assert [len(page) for page in read] == [16, 16, 16]


async def test_the_cost_rule_is_asked_once_per_shape_of_page_not_once_per_page(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sizing a page takes about ten questions to the cost rule; every page of a walk asks the same."""
    asked = []

    def counted(*args: object, **kwargs: object) -> int:
        asked.append(args)
        return requested_cost(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(client_module, "requested_cost", counted)
    monkeypatch.setattr(page_size_module, "requested_cost", counted)
    orders = [f"gid://shopify/Order/{n}" for n in range(160)]
    script = Script(*[serve(orders, lambda c: {"orders": c})] * 10)
    pages = make_client(script.transport).paginate("orders_page", {}, connection_path=("orders",))
    assert sum([len(page) async for page in pages]) == 160
    assert len(asked) < 15  # the first page's questions; ten pages asked them ten times
    assert {v["first"] for v in script.variables()} == {16}
