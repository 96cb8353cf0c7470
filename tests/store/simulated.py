"""A simulator, a real client wired to it in process, and a check that the cache mirrors it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr
from sqlmodel import select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import (
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Order,
    OrderTag,
)
from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.store import SimStore
from oms_tui.store.client import StoreClient


async def no_sleep(_seconds: float) -> None:
    """Backoff and pacing waits, skipped: these tests count requests, not seconds."""


class Tap(httpx.AsyncBaseTransport):
    """Passes requests to the simulator; `before` runs first and may change the store or raise."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.requests = 0
        self.throttled = 0
        self.before: Callable[[int, httpx.Request], None] = lambda count, request: None
        self.rewrite: Callable[[bytes], bytes] = lambda body: body

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        self.before(self.requests, request)
        response = await self.inner.handle_async_request(request)
        body = self.rewrite(await response.aread())
        self.throttled += b'"THROTTLED"' in body
        return httpx.Response(response.status_code, headers=response.headers, content=body)


class FakeTime:
    """One clock for the client's pacing and the simulator's bucket; sleeping moves it on."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


def simulated_client(
    store: SimStore, client_token: str = DEFAULT_TOKEN, time: FakeTime | None = None, **app_options: Any
) -> tuple[StoreClient, Tap, Any]:
    """A client on the simulator; the bucket is roomy unless the test asks for a plan or a rate."""
    if not {"plan", "restore_rate", "bucket"} & set(app_options):
        app_options |= {"restore_rate": 1_000_000, "bucket": 1_000_000}
    if time is not None:
        app_options["bucket_clock"] = time.monotonic
    app = create_app(store, token=DEFAULT_TOKEN, **app_options)
    tap = Tap(app)
    timing: dict[str, Any] = {"sleep": time.sleep, "clock": time.monotonic} if time else {"sleep": no_sleep}
    client = StoreClient("https://sim.test", SecretStr(client_token), transport=tap, **timing)
    return client, tap, app


def assert_cache_matches(store: SimStore, cache: Cache) -> None:
    """Object by object: every order and fulfillment order of the simulator, as the cache holds it."""
    with cache.sessions() as session:
        orders = {order.id: order for order in session.exec(select(Order))}
        lines: dict[str, list[tuple[str, int, int, str | None, str | None]]] = {}
        for line in session.exec(select(LineItem).order_by(LineItem.order_id, LineItem.position)):
            lines.setdefault(line.order_id, []).append(
                (line.id, line.quantity, line.unfulfilled_quantity, line.bundle_id, line.bundle_title)
            )
        fos = {fo.id: fo for fo in session.exec(select(FulfillmentOrder))}
        fo_lines: dict[str, dict[str, int]] = {}
        for fo_line in session.exec(select(FulfillmentOrderLineItem)):
            fo_lines.setdefault(fo_line.fulfillment_order_id, {})[fo_line.id] = fo_line.remaining_quantity
        tags: dict[str, set[str]] = {}
        for row in session.exec(select(OrderTag)):
            tags.setdefault(row.order_id, set()).add(row.tag)
        holds: dict[str, set[str]] = {}
        for hold in session.exec(select(FulfillmentHold)):
            holds.setdefault(hold.fulfillment_order_id, set()).add(hold.id)
    assert set(orders) == set(store.orders), "orders missing from or extra in the cache"
    for ident, want in store.orders.items():
        got = orders[ident]
        assert (got.name, got.updated_at, got.fulfillment_status, got.tags, got.note, got.cancelled_at) == (
            want.name,
            want.updated_at,
            want.display_fulfillment_status,
            list(want.tags),
            want.note,
            want.cancelled_at,
        ), ident
        shipping = want.shipping_line.title if want.shipping_line else None
        assert (got.channel, got.shipping_method) == (want.source_name, shipping), ident
        assert tags.get(ident, set()) == {tag.lower() for tag in want.tags}, ident
        assert lines.get(ident, []) == [
            (
                li.id,
                li.quantity,
                li.unfulfilled_quantity,
                li.line_item_group.id if li.line_item_group else None,
                li.line_item_group.title if li.line_item_group else None,
            )
            for li in want.line_items
        ]
    assert set(fos) == set(store.fulfillment_orders), "fulfillment orders missing from or extra in the cache"
    for ident, want_fo in store.fulfillment_orders.items():
        got_fo = fos[ident]
        assert (got_fo.status, got_fo.location_id, got_fo.updated_at) == (
            want_fo.status,
            want_fo.location.id,
            want_fo.updated_at,
        ), ident
        assert fo_lines.get(ident, {}) == {line.id: line.remaining_quantity for line in want_fo.line_items}
        assert holds.get(ident, set()) == {hold.id for hold in want_fo.holds}
