"""Only one process syncs a shared cache at a time; the others just read it.

Each lock is one the system frees by itself when its holder dies, so a crashed station's successor
syncs at once:
- PostgreSQL: a session-level advisory lock, keyed by database, schema and lock name (two caches on
  one server are independent; two stations on one cache exclude each other). It is held on the
  cache's direct connection (`listen_url`): the one thing that needs a session of its own, so the
  rest can go through a pooler in transaction mode (PgBouncer), which hands each transaction any
  server session.
- SQLite file: an advisory lock (`flock`) on a file beside the database (`cache.sqlite3.sync.lock`).
- SQLite in memory: a lock in this process, the only one that can see that database.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from oms_tui.cache.engine import direct_engine

CHECK_EVERY_S = 5.0  # how often a PostgreSQL lease asks the server whether it still holds the lock

_memory_locks: weakref.WeakKeyDictionary[Engine, dict[str, threading.Lock]] = weakref.WeakKeyDictionary()
_memory_locks_guard = threading.Lock()


class SyncBusy(RuntimeError):
    """Another process holds the sync lock."""


class LeaseLost(RuntimeError):
    """The sync lock went away while syncing: another station may be syncing now."""


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Lease:
    """A held lock. `check()` it while syncing: it raises `LeaseLost` once the lock is gone.

    `lost()` says why the lock is gone (None while it is held); `check()` asks it at most every
    `every` seconds, so calling it after each page costs nothing.
    """

    def __init__(self, lost: Callable[[], str | None], every: float = 0.0) -> None:
        self.lost, self.every = lost, every
        self.checked = float("-inf")

    def check(self) -> None:
        if time.monotonic() - self.checked < self.every:
            return
        problem = self.lost()
        if problem:
            raise LeaseLost(f"lost the sync lock: {problem}")
        self.checked = time.monotonic()


@contextmanager
def sync_lock(engine: Engine, name: str = "sync", holder: str | None = None) -> Iterator[Lease]:
    """Hold the cache's lock `name` for the block, or raise `SyncBusy` at once if another has it."""
    holder = holder or holder_name()
    if engine.dialect.name == "postgresql":
        with _postgres_lock(engine, name) as lease:
            yield lease
    elif engine.url.database in (None, "", ":memory:"):
        with _memory_lock(engine, name) as lease:
            yield lease
    else:
        with _file_lock(Path(f"{engine.url.database}.{name}.lock"), name, holder) as lease:
            yield lease


@contextmanager
def _postgres_lock(engine: Engine, name: str) -> Iterator[Lease]:
    with direct_engine(engine).connect() as connection:
        key = lock_key(connection, name)
        if not connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({key})").scalar():
            raise SyncBusy(f"another station is syncing this cache ({name})")
        connection.commit()
        try:
            yield Lease(lambda: _postgres_lost(connection, key), every=CHECK_EVERY_S)
        finally:
            try:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({key})")
                connection.commit()
            except SQLAlchemyError:
                pass  # the connection died, and the server freed its lock with it


def lock_key(connection: Connection, name: str) -> int:
    """A 64-bit advisory lock key for this cache (database and schema) and lock name."""
    database, schema = connection.exec_driver_sql("SELECT current_database(), current_schema()").one()
    digest = hashlib.blake2b(f"oms-tui:{database}:{schema}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def held_by(key: int) -> str:
    """SQL for the backend pids that hold the advisory lock `key`."""
    # A bigint key shows in pg_locks as classid (its high 32 bits), objid (its low 32 bits), objsubid 1.
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
    return (
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
        f" AND classid::bigint = {unsigned >> 32} AND objid::bigint = {unsigned & 0xFFFF_FFFF}"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )


def _postgres_lost(connection: Connection, key: int) -> str | None:
    try:
        held = connection.exec_driver_sql(f"SELECT pg_backend_pid() IN ({held_by(key)})").scalar()
        connection.commit()
    except DBAPIError as exc:
        reason = str(exc.orig).strip() or type(exc.orig).__name__
        return f"its database connection failed ({reason.splitlines()[0]})"
    return None if held else "the database no longer holds it for this station"


@contextmanager
def _file_lock(path: Path, name: str, holder: str) -> Iterator[Lease]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = os.pread(descriptor, 200, 0).decode(errors="replace").strip()
            raise SyncBusy(f"another process is syncing this cache ({who or name})") from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, holder.encode(), 0)  # names the holder for anyone turned away
        yield Lease(lambda: _file_lost(path, descriptor))
    finally:
        os.close(descriptor)  # closing frees the lock; so does the holder's death


def _file_lost(path: Path, descriptor: int) -> str | None:
    """The lock holds only while the file at `path` is the one locked: a new file there is unlocked."""
    try:
        same = os.path.samestat(os.fstat(descriptor), os.stat(path))
    except FileNotFoundError:
        same = False
    return None if same else f"{path} was removed or replaced"


@contextmanager
def _memory_lock(engine: Engine, name: str) -> Iterator[Lease]:
    with _memory_locks_guard:
        lock = _memory_locks.setdefault(engine, {}).setdefault(name, threading.Lock())
    if not lock.acquire(blocking=False):
        raise SyncBusy(f"another task is syncing this cache ({name})")
    try:
        yield Lease(lambda: None)
    finally:
        lock.release()
