"""Whether the store answers, told at each request rather than when the client's retries give up.

The client retries a refused or timed-out connection for a while before it reports the store
unavailable (tens of seconds); a station's header should say "unreachable" at the first failure.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx


class WatchedTransport(httpx.AsyncBaseTransport):
    """Passes every request to `inner` and tells `seen(answered, why)` whether the store answered."""

    def __init__(self, inner: httpx.AsyncBaseTransport, seen: Callable[[bool, str], None]) -> None:
        self.inner, self.seen = inner, seen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.TransportError as exc:
            self.seen(False, type(exc).__name__)
            raise
        self.seen(True, "")
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
