"""A commit on one station is heard by the others: NOTIFY per kind on PostgreSQL, the change counter
(`PRAGMA data_version`) on SQLite; nothing re-reads tables to find out."""

from __future__ import annotations

import queue
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import SQLModel

from oms_tui.cache.change_signal import CLAIMS, EVERYTHING, EXCEPTIONS, REPORTS, ChangeWatcher, kind_of
from oms_tui.cache.engine import make_engine, session_factory
from oms_tui.cache.enums import ExceptionKind
from oms_tui.cache.models import Claim, FloorException
from oms_tui.floor.queues.claims import heartbeat
from tests.conftest import postgres_engine_in_fresh_schema
from tests.team import hire

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
HEARD_WITHIN_S = 5.0  # a bound for a stuck test, not a timing assertion
LEASE = timedelta(hours=2)


def claim() -> Claim:
    order = "gid://shopify/FulfillmentOrder/1"
    return Claim(
        fulfillment_order_id=order, staff_code="P02", station="pick-2", lease_until=NOW + timedelta(hours=1)
    )


def exception(message: str) -> FloorException:
    return FloorException(kind=ExceptionKind.SHORT_PICK, severity="warning", message=message, created_at=NOW)


@pytest.mark.postgres
def test_a_commit_on_another_station_is_heard_by_its_kind_and_a_rolled_back_one_is_not() -> None:
    with postgres_engine_in_fresh_schema() as engine:
        SQLModel.metadata.create_all(engine)
        sessions = session_factory(engine)
        with sessions() as session:
            hire(session, "P02")
            session.commit()
        heard: queue.Queue[frozenset[str]] = queue.Queue()
        watcher = ChangeWatcher(engine.url, heard.put).start()
        try:
            assert watcher.ready.wait(HEARD_WITHIN_S)
            with sessions() as session:
                session.add(exception("a short pick"))
                session.commit()
            assert EXCEPTIONS in heard.get(timeout=HEARD_WITHIN_S)
            with sessions() as session:
                session.add(claim())
                session.rollback()  # never visible: never announced
                session.add(exception("after the rollback"))
                session.commit()
            assert CLAIMS not in heard.get(timeout=HEARD_WITHIN_S)
            with sessions() as session:
                session.add(claim())
                session.commit()
            assert CLAIMS in heard.get(timeout=HEARD_WITHIN_S)
            with sessions() as session:  # a lease renewed changes nothing another station shows
                renewed = heartbeat(session, staff_code="P02", station="pick-2", now=NOW, lease=LEASE)
                assert renewed == 1
                session.commit()
            with sessions() as session:
                session.add(exception("after the heartbeat"))
                session.commit()
            assert CLAIMS not in heard.get(timeout=HEARD_WITHIN_S)
        finally:
            watcher.stop()


@pytest.mark.postgres
def test_a_cache_in_another_schema_of_the_database_is_not_heard() -> None:
    """Channels are the whole database's: two warehouses' caches in one database (or two tests) keep apart."""
    with postgres_engine_in_fresh_schema() as ours, postgres_engine_in_fresh_schema() as theirs:
        for engine in (ours, theirs):
            SQLModel.metadata.create_all(engine)
        with session_factory(ours)() as session:
            hire(session, "P02")
            session.commit()
        heard: queue.Queue[frozenset[str]] = queue.Queue()
        watcher = ChangeWatcher(ours.url, heard.put).start()
        try:
            assert watcher.ready.wait(HEARD_WITHIN_S)
            with session_factory(theirs)() as session:
                session.add(exception("the other warehouse's"))
                session.commit()
            with session_factory(ours)() as session:
                session.add(claim())
                session.commit()
            assert heard.get(timeout=HEARD_WITHIN_S) == frozenset({CLAIMS})
        finally:
            watcher.stop()


def test_sqlite_commits_elsewhere_move_the_change_counter(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    SQLModel.metadata.create_all(engine)
    heard: queue.Queue[frozenset[str]] = queue.Queue()
    watcher = ChangeWatcher(engine.url, heard.put).start()
    try:
        assert watcher.ready.wait(HEARD_WITHIN_S)
        with session_factory(engine)() as session:
            session.add(exception("another station's"))
            session.commit()
        assert heard.get(timeout=HEARD_WITHIN_S) == EVERYTHING  # the counter says that, not what
        with session_factory(engine)() as session:
            session.add(exception("and one more"))
            session.commit()
        assert heard.get(timeout=HEARD_WITHIN_S) == EVERYTHING
    finally:
        watcher.stop()
        engine.dispose()


def test_every_report_table_is_announced_as_reports_not_as_the_stores_change() -> None:
    """The reports' counts are written with every scan: announced as SYNC, each scan anywhere would
    have every pick list and pack bench read again (tests/floor/test_announced_kinds.py)."""
    report_tables = [name for name in SQLModel.metadata.tables if name.startswith("report_")]
    assert len(report_tables) >= 6
    assert {name: kind_of(name) for name in report_tables} == dict.fromkeys(report_tables, REPORTS)
