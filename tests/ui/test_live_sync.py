"""The app syncs in the background and the queue fills in without a key pressed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from oms_tui.app import OmsApp
from oms_tui.cache.database import open_cache
from oms_tui.config import Settings
from oms_tui.runtime import Runtime
from oms_tui.screens.queue_screen import QueueScreen
from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.store import SimStore
from oms_tui.widgets.sync_status import SyncStatus


def live_runtime(tmp_path: Path, token: str) -> Runtime:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'cache.sqlite3'}", station="pack-1", poll_interval=60
    )
    store_app = create_app(SimStore(orders=40, seed=3), restore_rate=1_000_000, bucket=1_000_000)
    return Runtime(
        settings,
        open_cache(settings.database_url),
        "https://sim.test",
        SecretStr(token),
        transport=httpx.ASGITransport(app=store_app),
    )


async def wait_for_status(app: OmsApp, text: str) -> SyncStatus:
    status = app.screen.query_one(SyncStatus)
    for _ in range(200):
        if text in status.state:
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"status never said {text!r}; it says {status.state!r}")


async def test_the_queue_fills_in_from_the_first_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", str(tmp_path / "none.toml"))
    app = OmsApp(live_runtime(tmp_path, DEFAULT_TOKEN))
    async with app.run_test(size=(120, 36)):
        await wait_for_status(app, "synced ")
        assert isinstance(app.screen, QueueScreen)
        table = app.screen.table
        for _ in range(200):  # the sync's last message asks the table to read again
            if table.total > 5:
                break
            await asyncio.sleep(0.05)
        assert table.total > 5


async def test_a_refused_token_is_shown_and_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", str(tmp_path / "none.toml"))
    app = OmsApp(live_runtime(tmp_path, "shpat_wrong_token_123"))
    async with app.run_test(size=(120, 36)):
        status = await wait_for_status(app, "store refused the token")
        assert status.failed
        assert "shpat_wrong_token_123" not in status.render()
