"""A station that does not hold the sync lock follows the syncing station's change feed."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from oms_tui.cache.database import open_cache
from oms_tui.cache.models import ChangeFeedEntry
from oms_tui.config import Settings
from oms_tui.floor.exceptions import open_by_kind
from oms_tui.runtime import Runtime
from oms_tui.sim.store import SimStore
from oms_tui.store.outbox import OutboxPusher
from oms_tui.store.sync import SyncEngine
from oms_tui.store.sync_lock import sync_lock
from tests.store.simulated import simulated_client


async def test_a_reading_station_refreshes_only_when_the_feed_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", str(tmp_path / "none.toml"))
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


async def test_each_sync_pass_runs_the_exception_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", str(tmp_path / "none.toml"))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="pack-1")
    runtime = Runtime(settings, open_cache(settings.database_url), "https://sim.test", SecretStr("x"))
    client, _, _ = simulated_client(SimStore(orders=40, seed=7))
    await runtime.one_pass(SyncEngine(client, runtime.cache), OutboxPusher(client, runtime.cache))
    with runtime.cache.sessions() as session:
        kinds = open_by_kind(session)
    runtime.close()
    assert kinds.get("sla_breached")  # the simulator's open orders are days old
    assert kinds.get("payment")
