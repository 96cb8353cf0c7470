"""How the client reacts to each fault: waits asserted on the injected sleep, requests counted."""

from __future__ import annotations

import httpx
import pytest

from oms_tui.store.errors import (
    AmbiguousResult,
    QueryTooCostly,
    StoreAuthError,
    StoreQueryError,
    StoreUnavailable,
)

from .conftest import MakeClient
from .fakes import SHOP, TOKEN, FakeTime, Script, graphql_error, ok

LOCATIONS = {"locations": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}}
PAGE = {"first": 10}
FULFIL = {
    "fulfillment": {
        "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/1"}]
    }
}


async def test_success_returns_data_and_sends_the_request_shopify_expects(make_client: MakeClient) -> None:
    script = Script(ok(LOCATIONS, requested=22, available=978))
    client = make_client(script.transport, pacing_margin=0)
    assert await client.execute("locations_page", PAGE) == LOCATIONS
    (request,) = script.requests
    assert str(request.url) == f"{SHOP}/admin/api/2026-04/graphql.json"
    assert request.headers["X-Shopify-Access-Token"] == TOKEN
    assert script.variables() == [PAGE]
    assert client.bucket.maximum == 1000


async def test_throttled_at_200_waits_for_the_missing_points_then_retries(
    make_client: MakeClient, fake_time: FakeTime
) -> None:
    script = Script(
        graphql_error("THROTTLED", "Throttled", requested=70, available=20, rate=50),
        ok(LOCATIONS, requested=70, available=930),
    )
    client = make_client(script.transport, pacing_margin=0)
    assert await client.execute("locations_page", PAGE) == LOCATIONS
    assert fake_time.sleeps == [pytest.approx((70 - 20) / 50)]
    assert len(script.requests) == 2


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_is_honoured(make_client: MakeClient, fake_time: FakeTime, status: int) -> None:
    script = Script(httpx.Response(status, headers={"Retry-After": "7"}), ok(LOCATIONS))
    assert await make_client(script.transport).execute("locations_page", PAGE) == LOCATIONS
    assert fake_time.sleeps == [7.0]
    assert len(script.requests) == 2


async def test_server_error_with_html_body_is_retried_with_backoff(
    make_client: MakeClient, fake_time: FakeTime
) -> None:
    html = httpx.Response(502, text="<html><body><h1>502 Bad Gateway</h1></body></html>")
    script = Script(html, html, ok(LOCATIONS))
    assert await make_client(script.transport).execute("locations_page", PAGE) == LOCATIONS
    assert len(script.requests) == 3
    first, second = fake_time.sleeps  # base 1 s, doubling, jittered into [d/2, d]
    assert 0.5 <= first <= 1.0
    assert 1.0 <= second <= 2.0


async def test_malformed_body_is_retried_as_transient(make_client: MakeClient) -> None:
    script = Script(httpx.Response(200, text="{not json"), httpx.Response(200, json=[1]), ok(LOCATIONS))
    assert await make_client(script.transport).execute("locations_page", PAGE) == LOCATIONS
    assert len(script.requests) == 3


async def test_dropped_connection_is_retried_for_queries(make_client: MakeClient) -> None:
    script = Script(
        httpx.RemoteProtocolError("peer closed connection"), httpx.ReadTimeout("slow"), ok(LOCATIONS)
    )
    assert await make_client(script.transport).execute("locations_page", PAGE) == LOCATIONS
    assert len(script.requests) == 3


async def test_gives_up_with_store_unavailable_after_the_attempt_budget(make_client: MakeClient) -> None:
    script = Script(*[httpx.Response(500, text="oops")] * 4)
    with pytest.raises(StoreUnavailable, match=r"after 4 attempt\(s\).*locations_page: HTTP 500"):
        await make_client(script.transport).execute("locations_page", PAGE)
    assert len(script.requests) == 4


async def test_gives_up_when_the_store_asks_for_a_longer_wait_than_the_budget(
    make_client: MakeClient, fake_time: FakeTime
) -> None:
    script = Script(httpx.Response(503, headers={"Retry-After": "3600"}))
    with pytest.raises(StoreUnavailable, match="HTTP 503"):
        await make_client(script.transport).execute("locations_page", PAGE)
    assert len(script.requests) == 1
    assert fake_time.sleeps == []


async def test_401_stops_at_once(make_client: MakeClient, fake_time: FakeTime) -> None:
    script = Script(httpx.Response(401, json={"errors": "[API] Invalid API key or access token"}))
    with pytest.raises(StoreAuthError, match="rejected the access token"):
        await make_client(script.transport).execute("locations_page", PAGE)
    assert len(script.requests) == 1
    assert fake_time.sleeps == []


async def test_access_denied_names_the_scope_from_the_store(make_client: MakeClient) -> None:
    denied = graphql_error(
        "ACCESS_DENIED",
        "Access denied for fulfillmentOrders field.",
        extensions={"requiredAccess": "`read_merchant_managed_fulfillment_orders` access scope."},
    )
    script = Script(denied)
    with pytest.raises(StoreAuthError, match="read_merchant_managed_fulfillment_orders") as caught:
        await make_client(script.transport).execute("fulfillment_orders_page", PAGE)
    assert caught.value.required_scope == "read_merchant_managed_fulfillment_orders"
    assert len(script.requests) == 1


async def test_http_403_names_the_scope_the_operation_needs(make_client: MakeClient) -> None:
    script = Script(httpx.Response(403, text="Forbidden"))
    with pytest.raises(StoreAuthError, match="needs the `write_orders` access scope"):
        await make_client(script.transport).execute(
            "tags_add", {"id": "gid://shopify/Order/1", "tags": ["x"]}
        )
    assert len(script.requests) == 1


async def test_validation_errors_are_not_retried(make_client: MakeClient) -> None:
    script = Script(
        httpx.Response(200, json={"errors": [{"message": "Field 'nope' doesn't exist on type 'Shop'"}]})
    )
    with pytest.raises(StoreQueryError, match="doesn't exist"):
        await make_client(script.transport).execute("{ shop { name } }")
    assert len(script.requests) == 1


async def test_max_cost_exceeded_is_raised_not_retried(make_client: MakeClient) -> None:
    script = Script(
        graphql_error("MAX_COST_EXCEEDED", "Query cost is 1200, which exceeds the single query max")
    )
    with pytest.raises(QueryTooCostly):
        await make_client(script.transport).execute("locations_page", PAGE)
    assert len(script.requests) == 1


async def test_a_query_over_the_cap_is_never_sent(make_client: MakeClient) -> None:
    script = Script()
    with pytest.raises(QueryTooCostly, match="would cost 1802 points") as caught:  # 2 + 30 x 60
        await make_client(script.transport).execute("orders_page", {"first": 30})
    assert (caught.value.requested, caught.value.limit) == (1802, 1000)
    assert script.requests == []


@pytest.mark.parametrize(
    "fault",
    [
        httpx.ReadTimeout("no answer"),
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.Response(200, text="<html>"),
    ],
)
async def test_mutation_with_unknown_outcome_is_ambiguous(make_client: MakeClient, fault: object) -> None:
    script = Script(fault)  # type: ignore[arg-type]
    with pytest.raises(AmbiguousResult, match="fulfillment_create may or may not have been applied"):
        await make_client(script.transport).execute("fulfillment_create", FULFIL)
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    "fault",
    [
        httpx.ConnectError("connection refused"),
        httpx.ConnectTimeout("no route"),
        httpx.Response(429, headers={"Retry-After": "1"}),
        graphql_error("THROTTLED", "Throttled", requested=10, available=0, rate=50),
    ],
)
async def test_mutation_that_was_certainly_not_applied_is_retried(
    make_client: MakeClient, fault: object
) -> None:
    created = {"fulfillmentCreate": {"fulfillment": {"id": "gid://shopify/Fulfillment/1"}, "userErrors": []}}
    script = Script(fault, ok(created))  # type: ignore[arg-type]
    assert await make_client(script.transport).execute("fulfillment_create", FULFIL) == created
    assert len(script.requests) == 2
