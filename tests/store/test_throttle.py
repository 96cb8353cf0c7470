"""Against the Standard plan's bucket the client paces itself; throttled anyway, it recovers."""

from __future__ import annotations

from pathlib import Path

from oms_tui.cache.database import open_cache
from oms_tui.sim.faults import FaultProfile
from oms_tui.sim.store import SimStore
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import FakeTime, assert_cache_matches, simulated_client


async def test_a_clean_sync_at_the_standard_plan_is_never_throttled(tmp_path: Path) -> None:
    cache = open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    store = SimStore(orders=400, seed=12)
    time = FakeTime()
    client, tap, _ = simulated_client(store, time=time, plan="standard")
    async with client:
        await SyncEngine(client, cache).run_once()
    assert_cache_matches(store, cache)
    assert tap.throttled == 0
    assert time.slept > 0, "the run must have needed more than one bucket, or it tests nothing"


async def test_throttled_anyway_the_sync_waits_and_completes(tmp_path: Path) -> None:
    cache = open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    store = SimStore(orders=200, seed=13)
    time = FakeTime()
    client, _, app = simulated_client(store, time=time, plan="standard", faults=FaultProfile(throttled=0.3))
    async with client:
        await SyncEngine(client, cache).run_once()
    assert app.state.faults.fired["throttled"] > 5
    assert_cache_matches(store, cache)
