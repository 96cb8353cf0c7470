"""Only one process syncs a shared cache; the lock frees itself when its holder goes away."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from oms_tui.cache.database import open_cache
from oms_tui.cache.engine import make_engine
from oms_tui.sim.store import SimStore
from oms_tui.store.sync import SyncEngine
from oms_tui.store.sync_lock import LeaseLost, SyncBusy, held_by, lock_key, sync_lock
from tests.conftest import postgres_engine_in_fresh_schema
from tests.store.simulated import simulated_client

REPO = Path(__file__).resolve().parents[2]

HOLD_AND_WAIT = """
import sys
from oms_tui.cache.engine import make_engine
from oms_tui.store.sync_lock import sync_lock
with sync_lock(make_engine(sys.argv[1]), holder="station-a"):
    print("held", flush=True)
    sys.stdin.read()  # until killed
"""


def take_as_second_station(engine: Engine) -> None:
    with sync_lock(engine, holder="station-b"):
        pytest.fail("two stations hold the sync lock at once")


def test_a_second_syncer_is_turned_away_until_the_first_is_done(empty_engine: Engine) -> None:
    with sync_lock(empty_engine, holder="station-a"), pytest.raises(SyncBusy):
        take_as_second_station(empty_engine)
    with sync_lock(empty_engine, holder="station-b"):
        pass


def test_an_in_memory_cache_is_locked_within_the_process() -> None:
    engine = make_engine("sqlite://")
    with sync_lock(engine), pytest.raises(SyncBusy):
        take_as_second_station(engine)
    with sync_lock(engine):
        pass


def test_a_killed_holder_frees_the_lock_at_once_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cache.sqlite3'}"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_WAIT, url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        engine = make_engine(url)
        with pytest.raises(SyncBusy, match="station-a"):  # the message names the holder
            take_as_second_station(engine)
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        with sync_lock(engine, holder="station-b"):  # at once: no lease to run out
            pass
    finally:
        holder.kill()
        holder.wait()
    assert (tmp_path / "cache.sqlite3.sync.lock").exists()


@pytest.mark.postgres
def test_two_caches_on_one_server_do_not_block_each_other() -> None:
    with (
        postgres_engine_in_fresh_schema() as one,
        postgres_engine_in_fresh_schema() as other,
        sync_lock(one, holder="shop-a:pack-1") as lease_a,
        sync_lock(other, holder="shop-b:pack-1") as lease_b,
    ):
        assert (lease_a.lost(), lease_b.lost()) == (None, None)  # each station holds its own cache's lock
        with one.connect() as a, other.connect() as b:
            assert lock_key(a, "sync") != lock_key(b, "sync")
        # ... and each is a real lock: a second station of either shop is turned away
        with pytest.raises(SyncBusy, match="another station is syncing this cache"):
            take_as_second_station(one)
        with pytest.raises(SyncBusy, match="another station is syncing this cache"):
            take_as_second_station(other)


def test_a_held_sync_lock_leaves_the_screens_pool_whole() -> None:
    """A pass holds the lock from its start to its end: on a connection of its own, not on one of
    the pool the station's screens read through (under a busy floor they queued for it)."""
    with postgres_engine_in_fresh_schema() as engine:
        cache = open_cache(engine.url.render_as_string(hide_password=False), migrate=False)
        try:
            with sync_lock(cache.engine, holder="station-a"):
                assert cache.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        finally:
            cache.close()


def test_a_removed_lock_file_is_a_lost_lease(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    with sync_lock(engine) as lease:
        assert lease.lost() is None
        (tmp_path / "cache.sqlite3.sync.lock").unlink()  # a new file there would be free for anyone
        with pytest.raises(LeaseLost, match="removed or replaced"):
            lease.check()


@pytest.mark.postgres
def test_a_dead_lock_connection_is_a_lost_lease_and_frees_the_lock() -> None:
    with postgres_engine_in_fresh_schema() as engine, sync_lock(engine, holder="station-a") as lease:
        assert lease.lost() is None
        with engine.connect() as admin:  # end the lock's session, as a server restart would
            key = lock_key(admin, "sync")
            admin.exec_driver_sql(f"SELECT pg_terminate_backend(pid, 5000) FROM ({held_by(key)}) AS h")
        with sync_lock(engine, holder="station-b"):  # the server freed it with the connection
            pass
        with pytest.raises(LeaseLost, match="connection"):
            lease.check()


async def test_sync_stops_when_its_lease_is_lost(tmp_path: Path) -> None:
    cache = open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    client, tap, _ = simulated_client(SimStore(orders=60, seed=2))
    lock_file = tmp_path / "cache.sqlite3.sync.lock"
    tap.before = lambda count, request: lock_file.unlink() if count == 3 else None
    async with client:
        with pytest.raises(LeaseLost):
            await SyncEngine(client, cache).run_once()
    requests = tap.requests
    assert requests < 10  # it stopped right after the page it was writing, not at the end
    cache.close()
