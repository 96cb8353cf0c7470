"""The live loop: following another station, backing off after failures, stopping at once."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from oms_tui.cache.database import open_cache
from oms_tui.cache.models import ChangeFeedEntry
from oms_tui.config import Settings
from oms_tui.floor.exceptions.records import open_by_kind
from oms_tui.runtime import LiveUpdate, Runtime, retry_delay
from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from oms_tui.store.sync_lock import sync_lock
from tests.store.simulated import simulated_client
from tests.store.stuck import BrokenTransport, StuckTransport


async def test_a_reading_station_refreshes_only_when_the_feed_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)  # no settings file
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="pack-2")
    runtime = Runtime(settings, open_cache(settings.database_url), "https://sim.test", SecretStr("x"))
    client, tap, _ = simulated_client(SimStore(orders=5, seed=1))
    engine, pusher = SyncEngine(client, runtime.cache), OutboxPusher(client, runtime.cache)
    with sync_lock(runtime.cache.engine, holder="pack-1"):  # another station is syncing
        first = await runtime.one_pass(engine, pusher)
        quiet = await runtime.one_pass(engine, pusher)
        with runtime.cache.sessions() as session:
            session.add(ChangeFeedEntry(stream="orders", object_id="gid://shopify/Order/1", change="updated"))
            session.commit()
        moved = await runtime.one_pass(engine, pusher)
    assert "another station is syncing" in first.text
    assert (quiet.changed, moved.changed) == (False, True)
    assert tap.requests == 0  # a reading station leaves the store alone
    runtime.close()


def make_runtime(tmp_path: Path, transport: httpx.AsyncBaseTransport, **settings: Any) -> Runtime:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="pack-1", **settings)
    cache = open_cache(settings.database_url)
    return Runtime(settings, cache, "https://sim.test", SecretStr(DEFAULT_TOKEN), transport=transport)


def test_failed_passes_back_off_doubling_up_to_five_minutes() -> None:
    assert [retry_delay(5, failures) for failures in range(9)] == [5, 10, 20, 40, 80, 160, 300, 300, 300]
    assert retry_delay(600, 3) == 600  # never faster than the configured interval


async def test_an_unexpected_error_is_reported_and_syncing_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    transport = BrokenTransport(SimStore(orders=5, seed=1))
    runtime = make_runtime(tmp_path, transport, poll_interval=5)
    broken_in_pass = [True, True, False, True, False]  # each pass's store, in turn
    waits: list[float] = []
    stop = threading.Event()

    async def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) < len(broken_in_pass):
            transport.broken = broken_in_pass[len(waits)]
            return
        stop.set()
        await asyncio.Event().wait()  # until stopping cancels the wait

    runtime.sleep = wait
    updates: list[LiveUpdate] = []
    transport.broken = broken_in_pass[0]
    await runtime.live_loop(updates.append, stop)
    passes = [update for update in updates if not update.text.startswith("syncing ")]
    assert [update.error for update in passes] == broken_in_pass
    assert passes[0].text == "sync failed (RuntimeError: something nobody planned for); retrying in 10s"
    assert passes[2].text.startswith("synced ")
    assert waits == [10, 20, 5, 10, 5]  # backing off, and back to the interval after a good pass
    runtime.close()


def test_stopping_cancels_a_pass_stuck_in_a_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    transport = StuckTransport()
    runtime = make_runtime(tmp_path, transport)
    stop = threading.Event()
    # As the app runs it: on a thread of its own, stopped from another.
    loop = threading.Thread(target=asyncio.run, args=(runtime.live_loop(lambda update: None, stop),))
    loop.start()
    assert transport.started.wait(timeout=10)
    stop.set()
    loop.join(timeout=1.0)
    assert not loop.is_alive(), "the loop still runs a second after it was stopped"
    assert transport.cancelled.is_set()
    runtime.close()


async def test_a_pass_with_nothing_new_at_the_store_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    runtime = make_runtime(tmp_path, BrokenTransport(SimStore(orders=5, seed=1)))
    async with runtime.client() as client:
        engine, pusher = SyncEngine(client, runtime.cache), OutboxPusher(client, runtime.cache)
        first = await runtime.one_pass(engine, pusher)
        quiet = await runtime.one_pass(engine, pusher)
    assert first.changed
    assert (quiet.text, quiet.changed) == ("synced 0 new, 0 changed", False)  # the queue is not redrawn
    runtime.close()
async def test_each_sync_pass_runs_the_exception_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="pack-1")
    runtime = Runtime(settings, open_cache(settings.database_url), "https://sim.test", SecretStr("x"))
    client, _, _ = simulated_client(SimStore(orders=40, seed=7))
    await runtime.one_pass(SyncEngine(client, runtime.cache), OutboxPusher(client, runtime.cache))
    with runtime.cache.sessions() as session:
        kinds = open_by_kind(session)
    runtime.close()
    assert kinds.get("sla_breached")  # the simulator's open orders are days old
    assert kinds.get("payment")


class RotatedToken(httpx.AsyncBaseTransport):
    """The simulator, counting the requests each token sent (it refuses all but its own with a 401)."""

    def __init__(self) -> None:
        app = create_app(SimStore(orders=5, seed=1), restore_rate=1_000_000, bucket=1_000_000)
        self.inner = httpx.ASGITransport(app=app)
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.headers["X-Shopify-Access-Token"])
        return await self.inner.handle_async_request(request)


async def test_a_refused_token_is_tried_again_with_backoff_and_the_rotated_one_syncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    transport = RotatedToken()
    runtime = make_runtime(tmp_path, transport, poll_interval=5, shop_url="https://sim.test")
    runtime.token = SecretStr("shpat_old_token")
    in_settings = [SecretStr("shpat_old_token"), SecretStr(DEFAULT_TOKEN)]  # rotated after a while
    runtime.reread_token = lambda: in_settings.pop(0)
    waits: list[float] = []
    stop = threading.Event()

    async def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:  # after the new token's first pass
            stop.set()
            await asyncio.Event().wait()

    runtime.sleep = wait
    updates: list[LiveUpdate] = []
    await runtime.live_loop(updates.append, stop)
    passes = [update.text for update in updates if not update.text.startswith("syncing ")]
    assert passes[0].startswith("store refused the token")
    assert passes[0].endswith("trying again in 10s (or Sync now)")
    assert passes[1].startswith("store refused the token") and "in 20s" in passes[1]
    assert passes[2].startswith("synced ")
    assert waits == [10, 20, 5]  # backing off while refused, the interval once it syncs
    assert transport.sent[0] == "shpat_old_token" and transport.sent[-1] == DEFAULT_TOKEN
    assert all("shpat_old_token" not in text for text in passes)
    runtime.close()


async def test_sync_now_tries_a_refused_token_again_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    transport = RotatedToken()
    runtime = make_runtime(tmp_path, transport, shop_url="https://sim.test")
    runtime.token = SecretStr("shpat_old_token")
    runtime.reread_token = lambda: None  # nobody changed the settings
    waiting = [asyncio.Event(), asyncio.Event()]
    stop = threading.Event()

    async def wait_forever(_seconds: float) -> None:
        next(event for event in waiting if not event.is_set()).set()
        await asyncio.Event().wait()

    runtime.sleep = wait_forever
    loop = asyncio.create_task(runtime.live_loop(lambda update: None, stop))
    await asyncio.wait_for(waiting[0].wait(), 10)
    sent = len(transport.sent)
    runtime.sync_now()
    await asyncio.wait_for(waiting[1].wait(), 10)
    assert len(transport.sent) > sent  # Sync now sent the request again
    stop.set()
    await loop
    runtime.close()
