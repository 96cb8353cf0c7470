"""Reconcile benchmark: proving a clean cache complete, against reading the whole store again.

A simulated store of N orders (default 100,000) placed over 365 days is synced into a fresh SQLite
cache by a full paged sync (the baseline: what "re-sync everything" costs: the same engine, every
order and fulfillment order read again, `bulk_above_orders=None`), then `oms-tui reconcile` checks
that cache over the store's whole history. Both run unthrottled against the in-process simulator
(`httpx.ASGITransport`), so time is the client's and the simulator's work, not the rate limit; cost is
what the store charged (`extensions.cost.actualQueryCost`, summed by the client).

`reconcile_ratio`    reconcile points / full re-sync points (goal <= 0.05)
`reconcile_time_ratio` reconcile seconds / full re-sync seconds
`false_differences`  differences reconcile reports on the clean cache (goal 0)

The last line printed is one JSON object with every figure.

Usage: .venv/bin/python bench/reconcile.py [--orders N] [--days D] [--small]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from oms_tui.cache.database import open_cache
from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.store import SimStore
from oms_tui.store.client import StoreClient
from oms_tui.store.reconcile import ReconcileOptions, Reconciler
from oms_tui.store.sync import SyncEngine

SEED = 7
UNLIMITED = 1e9  # bucket and restore rate that never throttle or pace
SMALL_ORDERS = 10_000


def client_for(store: SimStore) -> StoreClient:
    app = create_app(store, restore_rate=UNLIMITED, bucket=UNLIMITED)
    return StoreClient("https://sim.test", SecretStr(DEFAULT_TOKEN), transport=httpx.ASGITransport(app=app))


def prepared_store(orders: int, days: int) -> SimStore:
    """Every order materialized before any timing, then frozen out of the garbage collector."""
    store = SimStore(orders=orders, seed=SEED, history=timedelta(days=days), kept_generated=orders)
    for _ in store.orders:
        pass
    gc.collect()
    gc.freeze()
    return store


async def measure(orders: int, days: int, work: Path) -> dict[str, Any]:
    store = prepared_store(orders, days)
    cache = open_cache(f"sqlite:///{work / 'cache.sqlite3'}", create=True)
    try:
        async with client_for(store) as client:
            started, cpu = time.perf_counter(), time.process_time()
            summary = await SyncEngine(client, cache, bulk_above_orders=None, open_work_limit=0).run_once()
            sync_seconds, sync_cpu = time.perf_counter() - started, time.process_time() - cpu
            sync_points, sync_objects = client.points_spent, summary.total("created")
        async with client_for(store) as client:
            started, cpu = time.perf_counter(), time.process_time()
            report = await Reconciler(client, cache).run(ReconcileOptions(trigger="bench"))
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    finally:
        cache.close()
    return {
        "orders": orders,
        "days": days,
        "days_checked": report.days_checked,
        "resync_points": sync_points,
        "resync_seconds": round(sync_seconds, 2),
        "resync_cpu_seconds": round(sync_cpu, 2),
        "resync_objects": sync_objects,
        "reconcile_points": report.points,
        "reconcile_seconds": round(seconds, 2),
        "reconcile_cpu_seconds": round(cpu_seconds, 2),
        "reconcile_ratio": round(report.points / max(sync_points, 1), 5),
        "reconcile_time_ratio": round(seconds / max(sync_seconds, 1e-9), 4),
        "false_differences": len(report.differences),
        "differences": [d.line() for d in report.differences[:5]],
    }


def describe(result: dict[str, Any]) -> None:
    checked = result["days_checked"]
    print(f"store: {result['orders']:,} orders over {result['days']} days; {checked} days checked")
    print(f"{'':<22}{'points':>12}{'seconds':>10}{'cpu s':>8}")
    for name, key in (("full re-sync", "resync"), ("reconcile", "reconcile")):
        print(
            f"{name:<22}{result[f'{key}_points']:>12,}{result[f'{key}_seconds']:>10.1f}"
            f"{result[f'{key}_cpu_seconds']:>8.1f}"
        )
    print(f"reconcile_ratio      {result['reconcile_ratio']:.4f}  (goal <= 0.05)")
    print(f"reconcile_time_ratio {result['reconcile_time_ratio']:.4f}")
    print(f"false_differences    {result['false_differences']}  (goal 0)")
    for line in result["differences"]:
        print(f"  {line}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=100_000, help="orders in the store (default 100,000)")
    parser.add_argument("--days", type=int, default=365, help="days of history they span (default 365)")
    parser.add_argument("--small", action="store_true", help=f"{SMALL_ORDERS:,} orders (a quick run)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    orders = SMALL_ORDERS if args.small else args.orders
    work = Path(tempfile.mkdtemp(prefix="oms-bench-"))
    try:
        result = asyncio.run(measure(orders, args.days, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    describe(result)
    print(json.dumps(result), flush=True)
    return 0 if result["false_differences"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
