"""Stock changes reach the store exactly once: a lost answer, an expired idempotency key, a count whose
stock moved at the store, two stations counting one SKU."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from oms_tui.actions.stock_common import Reason
from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.enums import CountLineState
from oms_tui.cache.models import FloorException, OutboxAction
from oms_tui.cache.types import utcnow
from oms_tui.floor.actions.store_actions import Actor
from oms_tui.floor.stock.counts import (
    Scope,
    finish_count,
    lines_of,
    rebase_refused,
    record_count,
    start_count,
)
from oms_tui.floor.stock.stock_changes import level_of, record_adjust
from oms_tui.sim.store import SimStore
from oms_tui.store.inventory_reads import refresh_skus
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.stock.stock_shop import ShopClock, cached_level, ledger_of, put_in_bin, stocked_sku
from tests.store.simulated import simulated_client
from tests.store.test_outbox import Clock, push_until_empty
from tests.team import hire

PICKER = Actor(station="pick-1", staff_code="P02")
PACKER = Actor(station="pack-1", staff_code="P01")


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    opened = open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    hire(opened)
    return opened


def mutations_sent(tap) -> list[int]:  # type: ignore[no-untyped-def]
    sent: list[int] = []
    before = tap.before

    def count(n: int, request: httpx.Request) -> None:
        if b"mutation" in request.content:
            sent.append(n)
        before(n, request)

    tap.before = count
    return sent


def count_bin(cache: Cache, actor: Actor, location_id: str, code: str, sku: str, units: int) -> int:
    with cache.sessions() as session:
        count = start_count(session, actor, location_id, Scope(bins=(code,)))
        assert count.id is not None
        record_count(session, actor, count.id, code, sku, units, tolerance=1_000)
        session.commit()
        return count.id


async def test_an_adjustment_whose_answer_was_lost_is_sent_again_with_its_key_and_applied_once(
    cache: Cache,
) -> None:
    store = SimStore(orders=20, seed=3)
    stocked = stocked_sku(store)
    before = stocked.level.available
    client, tap, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        with cache.sessions() as session:
            level = level_of(session, stocked.sku, stocked.location_id)
            record_adjust(session, PICKER, level, -3, Reason.SHRINKAGE)
            session.commit()
        app.state.faults.drop_after_mutations = 1  # applied at the store, the answer lost
        sent = mutations_sent(tap)
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
    assert len(sent) == 2, "sent again with the same key while it is valid"
    assert stocked.level.available == before - 3, "the store applied the key once"
    ledger = ledger_of(store, stocked)
    assert [(e["name"], e["delta"], e["reason"]) for e in ledger] == [("available", -3, "shrinkage")]
    with cache.sessions() as session:
        action = session.exec(select(OutboxAction)).one()
    assert action.state == "done" and ledger[0]["idempotency_key"] == action.payload["idempotencyKey"]
    assert cached_level(cache, stocked).available == before - 3


async def test_after_the_key_expired_the_quantities_are_checked_before_anything_is_resent(
    cache: Cache,
) -> None:
    shop_clock = ShopClock()
    store = SimStore(orders=20, seed=3, clock=shop_clock)
    store.inventory_book.key_ttl = store.inventory_book.key_ttl / 1000  # ~90 seconds
    stocked = stocked_sku(store)
    on_hand = stocked.level.on_hand
    client, tap, app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        put_in_bin(cache, stocked, "A-01-1")
        count_id = count_bin(cache, PICKER, stocked.location_id, "A-01-1", stocked.sku, 7)
        with cache.sessions() as session:
            finish_count(session, PICKER, count_id)
            session.commit()
        app.state.faults.drop_after_mutations = 1
        pusher = OutboxPusher(client, cache, clock=clock)
        await pusher.push_ready()  # applied, answer lost: the outcome is unknown
        shop_clock.advance(120)  # the store forgot the key; we trust it for an hour only
        clock.advance(120)
        sent = mutations_sent(tap)
        await push_until_empty(pusher, clock)
        with cache.sessions() as session:
            action = session.exec(select(OutboxAction)).one()
    assert sent == [], "nothing resent: the quantities showed the count at the store"
    assert action.state == "done" and "found at the store" in (action.result or {}).get("verified", "")
    on_shelves = on_hand - stocked.level.damaged - stocked.level.quality_control
    assert stocked.level.on_hand == 7 + on_hand - on_shelves
    assert len(ledger_of(store, stocked)) == 1


async def test_a_count_whose_stock_moved_at_the_store_is_rebased_and_counted_again(cache: Cache) -> None:
    store = SimStore(orders=20, seed=3)
    stocked = stocked_sku(store)
    client, _tap, _app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        put_in_bin(cache, stocked, "B-02-1")
        with cache.sessions() as session:
            count = start_count(session, PICKER, stocked.location_id, Scope(zone="B"))
            assert count.id is not None
            count_id = count.id
            expected = lines_of(session, count_id)[0].expected
            assert expected == stocked.level.on_hand
            record_count(session, PICKER, count_id, "B-02-1", stocked.sku, expected - 2, tolerance=5)
            session.commit()
        stocked.level.on_hand -= 4  # a sale at the counter while the bin was being counted
        finished = stocked.level.on_hand
        with cache.sessions() as session:
            finish_count(session, PICKER, count_id)
            session.commit()
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
        assert stocked.level.on_hand == finished, "the store refused the stale result: nothing overwritten"
        await refresh_skus(client, cache, [stocked.sku], utcnow())
        with cache.sessions() as session:
            assert rebase_refused(session, count_id) == 1
            session.commit()
            line = lines_of(session, count_id)[0]
            assert (line.state, line.base_on_hand, line.first_count) == (
                CountLineState.REBASED,
                finished,
                expected - 2,
            )
            assert "stock moved at the store" in (line.note or "")
            record_count(session, PICKER, count_id, "B-02-1", stocked.sku, finished - 1, tolerance=5)
            finish_count(session, PICKER, count_id)
            session.commit()
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
    assert stocked.level.on_hand == finished - 1
    with cache.sessions() as session:
        states = [a.state for a in session.exec(select(OutboxAction).order_by(col(OutboxAction.id)))]
    assert states == ["discarded", "done"]


async def test_two_stations_counting_one_sku_apply_one_count(cache: Cache) -> None:
    store = SimStore(orders=20, seed=3)
    stocked = stocked_sku(store)
    client, _tap, _app = simulated_client(store)
    clock = Clock()
    async with client:
        await SyncEngine(client, cache).run_once()
        put_in_bin(cache, stocked, "C-01-1")
        base = stocked.level.on_hand
        first = count_bin(cache, PICKER, stocked.location_id, "C-01-1", stocked.sku, base - 1)
        second = count_bin(cache, PACKER, stocked.location_id, "C-01-1", stocked.sku, base - 1)
        with cache.sessions() as session:
            assert len(finish_count(session, PICKER, first)) == 1
            session.commit()
        with cache.sessions() as session:
            assert finish_count(session, PACKER, second) == [], "the second is re-based, not sent"
            session.commit()
            line = lines_of(session, second)[0]
        await push_until_empty(OutboxPusher(client, cache, clock=clock), clock)
    assert line.state == CountLineState.REBASED and line.base_on_hand == base - 1
    assert stocked.level.on_hand == base - 1
    assert [e["delta"] for e in ledger_of(store, stocked)] == [-1]


async def test_a_rejected_stock_change_names_its_sku_and_location_and_no_order(cache: Cache) -> None:
    store = SimStore(orders=20, seed=3)
    stocked = stocked_sku(store)
    client, _tap, _app = simulated_client(store)
    clock, told = Clock(), []
    async with client:
        await SyncEngine(client, cache).run_once()
        with cache.sessions() as session:
            record_adjust(
                session, PICKER, level_of(session, stocked.sku, stocked.location_id), -3, Reason.SHRINKAGE
            )
            session.commit()
        stocked.level.on_hand -= 1  # a sale meanwhile: the store refuses a change made from 1 more
        pusher = OutboxPusher(client, cache, clock=clock, report=told.append)
        await push_until_empty(pusher, clock)
    where = f"stock {stocked.sku} @ {stocked.level.location.name}"
    assert told == [f"sending the stock adjustment of action 1 ({where})"]
    with cache.sessions() as session:
        problem = session.exec(select(FloorException)).one()
    assert problem.message.startswith(f"{where}: inventory_adjust was rejected by the store: ")
    assert problem.order_id is None  # the exceptions screen has no order to open for it
