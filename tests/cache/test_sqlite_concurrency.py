"""Several terminals on one machine share the SQLite file: concurrent writers wait, they do not fail."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlmodel import SQLModel

from oms_tui.cache.database import open_cache
from oms_tui.cache.engine import make_engine, session_factory
from oms_tui.cache.models import AuditEvent

WRITES_PER_PROCESS = 150


def write_many(url: str, station: str) -> int:
    """Read-then-write transactions: the pattern that trips SQLite's deferred locking."""
    engine = make_engine(url)
    sessions = session_factory(engine)
    for n in range(WRITES_PER_PROCESS):
        with sessions() as session:
            seen = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
            session.add(AuditEvent(station=station, action="test.write", details={"n": n, "seen": seen}))
            session.commit()
    engine.dispose()
    return WRITES_PER_PROCESS


def test_two_processes_writing_at_once_do_not_hit_database_is_locked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        done = list(pool.map(write_many, [url, url], ["station-a", "station-b"]))
    assert done == [WRITES_PER_PROCESS, WRITES_PER_PROCESS]
    with session_factory(engine)() as session:
        seen = [event.details["seen"] for event in session.scalars(select(AuditEvent))]
    # Each transaction saw every earlier commit and no other saw the same: they were serialised.
    assert sorted(seen) == list(range(2 * WRITES_PER_PROCESS))
    engine.dispose()


def test_sqlite_file_is_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()


def test_a_reader_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    cache = open_cache(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    # A reader that queues behind the writer gives up after 0.2 s instead of the usual 30.
    event.listen(cache.engine, "connect", lambda connection, _: connection.execute("PRAGMA busy_timeout=200"))
    with cache.sessions() as writer:
        writer.add(AuditEvent(station="pack-1", action="test.committed", details={}))
        writer.commit()
        writer.add(AuditEvent(station="pack-1", action="test.uncommitted", details={}))
        writer.flush()  # a write transaction, held open while the reader reads
        with cache.reads() as reader:
            seen = reader.execute(select(AuditEvent.action)).scalars().all()
        assert seen == ["test.committed"]
        with cache.reads() as reader, pytest.raises(RuntimeError, match="read-only"):
            reader.add(AuditEvent(station="pack-1", action="test.refused", details={}))
            reader.flush()
    cache.close()
