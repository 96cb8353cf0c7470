"""The reconcile a syncing station runs by itself every `reconcile_every_hours` (and when asked).

It runs after a sync pass, so on a station that just held the sync lock, and under a lock of its
own: two stations never reconcile at once. It starts from the last day of the last clean run (the
days before it were proven then), or from the store's first day when none was clean yet.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.reconcile_state import ReconcileRun
from oms_tui.store.client import Client
from oms_tui.store.reconcile.engine import ReconcileOptions, Reconciler, ReconcileReport
from oms_tui.store.sync_lock import sync_lock

SCHEDULED = "schedule"
LOCK = "reconcile"


def due(cache: Cache, now: datetime, every: timedelta, syncing_since: datetime) -> bool:
    """Whether the last run (not a dry run) began at least `every` ago; with none yet, whether this
    station has been syncing that long (a station starting up syncs first). `every` 0: never."""
    if every <= timedelta(0):
        return False
    with cache.sessions() as session:
        last = session.exec(
            select(ReconcileRun.started_at)
            .where(col(ReconcileRun.dry_run).is_(False))
            .order_by(col(ReconcileRun.started_at).desc())
            .limit(1)
        ).first()
    return now - (last or syncing_since) >= every


def start_day(cache: Cache) -> date | None:
    """The last day of the last clean run (checked again: it was not over then); None: all history."""
    with cache.sessions() as session:
        last = session.exec(
            select(ReconcileRun.last_day)
            .where(
                col(ReconcileRun.found) == 0,
                col(ReconcileRun.error).is_(None),
                col(ReconcileRun.last_day).is_not(None),
                col(ReconcileRun.dry_run).is_(False),
            )
            .order_by(col(ReconcileRun.started_at).desc())
            .limit(1)
        ).first()
    return date.fromisoformat(last) if last else None


async def run_scheduled(
    client: Client, cache: Cache, station: str, trigger: str = SCHEDULED
) -> ReconcileReport:
    """One reconcile under the reconcile lock (raises `SyncBusy` if another station runs one)."""
    with sync_lock(cache.engine, LOCK):
        options = ReconcileOptions(since=start_day(cache), trigger=trigger, station=station)
        return await Reconciler(client, cache).run(options)
