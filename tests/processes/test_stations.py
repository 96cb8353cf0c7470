"""Several stations on one cache, and stations killed with SIGKILL: real processes, a real store on
loopback, and the store's own record as the judge."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlmodel import col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import FloorException, OutboxAction
from oms_tui.floor.actions.store_actions import Tracking, ship
from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from oms_tui.store.client import StoreClient
from oms_tui.store.sync import SyncEngine
from tests.process_group import ProcessGroups
from tests.store.simulated import assert_cache_matches
from tests.store.test_outbox import PACKER, shippable, upstream_tracking_numbers
from tests.team import hire

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop() -> Iterator[SimServer]:
    """A store on loopback with some jitter (slow answers, 5xx, dropped answers after applying)."""
    with run_in_thread(SimStore(orders=700, seed=21), plan="plus", faults="mild") as server:
        yield server


def database_url(cache: Cache) -> str:
    """The cache's URL as another process would configure it (a PostgreSQL test schema included)."""
    return cache.engine.url.render_as_string(hide_password=False)


def station(
    processes: ProcessGroups, what: str, shop: SimServer, cache: Cache, tmp_path: Path, name: str
) -> subprocess.Popen[bytes]:
    config = tmp_path / "config.toml"
    config.touch()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "OMS_CONFIG_FILE": str(config),
        "OMS_SHOP_URL": shop.url,
        "OMS_SHOPIFY_TOKEN": shop.token,
        "OMS_DATABASE_URL": database_url(cache),
        "OMS_STATION": name,
    }
    command = [sys.executable, "-m", "tests.processes.station", what]
    return processes.start(command, cwd=REPO, env=env, stderr=subprocess.PIPE)


async def synced_with_shipments(shop: SimServer, cache: Cache, count: int) -> None:
    async with StoreClient(shop.url, SecretStr(shop.token)) as client:
        await SyncEngine(client, cache).run_once()
    hire(cache, "P01")
    with cache.sessions() as session:
        for n, fo_id in enumerate(shippable(cache, count)):
            ship(session, PACKER, fo_id, tracking=Tracking(f"OMS{n:05d}", "DHL Express"))
        session.commit()


def kill_within(process: subprocess.Popen[bytes], seconds: float) -> None:
    """Let the process run for up to `seconds`, then SIGKILL it wherever it is."""
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()


def finish(process: subprocess.Popen[bytes], timeout: float = 240) -> None:
    _, errors = process.communicate(timeout=timeout)
    assert process.returncode == 0, errors.decode()[-2000:]


def assert_each_shipment_reached_the_store_once(shop: SimServer, cache: Cache, count: int) -> None:
    delivered = upstream_tracking_numbers(shop.store)
    doubled = sorted(number for number, count in delivered.items() if count > 1)
    assert not doubled, f"{len(doubled)} shipments sent twice: {doubled[:5]}"
    assert len(delivered) == count, f"{count - len(delivered)} shipments never arrived"
    with cache.sessions() as session:
        actions = session.exec(select(OutboxAction)).all()
        unfinished = [(a.id, a.state, a.last_error) for a in actions if a.state != "done"]
        assert not unfinished, unfinished
        assert (
            session.exec(select(FloorException).where(col(FloorException.kind) == "store_rejected")).all()
            == []
        )


async def test_stations_pushing_one_outbox_send_each_action_once(
    any_cache: Cache, shop: SimServer, tmp_path: Path, processes: ProcessGroups
) -> None:
    # One SQLite file serves the terminals of one machine; PostgreSQL a whole floor.
    stations = 2 if any_cache.engine.dialect.name == "sqlite" else 4
    await synced_with_shipments(shop, any_cache, 200)
    pushers = [station(processes, "push", shop, any_cache, tmp_path, f"pack-{n}") for n in range(stations)]
    for process in pushers:
        finish(process)
    assert_each_shipment_reached_the_store_once(shop, any_cache, 200)


async def test_a_pusher_killed_at_random_points_delivers_each_action_once(
    any_cache: Cache, shop: SimServer, tmp_path: Path, processes: ProcessGroups
) -> None:
    await synced_with_shipments(shop, any_cache, 80)
    rng = random.Random(11)
    for _ in range(3):
        # A random point of the push (a process takes about a second to start).
        kill_within(station(processes, "push", shop, any_cache, tmp_path, "pack-1"), rng.uniform(1.0, 3.0))
    finish(station(processes, "push", shop, any_cache, tmp_path, "pack-1"))
    assert_each_shipment_reached_the_store_once(shop, any_cache, 80)


async def test_a_first_sync_killed_at_random_points_resumes_to_the_store(
    any_cache: Cache, tmp_path: Path, processes: ProcessGroups
) -> None:
    # Large enough that the history goes bulk: kills land in open work, paging or the bulk operation.
    with run_in_thread(SimStore(orders=800, seed=4), plan="plus") as shop:
        rng = random.Random(5)
        for _ in range(3):
            kill_within(
                station(processes, "sync", shop, any_cache, tmp_path, "pack-1"), rng.uniform(1.0, 4.0)
            )
        finish(station(processes, "sync", shop, any_cache, tmp_path, "pack-1"))
        assert_cache_matches(shop.store, any_cache)
