"""The header's sync line says what is true: no sync yet, a first sync running, a store that stopped
answering (at the first refused connection, not when the client's retries give up)."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from oms_tui.app import OmsApp
from oms_tui.cache.sync_state import SyncState
from oms_tui.sync_health import StoredHealth, SyncHealth
from oms_tui.widgets.shell_header import sync_line
from tests.ui.conftest import NOW, settled
from tests.ui.test_live_sync import header_says, live_runtime


async def test_before_any_sync_the_header_says_not_synced_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    runtime = live_runtime(tmp_path, "x")
    with runtime.cache.sessions() as session:  # the first sync read its first stream, then stopped
        session.add(SyncState(stream="locations", last_success=NOW))
        session.commit()
    app = OmsApp(runtime, live=False, clock=lambda: NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        await settled(pilot)
        said = header_says(app)
        assert "not synced yet" in said and "synced 0s ago" not in said
    runtime.close()


def test_a_first_sync_in_flight_is_said_and_an_old_one_is_the_last_while_unreachable() -> None:
    health = SyncHealth("pack-1", syncing=True)
    assert str(sync_line(health, NOW)).startswith("syncing…")
    synced = replace(health, stored=StoredHealth(NOW, 0, ()), reachable=False, syncing=False)
    assert str(sync_line(synced, NOW)) == "● store unreachable · last synced 0s ago · outbox empty"


class RefusedThenSilent(httpx.AsyncBaseTransport):
    """The first connection is refused; the client's retries then wait for an answer that never comes."""

    def __init__(self) -> None:
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.requests == 1:
            raise httpx.ConnectError("Connection refused", request=request)
        await asyncio.Event().wait()  # the pass stays in flight until the app quits
        raise AssertionError("unreachable")


async def test_the_first_refused_connection_says_the_store_is_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_CONFIG_FILE", os.devnull)
    transport = RefusedThenSilent()
    app = OmsApp(live_runtime(tmp_path, "x", transport))
    async with app.run_test(size=(120, 36)) as pilot:
        while transport.requests < 2:  # the client retries: its pass has not ended
            await pilot.pause()
        await pilot.pause()  # the live loop's report, posted from its thread, handled and drawn
        await pilot.pause()
        said = header_says(app)
        assert said == (
            "● store unreachable · not synced yet · outbox empty · could not connect (ConnectError); retrying"
        )
