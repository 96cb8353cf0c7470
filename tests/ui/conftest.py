"""A seeded shop synced into a fresh cache, and the app over it with a frozen clock, no live loop."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from textual.pilot import Pilot

from oms_tui.app import OmsApp
from oms_tui.cache.database import open_cache
from oms_tui.config import Settings
from oms_tui.runtime import Runtime
from oms_tui.sim.store import SimStore
from oms_tui.store.sync import SyncEngine
from tests.store.simulated import simulated_client

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def stocked(store: SimStore) -> SimStore:
    """Every SKU on the shelves of every active location: these screens pick and pack, and running
    short (tests/floor/test_allocation.py) would cut their lists."""
    for item in store.inventory.values():
        for level in item.levels:
            if level.location.is_active:
                level.on_hand = max(level.on_hand, 400)
    return store


async def _sync(store: SimStore, runtime: Runtime) -> None:
    client, _, _ = simulated_client(stocked(store))
    async with client:
        await SyncEngine(client, runtime.cache, clock=lambda: NOW).run_once()


@pytest.fixture(scope="session")
def seeded_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded shop synced once per run; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("seeded") / "cache.sqlite3"
    settings = Settings(database_url=f"sqlite:///{path}", station="pack-1")
    runtime = Runtime(settings, open_cache(settings.database_url), "https://sim.test", SecretStr("x"))
    asyncio.run(_sync(SimStore(orders=60, seed=7, clock=lambda: NOW), runtime))
    runtime.close()  # the last connection closed: everything is in the main file
    return path


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seeded_cache: Path) -> Runtime:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)  # no settings file
    shutil.copy(seeded_cache, tmp_path / "cache.sqlite3")
    # No scanner: Pilot types faster than any scanner; scan tests turn it on (tests/ui/scanner.py)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="pack-1", scan_gap_ms=0
    )
    return Runtime(settings, open_cache(settings.database_url), "https://sim.test", SecretStr("x"))


async def settled(pilot: Pilot[Any]) -> None:
    """Reads off the UI thread (the header's sync health) have landed and been drawn."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def app(runtime: Runtime) -> OmsApp:
    return OmsApp(runtime, live=False, clock=lambda: NOW)


async def settle(pilot: Pilot[None]) -> None:
    """Let the table's reads (worker threads) land and the screen catch up (apps without `live`)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.fixture(autouse=True)
def no_failed_workers(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A worker that raises no longer ends the app (it is said over the screen): a test still fails
    on one, unless it asks for `failing_workers`."""
    yield
    if "failing_workers" not in request.fixturenames:
        records = caplog.get_records("call")
        failed = [r.getMessage() for r in records if r.name == "oms_tui.app" and r.levelno >= logging.ERROR]
        assert not failed, f"a worker failed: {failed}"


@pytest.fixture
def failing_workers() -> None:
    """This test makes workers fail on purpose."""
