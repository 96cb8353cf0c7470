"""What the header says about syncing: the last good sync, the outbox, the store, the API notices.

Part of it is read from the cache (`read_stored_health`, off the UI thread), part comes from the live
loop's reports (`with_update`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.sync_state import SyncState, pending_outbox_count
from oms_tui.runtime import LiveUpdate
from oms_tui.store.api_notices import read_notices
from oms_tui.store.streams import STREAMS


@dataclass(frozen=True)
class StoredHealth:
    last_sync: datetime | None  # the stalest stream's last good page; None before any
    outbox: int  # actions not yet known to be at the store
    notices: tuple[str, ...]  # API deprecations and versions a manager still has to act on


@dataclass(frozen=True)
class SyncHealth:
    station: str
    stored: StoredHealth = StoredHealth(None, 0, ())
    reachable: bool | None = None  # from the live loop's last report; None: not known
    activity: str = ""  # what the live loop is doing, when there is more to say than the sync's age
    failed: bool = False
    syncing: bool = False  # a pass is in flight (the live loop starts with one)
    cache_down: str = ""  # why the cache did not answer, while it does not
    listening: str = ""  # why other stations' changes are polled rather than heard, while they are


def read_stored_health(cache: Cache, api_version: str | None = None) -> StoredHealth:
    """`last_sync`: the stalest stream's, once every stream has synced (while the first sync runs,
    the streams it finished are not a sync of the shop); notices about `api_version`'s requests."""
    # One statement: every station reads this whenever the outbox or a sync moves anywhere on the floor.
    figures = select(
        func.count(), func.min(SyncState.last_success), pending_outbox_count().scalar_subquery()
    ).where(col(SyncState.stream).in_(STREAMS), col(SyncState.last_success).is_not(None))
    with cache.reads() as session:
        done, oldest, outbox = session.exec(figures).one()
        notices = tuple(notice.message for notice in read_notices(session, api_version=api_version))
    return StoredHealth(oldest if done == len(STREAMS) else None, outbox, notices)


def with_update(health: SyncHealth, update: LiveUpdate) -> SyncHealth:
    """A routine good pass adds nothing to say: the header shows the sync's age instead."""
    routine = update.reachable is True and not (update.error or update.progress)
    return replace(
        health,
        reachable=update.reachable,
        activity="" if routine else update.text,
        failed=update.error,
        syncing=update.progress,
    )


def ago(moment: datetime, now: datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 48 * 3600:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"
