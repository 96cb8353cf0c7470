"""Sync against the simulator in process: the cache ends equal to the store, whatever happens."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete
from sqlmodel import col, select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import ChangeFeedEntry, FloorException, InventoryLevel, OrderTag, SyncState
from oms_tui.cache.models import Order as CachedOrder
from oms_tui.sim.faults import KINDS, PROFILES
from oms_tui.sim.model import Order
from oms_tui.sim.store import SimStore
from oms_tui.store.client import Client, StoreClient
from oms_tui.store.errors import StoreAuthError, StoreError
from oms_tui.store.inventory_reads import open_work_skus
from oms_tui.store.streams import STREAMS
from oms_tui.store.sync import OPEN_WORK, StreamCounts, SyncEngine
from tests.sim.conftest import Clock
from tests.store.simulated import assert_cache_matches, no_sleep, simulated_client


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")


class Killed(Exception):
    """Stands for the process dying at this point: nothing after it runs."""


async def test_full_then_incremental_sync_mirrors_the_store(any_cache: Cache) -> None:
    cache = any_cache
    store = SimStore(orders=80, seed=3)
    client, tap, _ = simulated_client(store)
    async with client:
        first = await SyncEngine(client, cache).run_once()
        assert_cache_matches(store, cache)
        assert first.streams["orders"].created == 80 and not first.errors
        with cache.sessions() as session:
            assert session.exec(select(InventoryLevel)).first() is not None

        store.live_step(25)  # new orders, captured payments, edited addresses, cancellations
        requests_before = tap.requests
        second = await SyncEngine(client, cache).run_once()
        assert_cache_matches(store, cache)
        assert second.streams["orders"].created + second.streams["orders"].updated > 0
        assert tap.requests - requests_before < first.streams["orders"].created  # paged, not re-read whole
        with cache.sessions() as session:
            feed = session.exec(select(ChangeFeedEntry).where(ChangeFeedEntry.stream == "orders")).all()
        assert len(feed) == 80 + second.streams["orders"].created + second.streams["orders"].updated


@pytest.mark.parametrize("bulk_above_orders", [None, 10], ids=["paged", "bulk"])
async def test_each_order_keeps_its_channel_shipping_method_and_tags(
    any_cache: Cache, bulk_above_orders: int | None
) -> None:
    store = SimStore(orders=120, seed=4)
    client, _, _ = simulated_client(store)
    async with client:
        await SyncEngine(client, any_cache, bulk_above_orders=bulk_above_orders, sleep=no_sleep).run_once()
    with any_cache.reads() as session:
        cached = {o.id: (o.channel, o.shipping_method) for o in session.exec(select(CachedOrder))}
        tagged = session.exec(select(OrderTag.order_id).where(OrderTag.tag == "rush")).all()
    assert {"web", "pos", "shopify_draft_order"} <= {channel for channel, _ in cached.values()}
    for order in store.orders.values():
        assert cached[order.id] == (order.source_name, order.shipping_line and order.shipping_line.title)
    assert set(tagged) == {o.id for o in store.orders.values() if "rush" in o.tags} != set()


async def test_a_replayed_sync_changes_nothing(cache: Cache) -> None:
    store = SimStore(orders=30, seed=5)
    client, _, _ = simulated_client(store)
    async with client:
        await SyncEngine(client, cache).run_once()
        again = await SyncEngine(client, cache).run_once()
    for stream, counts in again.streams.items():
        assert (stream, counts.created, counts.updated) == (stream, 0, 0)
    assert again.streams["locations"].unchanged > 0 and again.streams["inventory"].unchanged > 0


# Hostile rates with short slow answers, so the test waits on faults, not on the clock.
HOSTILE_FAST = replace(PROFILES["hostile"], slow_seconds=0.05)


@pytest.mark.parametrize("fault_seed", [3, 7])  # seeds whose sequence hits every kind during these passes
async def test_sync_through_every_fault_kind(cache: Cache, fault_seed: int) -> None:
    store = SimStore(orders=60, seed=11)
    client, _, app = simulated_client(store, faults=HOSTILE_FAST, fault_seed=fault_seed)
    store.search_lag = timedelta(0)  # the profile's search lag has a test of its own below
    async with client:
        await SyncEngine(client, cache).run_once()
        store.live_step(15)
        await SyncEngine(client, cache).run_once()
    assert set(app.state.faults.fired) == set(KINDS)
    assert_cache_matches(store, cache)


async def test_search_lag_is_covered_by_the_overlap(cache: Cache) -> None:
    """Search sees a change 30 s late, but returns objects as they are now; the overlap catches up.

    `early` changes first (not yet searchable); `late` changes after it, but its previous change is
    still indexed and inside the window, so the pass returns it, fresh, and the watermark passes
    `early`'s time by 25 s. Only re-reading a window that long before the watermark finds `early`.
    """
    now = [SimStore(orders=0).now()]
    store = SimStore(orders=40, seed=2, clock=lambda: now[0], search_lag=30)
    early, late = list(store.orders.values())[:2]

    def change(order: Order, note: str, after_seconds: int) -> None:
        now[0] += timedelta(seconds=after_seconds)
        order.note = note
        store.touch(order)

    client, _, _ = simulated_client(store)
    async with client:
        sync = SyncEngine(client, cache)
        await sync.run_once()
        change(late, "gift wrap", after_seconds=100)
        now[0] += timedelta(seconds=40)  # indexed now
        await sync.run_once()
        change(early, "leave at the back door", after_seconds=60)
        change(late, "gift wrap, two boxes", after_seconds=25)
        await sync.run_once()  # `late` found by its old index entry; `early` not searchable for 5 s more
        with cache.sessions() as session:
            assert session.get_one(CachedOrder, late.id).note == "gift wrap, two boxes"
            assert session.get_one(CachedOrder, early.id).note != "leave at the back door"
        now[0] += timedelta(seconds=31)  # both indexed, `early` below the watermark
        await sync.run_once()
    assert_cache_matches(store, cache)


@pytest.mark.parametrize("seed", range(6))
async def test_killed_at_a_random_point_then_resumed(any_cache: Cache, seed: int) -> None:
    cache = any_cache
    store = SimStore(orders=70, seed=seed)
    client, tap, _ = simulated_client(store)
    async with client:
        await SyncEngine(client, cache).run_once()
        store.live_step(20)
        kill_at = tap.requests + random.Random(seed).randint(1, 8)

        def die(count: int, _request: httpx.Request) -> None:
            if count == kill_at:
                raise Killed

        tap.before = die
        with pytest.raises(Killed):
            await SyncEngine(client, cache).run_once()
        tap.before = lambda count, request: None
        store.live_step(5)
        await SyncEngine(client, cache).run_once()  # a new process would do exactly this
    assert_cache_matches(store, cache)


async def test_order_updated_in_the_middle_of_a_walk(cache: Cache) -> None:
    store = SimStore(orders=600, seed=8)
    client, tap, _ = simulated_client(store)
    oldest = next(iter(store.orders))

    def edit_once(count: int, _request: httpx.Request) -> None:
        if count == 3:  # after the first pages are read, an early order changes
            order = store.orders[oldest]
            order.note = "customer called: leave at the back door"
            store.touch(order)

    tap.before = edit_once
    async with client:
        await SyncEngine(client, cache).run_once()
    assert_cache_matches(store, cache)


async def test_watermark_only_moves_forward_with_committed_pages(cache: Cache) -> None:
    store = SimStore(orders=50, seed=4)
    client, _, _ = simulated_client(store)
    async with client:
        await SyncEngine(client, cache).run_once()
    with cache.sessions() as session:
        state = session.get(SyncState, "orders")
    assert state is not None and state.watermark == max(order.updated_at for order in store.orders.values())


async def test_a_wrong_token_stops_at_once_with_a_clear_message(cache: Cache) -> None:
    store = SimStore(orders=5, seed=1)
    client, tap, _ = simulated_client(store, client_token="shpat_other")
    async with client:
        with pytest.raises(StoreAuthError):
            await SyncEngine(client, cache).run_once()
    assert tap.requests == 1


def bulk_runs(tap_log: list[bytes]) -> int:
    return sum(b"bulkOperationRunQuery" in body for body in tap_log)


async def test_killed_while_the_bulk_operation_runs_resumes_the_same_operation(cache: Cache) -> None:
    store = SimStore(orders=300, seed=15)
    client, tap, _ = simulated_client(store)
    bodies: list[bytes] = []

    def die_on_first_status_poll(count: int, request: httpx.Request) -> None:
        bodies.append(request.content)
        if b"bulkOperation(id" in request.content and not any(b"bulkOperation(id" in b for b in bodies[:-1]):
            raise Killed

    tap.before = die_on_first_status_poll
    async with client:
        with pytest.raises(Killed):
            await SyncEngine(client, cache, bulk_above_orders=100, sleep=no_sleep).run_once()
        await SyncEngine(client, cache, bulk_above_orders=100, sleep=no_sleep).run_once()
    assert bulk_runs(bodies) == 2  # the orders operation was resumed, not started again
    assert_cache_matches(store, cache)


async def test_a_failed_stream_is_recorded_in_the_sync_state(cache: Cache) -> None:
    store = SimStore(orders=20, seed=3)
    client, _, app = simulated_client(store)
    app.state.faults.outage = True
    async with client:
        with pytest.raises(StoreError):
            await SyncEngine(client, cache).run_once()
    with cache.sessions() as session:
        state = session.get_one(SyncState, "locations")
    assert state.last_error is not None and "store unavailable" in state.last_error
    assert state.watermark is None and state.last_success is None


async def test_a_malformed_order_is_reported_and_read_again_once_fixed(cache: Cache) -> None:
    store = SimStore(orders=30, seed=19)
    client, tap, _ = simulated_client(store)
    broken = sorted(store.orders.values(), key=lambda order: order.updated_at)[10]
    whole = f'"legacyResourceId":"{broken.legacy_resource_id}","name":"{broken.name}",'.encode()
    nameless = f'"legacyResourceId":"{broken.legacy_resource_id}",'.encode()
    # The store sends one order without its name: a payload this cache cannot take.
    tap.rewrite = lambda body: body.replace(whole, nameless)
    async with client:
        first = await SyncEngine(client, cache).run_once()
        tap.rewrite = lambda body: body  # the store's answer is whole again
        await SyncEngine(client, cache).run_once()
    assert first.errors == [f"orders: malformed OrderNode {broken.id}: name: Field required"]
    assert_cache_matches(store, cache)  # nothing lost: the order came with the next pass
    with cache.sessions() as session:
        (problem,) = session.exec(select(FloorException)).all()
    assert (problem.kind, problem.subject) == ("sync_malformed", broken.id)


async def test_the_change_feed_keeps_a_day(cache: Cache) -> None:
    store = SimStore(orders=5, seed=2)
    client, _, _ = simulated_client(store)
    today = store.now()
    async with client:
        await SyncEngine(client, cache, clock=lambda: today).run_once()
        with cache.sessions() as session:
            assert len(session.exec(select(ChangeFeedEntry)).all()) > 5
        tomorrow = today + timedelta(days=1, seconds=1)
        await SyncEngine(client, cache, clock=lambda: tomorrow).run_once()
    with cache.sessions() as session:
        assert session.exec(select(ChangeFeedEntry)).all() == []


def test_a_pass_calls_each_step_by_name_from_one_table(cache: Cache) -> None:
    client, _, _ = simulated_client(SimStore(orders=1))
    steps = SyncEngine(client, cache).steps({stream: StreamCounts() for stream in STREAMS})
    assert set(steps) == {*STREAMS, OPEN_WORK}


def test_the_store_client_offers_what_its_protocol_asks() -> None:
    """Sync, the outbox and their checks take the Protocol from store/client.py, beside the client."""
    asked = {name for name in vars(Client) if not name.startswith("_")}
    assert asked >= {"execute", "paginate", "read_nodes", "fetch_remaining_line_items", "download_lines"}
    assert all(callable(getattr(StoreClient, name, None)) for name in asked)


SHIP = """mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { userErrors { message } } }"""


async def test_later_passes_read_only_the_inventory_the_store_changed(cache: Cache) -> None:
    clock = Clock()  # one clock for the store and the engine
    store = SimStore(orders=60, seed=8, clock=clock)
    client, _, _ = simulated_client(store)
    async with client:
        clock.advance(600)  # the seeded stock was last changed well before the first sync
        first = await SyncEngine(client, cache, clock=clock).run_once()
        assert first.streams["inventory"].created > 100
        clock.advance(60)
        fo = next(fo for fo in store.fulfillment_orders.values() if fo.status == "OPEN")
        await client.execute(SHIP, {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo.id}]}})
        shipped = {line.line_item.variant.inventory_item_id for line in fo.line_items}
        clock.advance(60)
        second = (await SyncEngine(client, cache, clock=clock).run_once()).streams["inventory"]
        with cache.sessions() as session:
            cached = session.exec(select(InventoryLevel)).all()
            sku = open_work_skus(session, unread_only=False)[0]
            lost = session.execute(delete(InventoryLevel).where(col(InventoryLevel.sku) == sku)).rowcount
            session.commit()
        third = (await SyncEngine(client, cache, clock=clock).run_once()).streams["inventory"]
    read = [level for level in cached if level.inventory_item_id in shipped]
    assert (second.created, second.updated + second.unchanged) == (0, len(read))  # only what changed
    assert second.updated > 0
    stock = {
        (level.item.id, level.location.id): level.on_hand
        for i in shipped
        for level in store.inventory[i].levels
    }
    assert all(level.on_hand == stock[level.inventory_item_id, level.location_id] for level in read)
    # A SKU on open work whose stock the cache does not hold (new, or lost) is read by SKU.
    assert third.created == lost > 0


async def test_text_from_the_store_reaches_the_cache_with_its_control_characters_shown(cache: Cache) -> None:
    """A name holding a terminal escape (it would retitle the terminal) is kept as its escape, once."""
    store = SimStore(orders=5, seed=3)
    order = next(iter(store.orders.values()))
    assert order.customer is not None
    order.customer = replace(order.customer, first_name="Ana\x1b]0;owned\x07")
    order.note = "ring twice\nthen \x1b[31mwait"
    client, _, _ = simulated_client(store)
    async with client:
        await SyncEngine(client, cache).run_once()
    with cache.sessions() as session:
        cached = session.get_one(CachedOrder, order.id)
    assert cached.customer_name is not None and cached.customer_name.startswith("Ana\\x1b]0;owned\\x07")
    assert cached.note == "ring twice\nthen \\x1b[31mwait"  # a line break is text, not a control
