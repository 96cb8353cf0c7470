"""A cache session for one CLI command: opened from the settings, closed when the command ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from oms_tui.config import Settings


@contextmanager
def cache_session(settings: Settings, *, read_only: bool = False) -> Iterator[Session]:
    """`read_only` for a command that only looks: on SQLite it then neither waits for a writer (a sync
    writing a page) nor holds the floor's writes back while it reads."""
    from oms_tui.cache.database import open_cache

    cache = open_cache(settings.database_url, create=False)
    try:
        with (cache.reads if read_only else cache.sessions)() as session:
            yield session
    finally:
        cache.close()
