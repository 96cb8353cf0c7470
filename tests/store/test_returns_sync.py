"""Returns reach the cache: the open ones on a first sync, every change after, field by field."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import ReverseFulfillmentOrder
from oms_tui.sim.return_model import ReverseFulfillmentOrderDisposition
from oms_tui.sim.returns_factory import build_return, disposition_id, returnable
from oms_tui.sim.store import SimStore
from oms_tui.store.sync import SyncEngine
from tests.store.returns_shop import cached_returns, request_return, store_returns
from tests.store.simulated import simulated_client
from tests.store.test_outbox import cache

__all__ = ["cache"]

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Ticking:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


async def test_first_sync_reads_open_returns_page_by_page_and_later_passes_every_change(cache: Cache) -> None:
    clock = Ticking()
    store = SimStore(orders=1000, seed=7, clock=clock)
    client, tap, _ = simulated_client(store)
    pages = [0]
    tap.before = lambda _n, request: pages.__setitem__(0, pages[0] + (b"ReturnsPage" in request.content))
    async with client:
        first = await SyncEngine(client, cache, clock=clock).run_once()
        assert pages[0] > 1, "the open returns take more than one page"
        open_returns = store_returns(store, ("OPEN",))
        assert len(open_returns) > 3, "the seeded shop has open returns, more than one page of them"
        assert cached_returns(cache) == open_returns  # closed ones from before are history
        assert first.streams["returns"].created == len(open_returns) and not first.errors
        assert any(r["labels"] for r in open_returns.values())
        assert any(reason for r in open_returns.values() for (_, _, _, reason, _) in r["lines"])

        clock.now += timedelta(minutes=10)
        fresh = request_return(store, min_lines=2)
        disposed = next(iter(open_returns))
        with store.lock:  # someone at the store handles a return meanwhile
            order = store.order(open_returns[disposed]["order"])
            assert order is not None
            target = next(r for r in order.returns if r.id == disposed)
            for line in target.reverse_fulfillment_orders[0].line_items:
                line.dispositions.append(
                    ReverseFulfillmentOrderDisposition(
                        disposition_id(line.id, 0), store.now(), None, line.total_quantity, "MISSING"
                    )
                )
            target.status = "CLOSED"
            store.touch(order)
        clock.now += timedelta(minutes=10)
        requests = tap.requests
        second = await SyncEngine(client, cache, clock=clock).run_once()
    expected = open_returns | store_returns(store, ("OPEN", "CLOSED"))
    got = cached_returns(cache)
    assert got[fresh.id] == expected[fresh.id] and len(got[fresh.id]["lines"]) == 2
    assert got[disposed]["status"] == "CLOSED"
    assert [d for (_, _, d) in got[disposed]["to_dispose"]] == [
        [("MISSING", q)] for (_, q, _) in got[disposed]["to_dispose"]
    ]
    assert {k: v for k, v in got.items()} == {k: expected[k] for k in got}
    assert second.streams["returns"].created >= 1 and second.streams["returns"].updated >= 1
    assert tap.requests - requests < 40, "a later pass reads what changed, not every return again"


async def test_a_long_return_split_in_three_and_an_order_with_four_returns_are_read_whole(
    cache: Cache,
) -> None:
    """15 lines (10 come with the first read), 3 reverse fulfillment orders (2 do), the third with 11
    lines (read with the second page: 10 do), on an order with 4 returns (3 do): the rest is paged,
    nothing is reported."""
    clock = Ticking()
    store = SimStore(orders=1000, seed=7, clock=clock)
    long = request_return(store, min_lines=15, split=(2, 2, 11))
    with store.lock:
        order = store.order(long.order_id)
        assert order is not None
        for n, ident in enumerate(sorted(returnable(order))[:3]):
            assert build_return(order, random.Random(n), store.now(), {ident: 1}) is not None
        store.touch(order)
    client, tap, _ = simulated_client(store)
    sent: list[bytes] = []
    tap.before = lambda _n, request: sent.append(request.content)
    async with client:
        done = await SyncEngine(client, cache, clock=clock).run_once()
    assert not done.errors
    for document in ("ReturnLineItems", "ReturnReverseFulfillmentOrders", "ReverseFulfillmentOrderLineItems",
                     "OrderReturnsPage"):  # fmt: skip
        assert any(f"query {document}(".encode() in body for body in sent), f"{document} was not sent"
    expected, got = store_returns(store, ("OPEN",)), cached_returns(cache)
    assert len(got[long.id]["lines"]) == 15 and len(got[long.id]["to_dispose"]) == 15
    assert got[long.id] == expected[long.id]
    assert [r.id for r in order.returns if r.id not in got] == [], "every return of the order is read"
    with cache.sessions() as session:
        rfos = select(ReverseFulfillmentOrder).where(ReverseFulfillmentOrder.return_id == long.id)
        assert len(session.exec(rfos).all()) == 3


async def test_a_long_return_whose_further_page_is_malformed_is_reported_and_read_again(
    cache: Cache,
) -> None:
    clock = Ticking()
    store = SimStore(orders=1000, seed=7, clock=clock)
    long = request_return(store, min_lines=12, split=(12,))
    last = long.reverse_fulfillment_orders[0].line_items[-1]  # read with the second page of lines
    whole = f'"id":"{last.id}","totalQuantity":{last.total_quantity},'.encode()
    client, tap, _ = simulated_client(store)
    tap.rewrite = lambda body: body.replace(whole, f'"id":"{last.id}",'.encode())
    async with client:
        first = await SyncEngine(client, cache, clock=clock).run_once()
        assert cached_returns(cache).get(long.id) is None, "no partial copy"
        tap.rewrite = lambda body: body  # the store's answer is whole again
        clock.now += timedelta(minutes=10)
        await SyncEngine(client, cache, clock=clock).run_once()
    assert first.errors == [
        f"returns: malformed returns of order {long.order_id}: totalQuantity: Field required"
    ]
    assert cached_returns(cache)[long.id] == store_returns(store)[long.id]


async def test_a_return_not_yet_searchable_when_the_watermark_passed_it_is_read_by_the_overlap(
    cache: Cache,
) -> None:
    """The returns stream, like the others, re-reads a window before its watermark: search sees a change
    30 s late, so a return made just before a later change that moved the watermark is found next pass."""
    now = [SimStore(orders=0).now()]
    store = SimStore(orders=60, seed=5, clock=lambda: now[0], search_lag=30)
    client, _, _ = simulated_client(store)
    async with client:
        sync = SyncEngine(client, cache)
        await sync.run_once()
        now[0] += timedelta(seconds=100)
        late = request_return(store)
        now[0] += timedelta(seconds=40)  # indexed now
        await sync.run_once()
        now[0] += timedelta(seconds=60)
        early = request_return(store)
        now[0] += timedelta(seconds=25)
        late.status, late.closed_at = "CLOSED", now[0]
        store.touch(store.orders[late.order_id])
        await sync.run_once()  # `late` found by its old index entry; `early` not searchable for 5 s more
        assert early.id not in cached_returns(cache)
        now[0] += timedelta(seconds=31)  # both indexed, `early` below the watermark
        await sync.run_once()
    cached = cached_returns(cache)
    assert cached[late.id]["status"] == "CLOSED"
    assert cached[early.id] == store_returns(store)[early.id]
