"""Only one process syncs a shared cache at a time; the others just read it.

PostgreSQL: a session-level advisory lock, released by the server if the holder dies.
SQLite: a row in `sync_locks` with a lease that the holder renews; a dead holder's lease runs out.
"""

from __future__ import annotations

import os
import socket
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Connection, Engine, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from oms_tui.cache.models import SyncLock
from oms_tui.cache.types import utcnow

LEASE = timedelta(seconds=60)


class SyncBusy(RuntimeError):
    """Another process holds the sync lock."""


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Lease:
    """A held lock; `renew()` it at least once per lease while syncing (a no-op on PostgreSQL)."""

    def __init__(self, engine: Engine, name: str, holder: str, connection: Connection | None) -> None:
        self.engine, self.name, self.holder, self.connection = engine, name, holder, connection
        self.renewed = time.monotonic()

    def renew(self) -> None:
        """Extend the lease; cheap to call often (it writes at most every third of a lease)."""
        if self.connection is None and time.monotonic() - self.renewed > LEASE.total_seconds() / 3:
            _take_row(self.engine, self.name, self.holder)
            self.renewed = time.monotonic()


@contextmanager
def sync_lock(engine: Engine, name: str = "sync", holder: str | None = None) -> Iterator[Lease]:
    holder = holder or holder_name()
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            key = zlib.crc32(f"oms-tui:{name}".encode())
            if not connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({key})").scalar():
                raise SyncBusy(f"another station is syncing this cache ({name})")
            connection.commit()
            try:
                yield Lease(engine, name, holder, connection)
            finally:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({key})")
                connection.commit()
        return
    if not _take_row(engine, name, holder):
        raise SyncBusy(f"another process is syncing this cache ({name})")
    try:
        yield Lease(engine, name, holder, None)
    finally:
        with Session(engine) as session:
            session.connection().execute(
                SyncLock.__table__.delete().where(  # type: ignore[attr-defined]
                    SyncLock.name == name, SyncLock.holder == holder
                )
            )
            session.commit()


def _take_row(engine: Engine, name: str, holder: str) -> bool:
    now = utcnow()
    with Session(engine) as session:
        taken = (
            session.connection()
            .execute(
                update(SyncLock)
                .where(SyncLock.name == name)  # type: ignore[arg-type]
                .where(or_(SyncLock.holder == holder, SyncLock.lease_until < now))  # type: ignore[arg-type]
                .values(holder=holder, lease_until=now + LEASE)
            )
            .rowcount
        )
        if not taken:
            session.add(SyncLock(name=name, holder=holder, lease_until=now + LEASE))
            try:
                session.flush()
            except IntegrityError:
                return False
        session.commit()
        return True
