"""A store whose requests hang (as over a dead network), and one that fails in unexpected ways."""

from __future__ import annotations

import asyncio
import threading

import httpx

from oms_tui.sim.app import create_app
from oms_tui.sim.store import SimStore

HANG_S = 3.0  # a stuck request ends with a timeout then, so a test that fails does not hang for good


class StuckTransport(httpx.AsyncBaseTransport):
    """Every request hangs; `started` is set when the first one is sent, `cancelled` when one is cancelled."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.cancelled = threading.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.started.set()
        try:
            await asyncio.wait_for(asyncio.Event().wait(), HANG_S)  # no answer ever comes
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        except TimeoutError:
            pass
        raise httpx.ReadTimeout("no answer", request=request)


class BrokenTransport(httpx.AsyncBaseTransport):
    """The simulator, except that while `broken` every request raises an error nobody expects."""

    def __init__(self, store: SimStore) -> None:
        app = create_app(store, restore_rate=1_000_000, bucket=1_000_000)
        self.inner = httpx.ASGITransport(app=app)
        self.broken = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.broken:
            raise RuntimeError("something nobody planned for\nsecond line of detail")
        return await self.inner.handle_async_request(request)
