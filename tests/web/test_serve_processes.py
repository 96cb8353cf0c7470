"""`oms-tui serve` with real processes: each browser tab is an app process, and none outlives its tab
or its server, however the server stops (SIGTERM, Ctrl-C, SIGKILL)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from tests.web.serving import WAIT_S, children, serving, sessions_of

pytestmark = pytest.mark.slow


@pytest.fixture
def shop() -> Iterator[SimServer]:
    with run_in_thread(SimStore(orders=30, seed=5), plan="plus") as server:
        yield server


async def until(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {WAIT_S:g} s")
        await asyncio.sleep(0.1)


@asynccontextmanager
async def tab(url: str) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """What a browser tab does: open the session's websocket and wait for the app's first screen."""
    async with aiohttp.ClientSession() as http, http.ws_connect(f"{url}/ws?width=120&height=36") as ws:
        while True:
            message = await asyncio.wait_for(ws.receive(), WAIT_S)
            assert message.type == aiohttp.WSMsgType.BINARY, f"the session ended: {message}"
            if b"Floor board" in message.data or len(message.data) > 1000:  # a screen, not a preamble
                break
        reading = asyncio.create_task(_drain(ws))  # as a browser does, so the session never blocks
        try:
            yield ws
        finally:
            reading.cancel()


async def _drain(ws: aiohttp.ClientWebSocketResponse) -> None:
    async for _ in ws:
        pass


async def test_a_closed_tab_ends_its_session_and_only_its_own(shop: SimServer, tmp_path: Path) -> None:
    with serving(shop, tmp_path, "--board") as (server, url):
        async with tab(url):
            async with tab(url):
                await until("two sessions", lambda: len(children(server.pid)) == 2)
                first, second = children(server.pid)
            await until("a session to end with its tab", lambda: len(children(server.pid)) == 1)
            assert children(server.pid) in ([first], [second])
        await until("the last session to end with its tab", lambda: not children(server.pid))


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name)
async def test_every_session_ends_when_the_server_stops(
    shop: SimServer, tmp_path: Path, stop: signal.Signals
) -> None:
    with serving(shop, tmp_path) as (server, url):
        async with tab(url), tab(url):
            await until("two sessions", lambda: len(children(server.pid)) == 2)
            assert sorted(sessions_of(server.pid)) == sorted(children(server.pid))
            server.send_signal(stop)
            await until("the server to stop", lambda: server.poll() is not None)
            await until("every session to end", lambda: not sessions_of(server.pid))
