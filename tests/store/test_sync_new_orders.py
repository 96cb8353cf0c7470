"""Sync and the floor's rules after it go on past one object: a new order's fulfillment orders found
by the pass that missed the order (search lag), an object the cache cannot take."""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import select

from oms_tui.cache.database import Cache, open_cache
from oms_tui.cache.models import ChangeFeedEntry, FloorException, FulfillmentOrder, Order
from oms_tui.config import Settings
from oms_tui.floor.exceptions import records
from oms_tui.floor.exceptions.records import run_pass
from oms_tui.floor.exceptions.rules import RuleSettings
from oms_tui.runtime import Runtime
from oms_tui.sim.faults import PROFILES
from oms_tui.sim.store import SimStore
from oms_tui.store import mapping
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from tests.sim.conftest import Clock
from tests.store.simulated import assert_cache_matches, simulated_client

# The `mild` profile's search lag alone: the order of events is set by the test, not by a seed
LAGGING = replace(PROFILES["none"], search_lag_seconds=5)


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")


async def test_a_new_orders_fulfillment_orders_never_land_without_it(any_cache: Cache) -> None:
    cache = any_cache
    clock = Clock()
    store = SimStore(orders=30, seed=3, clock=clock)
    client, tap, _ = simulated_client(store, faults=LAGGING)
    async with client:
        await SyncEngine(client, cache).run_once()
        run_pass(cache, RuleSettings(), clock.now)  # the floor's rules are up to date
        clock.advance(60)
        store.live_step(4)  # the shop trades on
        new = store.add_order()  # placed while the orders stream is read: its search is not caught up

        def search_catches_up(_count: int, request: httpx.Request) -> None:
            if "fulfillmentOrders(" in json.loads(request.content)["query"]:
                clock.advance(store.search_lag.total_seconds() + 1)
                tap.before = lambda _count, _request: None

        tap.before = search_catches_up
        summary = await SyncEngine(client, cache).run_once()
    run_pass(cache, RuleSettings(), clock.now)  # the live loop's next step: the rules over what changed

    with cache.sessions() as session:
        fos = session.exec(select(FulfillmentOrder).where(FulfillmentOrder.order_id == new.id)).all()
        order = session.get(Order, new.id)
    assert {fo.id for fo in fos} == {fo.id for fo in new.fulfillment_orders}  # read by this pass
    assert order is not None and order.name == new.name  # and their order with them
    assert summary.streams["orders"].created >= 1 and not summary.errors


def test_the_rules_go_on_past_a_fulfillment_order_without_its_order(cache: Cache) -> None:
    """One the store no longer has (read by id, it is left out) must not stop the floor's rules."""
    clock = Clock()
    store = SimStore(orders=5, seed=3, clock=clock)
    client, _, _ = simulated_client(store)
    asyncio.run(SyncEngine(client, cache).run_once())
    run_pass(cache, RuleSettings(), clock.now)
    with cache.sessions() as session:
        fo = session.exec(select(FulfillmentOrder).where(FulfillmentOrder.status == "OPEN")).first()
        assert fo is not None
        orphan_of = fo.order_id
        session.delete(session.get_one(Order, orphan_of))
        session.add(
            ChangeFeedEntry(at=clock.now, stream="fulfillment_orders", object_id=fo.id, change="updated")
        )
        session.commit()
    result = run_pass(cache, RuleSettings(), clock.now)
    with cache.sessions() as session:
        about = session.exec(
            select(FloorException).where(FloorException.order_id == orphan_of, FloorException.state == "open")
        ).all()
    assert result.evaluated > 0 and not about  # the rules went on, and made up nothing about it


async def test_an_object_the_cache_cannot_take_is_reported_and_the_pass_goes_on(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SimStore(orders=30, seed=3)
    client, _, _ = simulated_client(store)
    bad = store.order_at(12).fulfillment_orders[0].id
    rows = mapping.hold_rows

    def broken(node: Any) -> list[dict[str, Any]]:  # stands for a bug that only this object meets
        if node.id == bad:
            raise KeyError(node.id)
        return rows(node)

    monkeypatch.setattr(mapping, "hold_rows", broken)
    async with client:
        first = await SyncEngine(client, cache).run_once()
        with cache.sessions() as session:
            cached = set(session.exec(select(FulfillmentOrder.id)))
            reported = session.exec(select(FloorException).where(FloorException.subject == bad)).one()
        assert bad not in cached and len(cached) == len(store.fulfillment_orders) - 1  # the rest went on
        assert reported.kind == "sync_malformed" and "could not be written" in reported.message
        assert any(bad in error for error in first.errors)

        monkeypatch.setattr(mapping, "hold_rows", rows)  # fixed: the next pass reads it again
        await SyncEngine(client, cache).run_once()
    assert_cache_matches(store, cache)


async def test_a_failure_of_the_rules_after_a_pass_does_not_fail_the_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The sync is committed by then: the status says what it synced, the log what went wrong."""
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'live.sqlite3'}", station="pack-1")
    runtime = Runtime(settings, open_cache(settings.database_url), "https://sim.test", SecretStr("x"))
    client, _, _ = simulated_client(SimStore(orders=5, seed=7))

    def broken_rules(*_args: Any, **_kwargs: Any) -> None:
        raise KeyError("gid://shopify/FulfillmentOrder/6900000120")

    monkeypatch.setattr(records, "run_pass", broken_rules)  # the runtime imports it at each pass
    update = await runtime.one_pass(SyncEngine(client, runtime.cache), OutboxPusher(client, runtime.cache))
    runtime.close()
    assert update.text.startswith("synced ") and not update.error and update.reachable
    assert "exception rules failed (KeyError: 'gid://shopify/FulfillmentOrder/6900000120')" in caplog.text
