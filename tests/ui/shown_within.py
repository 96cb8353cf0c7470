"""Another connection holding a SQLite cache's write lock, and waiting for a screen to show meanwhile."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from oms_tui.runtime import Runtime

PATIENCE_S = 5.0  # far longer than any screen's read, far shorter than the cache's wait for a lock


@contextmanager
def writer_busy(runtime: Runtime) -> Iterator[None]:
    """Another connection holds the cache's write lock, as a sync does while it writes a page."""
    writer = sqlite3.connect(str(runtime.cache.engine.url.database), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        writer.rollback()
        writer.close()


async def shown_within(pilot: Pilot[Any], shown: Callable[[Any], bool], seconds: float = PATIENCE_S) -> bool:
    """Whether `shown(app)` comes true within `seconds`."""
    deadline = time.monotonic() + seconds
    app: App[Any] = pilot.app
    while time.monotonic() < deadline:
        if shown(app):
            return True
        await pilot.pause(0.05)
    return False
