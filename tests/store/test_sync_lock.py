"""Only one process syncs a shared cache; the lock frees itself when its holder goes away."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel

from oms_tui.cache.engine import make_engine
from oms_tui.cache.models import SyncLock
from oms_tui.cache.types import utcnow
from oms_tui.store.sync_lock import SyncBusy, sync_lock


def take_as_second_station(engine: Engine) -> None:
    with sync_lock(engine, holder="station-b"):
        pytest.fail("two stations hold the sync lock at once")


def test_a_second_syncer_is_turned_away_until_the_first_is_done(empty_engine: Engine) -> None:
    SQLModel.metadata.create_all(empty_engine)
    with sync_lock(empty_engine, holder="station-a"), pytest.raises(SyncBusy):
        take_as_second_station(empty_engine)
    with sync_lock(empty_engine, holder="station-b"):
        pass


def test_a_dead_holders_lease_runs_out_on_sqlite(tmp_path: Path) -> None:
    # (PostgreSQL itself frees an advisory lock when the holder's connection dies.)
    engine = make_engine(f"sqlite:///{tmp_path / 'cache.sqlite3'}")
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:  # left behind by a process that was killed
        connection.execute(
            SyncLock.__table__.insert(),  # type: ignore[attr-defined]
            {"name": "sync", "holder": "dead:1", "lease_until": utcnow() - timedelta(seconds=1)},
        )
    with sync_lock(engine, holder="station-b") as lease:
        lease.renew()
    engine.dispose()
