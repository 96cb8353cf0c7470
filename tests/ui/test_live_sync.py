"""The app syncs in the background and the queue fills in without a key pressed."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from textual.widgets import Label

from oms_tui.app import OmsApp
from oms_tui.cache.database import open_cache
from oms_tui.config import Settings
from oms_tui.runtime import Runtime
from oms_tui.screens.queue_screen import QueueScreen
from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.store import SimStore
from oms_tui.widgets.shell_header import ShellHeader
from tests.store.stuck import StuckTransport


def live_runtime(tmp_path: Path, token: str, transport: httpx.AsyncBaseTransport | None = None) -> Runtime:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="pack-1", poll_interval=60
    )
    store_app = create_app(SimStore(orders=40, seed=3), restore_rate=1_000_000, bucket=1_000_000)
    return Runtime(
        settings,
        open_cache(settings.database_url),
        "https://sim.test",
        SecretStr(token),
        transport=transport or httpx.ASGITransport(app=store_app),
    )


def header_says(app: OmsApp) -> str:
    """What the header's sync line shows."""
    return str(app.screen.query_one(ShellHeader).query_one("#sync", Label).content)


async def wait_for(condition: Callable[[], bool]) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("never happened")


async def wait_for_status(app: OmsApp, text: str) -> str:
    for _ in range(200):
        if text in (said := header_says(app)):
            return said
        await asyncio.sleep(0.05)
    raise AssertionError(f"the header never said {text!r}; it says {header_says(app)!r}")


async def test_the_queue_fills_in_from_the_first_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)  # no settings file
    app = OmsApp(live_runtime(tmp_path, DEFAULT_TOKEN))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_status(app, "(6/6)")  # the progress display, stream by stream
        await wait_for(lambda: app.health.reachable is True and not app.health.activity)  # a pass ended
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        await wait_for(lambda: app.screen.table.total > 5)  # the sync's last message asks for a re-read
        said = await wait_for_status(app, " · synced ")  # the header reads the pass's end from the cache
        assert re.search(r"● store reachable · synced \d+s ago", said)


async def test_a_refused_token_is_shown_without_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)  # no settings file
    app = OmsApp(live_runtime(tmp_path, "shpat_wrong_token_123"))
    async with app.run_test(size=(120, 36)):
        said = await wait_for_status(app, "store refused the token")
        assert app.health.failed
        assert "shpat_wrong_token_123" not in said


async def test_quitting_cancels_a_sync_stuck_in_a_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    store = StuckTransport()  # the network went quiet in the middle of a sync
    app = OmsApp(live_runtime(tmp_path, DEFAULT_TOKEN, store))
    async with app.run_test(size=(120, 36)) as pilot:
        assert await asyncio.to_thread(store.started.wait, 10)
        await pilot.press("q")
    assert store.cancelled.wait(timeout=1.0), "the request was still waiting a second after q"
