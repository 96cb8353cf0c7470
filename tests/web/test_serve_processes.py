"""`oms-tui serve` with real processes: each browser tab is an app process, and none outlives its tab
or its server, however the server stops (SIGTERM, Ctrl-C, SIGKILL)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from tests.web.serving import children, serving, sessions_of, tab, until

pytestmark = pytest.mark.slow


@pytest.fixture
def shop() -> Iterator[SimServer]:
    with run_in_thread(SimStore(orders=30, seed=5), plan="plus") as server:
        yield server


async def test_a_closed_tab_ends_its_session_and_only_its_own(shop: SimServer, tmp_path: Path) -> None:
    with serving(shop, tmp_path, "--board") as (server, url, _):
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
    with serving(shop, tmp_path) as (server, url, _):
        async with tab(url), tab(url):
            await until("two sessions", lambda: len(children(server.pid)) == 2)
            assert sorted(sessions_of(server.pid)) == sorted(children(server.pid))
            server.send_signal(stop)
            await until("the server to stop", lambda: server.poll() is not None)
            await until("every session to end", lambda: not sessions_of(server.pid))
