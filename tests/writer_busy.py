"""Another connection holding a SQLite cache's write lock, as a sync does while it writes a page: what
only reads must go on meanwhile, not wait (up to the cache's 30 s) for the writer."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from oms_tui.cache.database import Cache

PATIENCE_S = 5.0  # far longer than any read here, far shorter than the cache's wait for a lock


@contextmanager
def writer_busy(cache: Cache) -> Iterator[None]:
    writer = sqlite3.connect(str(cache.engine.url.database), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        writer.rollback()
        writer.close()


def done_beside_a_writer(cache: Cache, work: Callable[[], object]) -> bool:
    """Whether `work`, in a thread of its own, ends within `PATIENCE_S` while a writer holds the lock."""
    done = threading.Event()

    def run() -> None:
        work()
        done.set()

    worker = threading.Thread(target=run)
    with writer_busy(cache):
        worker.start()
        finished = done.wait(PATIENCE_S)
    worker.join()
    return finished
