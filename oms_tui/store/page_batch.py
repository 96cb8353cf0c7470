"""Pages gathered into one cache write, written while the next pages are read.

A page of orders holds a few dozen (the query cost of their nested lists caps it), and each write
pays a fixed price: a transaction, the children's and the search index's statements, the watermark.
Writing a few pages at once keeps that price per order small; the store is read as before, and a
pass that stops midway reads the pages not yet written again (the watermark moves with each write).

The write runs in a thread, one at a time and in order, so the sync waits for the store and for the
cache at once rather than one after the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

WRITE_BATCH = 250  # objects per write: a first sync of 10,000 orders writes 40 times, not 350


class PageBatch:
    def __init__(self, size: int = WRITE_BATCH) -> None:
        self.size = size
        self._nodes: list[Any] = []
        self._extra: dict[str, list[Any]] = {}

    def add(self, nodes: list[Any], extra_lines: dict[str, list[Any]]) -> None:
        self._nodes += nodes
        self._extra.update(extra_lines)

    @property
    def full(self) -> bool:
        return len(self._nodes) >= self.size

    def take(self) -> tuple[list[Any], dict[str, list[Any]]]:
        """What was gathered (and an empty batch from then on)."""
        taken = self._nodes, self._extra
        self._nodes, self._extra = [], {}
        return taken


class WriteBehind:
    """At most one write in flight, in a thread; its failure is raised by the next call."""

    def __init__(self) -> None:
        self._pending: asyncio.Future[None] | None = None

    async def submit(self, write: Callable[[], None]) -> None:
        await self.drain()
        self._pending = asyncio.ensure_future(asyncio.to_thread(write))

    async def drain(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            await pending
